/**
 * `cilium-verify replay`: Hubble export lines into observed connections, Hubble endpoint labels
 * into engine ends, counting, output and exit status.
 *
 * The lines are modelled on the real `hubble observe -o json` lines quoted in
 * /work/notes/hubble-flow.md §1.6 (cilium/cilium PR #40519 sample a, issue #41835 sample b,
 * issue #33870 sample c, PR #35415 sample d) and on Hubble's printer test
 * (`hubble/pkg/printer/printer_test.go`, cases "jsonpb" and "json"). Field semantics are from
 * `api/v1/flow/flow.proto` and `api/v1/observer/observer.proto` as cited per test.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/cilium-verify';
import { parseLine, readFlow } from '../../src/verify/replay/hubble';
import { endIdentity } from '../../src/verify/replay/identity';
import { readExport, ReplaySession } from '../../src/verify/replay/replay';

const FIXTURES = path.join(__dirname, 'replay-fixtures');

async function runCli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-replay-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, text);
  return p;
}

// --- building lines like the agent writes them ----------------------------------------------

/** The identity labels of a pod as Hubble prints them (sample a: sorted, `k8s:` source, agent-added keys included). */
function podLabels(ns: string, own: Record<string, string>, sa = 'default', nsLabels: Record<string, string> = {}): string[] {
  const l = Object.entries(own).map(([k, v]) => `k8s:${k}=${v}`);
  l.push(`k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=${ns}`);
  for (const [k, v] of Object.entries(nsLabels)) l.push(`k8s:io.cilium.k8s.namespace.labels.${k}=${v}`);
  l.push('k8s:io.cilium.k8s.policy.cluster=default', `k8s:io.cilium.k8s.policy.serviceaccount=${sa}`, `k8s:io.kubernetes.pod.namespace=${ns}`);
  return l.sort();
}

function podEp(ns: string, podName: string, own: Record<string, string>, sa = 'default', nsLabels: Record<string, string> = {}): any {
  return { ID: 1238, identity: 24009, cluster_name: 'default', namespace: ns, labels: podLabels(ns, own, sa, nsLabels), pod_name: podName };
}

const CLIENT = podEp('shop', 'client-645b68dcf7-2jmrw', { app: 'client' }, 'client');
const CLIENT2 = podEp('shop', 'client-645b68dcf7-9xk2p', { app: 'client' }, 'client');
const API = podEp('shop', 'api-7c8bb96bdb-hxmxg', { app: 'api' }, 'api');
const KUBE_DNS = podEp('kube-system', 'coredns-5d78c9869d-7tq2m', { 'k8s-app': 'kube-dns' }, 'coredns');
const WORLD = { identity: 2, labels: ['reserved:world'] };

interface LineOpts {
  src?: any;
  dst?: any;
  sip?: string;
  dip?: string;
  l4?: any;
  verdict?: string;
  extra?: Record<string, unknown>;
  bare?: boolean;
  v6?: boolean;
}

/** One `GetFlowsResponse` line (observer.proto: `{"flow":…,"node_name":…,"time":…}`), or a bare legacy flow. */
function line(o: LineOpts = {}): string {
  const flow: Record<string, unknown> = {
    time: '2025-07-15T01:30:19.361221854Z',
    uuid: 'c2ecde95-7124-4b42-846c-fb0038e78aa8',
    verdict: o.verdict ?? 'FORWARDED',
    ethernet: { source: '92:34:10:65:b5:ee', destination: 'c2:3c:0f:7f:7d:73' },
    IP: { source: o.sip ?? '10.244.3.30', destination: o.dip ?? '10.244.3.31', ipVersion: o.v6 ? 'IPv6' : 'IPv4' },
    l4: o.l4 ?? { TCP: { source_port: 48748, destination_port: 80, flags: { SYN: true } } },
    source: o.src ?? CLIENT,
    destination: o.dst ?? API,
    Type: 'L3_L4',
    node_name: 'kind-worker2',
    event_type: { type: 5 },
    traffic_direction: 'EGRESS',
    Summary: 'TCP Flags: SYN',
    ...(o.extra ?? {}),
  };
  return JSON.stringify(o.bare ? flow : { flow, node_name: 'kind-worker2', time: flow.time });
}

function tcp(port: number, flags?: Record<string, boolean>): any {
  return { TCP: { source_port: 48748, destination_port: port, ...(flags ? { flags } : {}) } };
}

function readLine(text: string) {
  const rec = parseLine(text);
  if (rec.kind !== 'flow') throw new Error(`not a flow: ${JSON.stringify(rec)}`);
  return readFlow(rec.flow);
}

function cnp(name: string, spec: any, namespace = 'shop'): string {
  return JSON.stringify({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec });
}

/** api: ingress from app=client on TCP/80 with GET /health only; client: egress to api on 80 and DNS. */
const POLICIES = [
  cnp('api-ingress', {
    endpointSelector: { matchLabels: { app: 'api' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { app: 'client' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/health' }] } }] }],
  }),
  cnp('client-egress', {
    endpointSelector: { matchLabels: { app: 'client' } },
    egress: [
      { toEndpoints: [{ matchLabels: { app: 'api' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
      {
        toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
        toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
      },
      { toFQDNs: [{ matchName: 'api.stripe.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
    ],
  }),
].join('\n---\n');

function manifests(text = POLICIES): string {
  return write(`policies-${Math.random().toString(36).slice(2)}.yaml`, text);
}

async function replay(lines: string[], extraArgs: string[] = [], policies = POLICIES) {
  const flows = write(`flows-${Math.random().toString(36).slice(2)}.json`, lines.join('\n') + '\n');
  const r = await runCli(['replay', flows, '--manifests', manifests(policies), ...extraArgs]);
  return { ...r, flows, summary: r.err.find((l) => / observed flows /.test(l)) };
}

// --- lines --------------------------------------------------------------------------------

describe('parseLine: what a line of `hubble observe -o json` holds', () => {
  // observer.proto GetFlowsResponse: oneof response_types { flow, node_status, lost_events },
  // ExportEvent adds agent_event, debug_event; printer.go WriteProtoFlow: JSONPBOutput encodes
  // the response, JSONLegacyOutput the bare Flow.
  test.each([
    ['envelope', line(), 'flow'],
    ['bare legacy flow (printer_test "json")', line({ bare: true }), 'flow'],
    ['printer_test "jsonpb" line', '{"flow":{"time":"1970-01-01T00:20:34.567800Z","verdict":"DROPPED","IP":{"source":"1.1.1.1","destination":"2.2.2.2"},"l4":{"TCP":{"source_port":31793,"destination_port":8080}},"source":{"identity":4},"destination":{"identity":12345},"Type":"L3_L4","node_name":"k8s1","event_type":{"type":1,"sub_type":133},"is_reply":false,"Summary":"TCP Flags: SYN"}}', 'flow'],
    ['lost_events', '{"lost_events":{"source":"HUBBLE_RING_BUFFER","num_events_lost":"1","cpu":0},"node_name":"kind-worker","time":"2025-07-15T01:30:19Z"}', 'record'],
    ['node_status', '{"node_status":{"state_change":"NODE_UNAVAILABLE","node_names":["kind-worker2"]},"node_name":"hubble-relay-565f76c75f-974d9","time":"2020-06-15T20:56:44.689246261Z"}', 'record'],
    ['agent_event (exporter files)', '{"agent_event":{"type":"ENDPOINT_CREATED"},"node_name":"n","time":"t"}', 'record'],
    ['not JSON', 'WARNING: The --output=json option has been deprecated. Use --output=jsonpb instead', 'invalid'],
    ['JSON array', '[1,2]', 'invalid'],
    ['JSON without a flow', '{"hello":"world"}', 'invalid'],
    ['truncated line', line().slice(0, 120), 'invalid'],
  ])('%s', (_name, text, kind) => {
    expect(parseLine(text).kind).toBe(kind);
  });

  test('lost_events records say how many events were lost (uint64 as a string, protojson)', () => {
    const r = parseLine('{"lost_events":{"source":"HUBBLE_RING_BUFFER","num_events_lost":"12"},"node_name":"n","time":"t"}');
    expect(r).toMatchObject({ kind: 'record', type: 'lost_events', lostEvents: 12 });
  });
});

describe('readFlow: replies, L4, requests', () => {
  // flow.proto: `google.protobuf.BoolValue is_reply = 26` "May be absent (in which case it is
  // unknown whether it is a reply or not)"; printed as a bare JSON boolean (printer_test).
  test.each([
    ['is_reply true', { extra: { is_reply: true }, l4: tcp(80, { SYN: true, ACK: true }) }, 'reply'],
    ['is_reply true on a SYN-less data packet', { extra: { is_reply: true }, l4: tcp(48748, { PSH: true, ACK: true }) }, 'reply'],
    ['is_reply {value:true} (wrapper spelled out)', { extra: { is_reply: { value: true } } }, 'reply'],
    ['is_reply false on a data packet (sample b, PSH/ACK)', { extra: { is_reply: false }, l4: tcp(80, { PSH: true, ACK: true }) }, 'connection'],
    ['no is_reply, SYN (policy verdict, sample a)', { l4: tcp(80, { SYN: true }) }, 'connection'],
    ['no is_reply, SYN+ACK', { l4: tcp(80, { SYN: true, ACK: true }) }, 'reply'],
    ['no is_reply, ACK only', { l4: tcp(80, { ACK: true }) }, 'reply'],
    ['no is_reply, no flags (L7 flows carry none, sample d)', { l4: tcp(80) }, 'connection'],
    ['no is_reply, ICMPv4 echo reply prints as {} (EmitUnpopulated false)', { l4: { ICMPv4: {} } }, 'reply'],
    ['no is_reply, ICMPv6 echo reply (129)', { l4: { ICMPv6: { type: 129 } }, v6: true, sip: 'fd00::1', dip: 'fd00::2' }, 'reply'],
    ['no is_reply, L7 RESPONSE', { l4: tcp(80), extra: { Type: 'L7', l7: { type: 'RESPONSE', http: { code: 200, method: 'GET', url: 'http://api/' } } } }, 'reply'],
  ])('%s', (_name, o, kind) => {
    expect(readLine(line(o as LineOpts)).kind).toBe(kind);
  });

  test.each([
    ['no l4 key (only IP)', (() => { const f = JSON.parse(line()); delete f.flow.l4; return JSON.stringify(f); })(), /no L4/],
    ['empty l4', line({ l4: {} }), /no L4/],
    ['unknown protocol', line({ l4: { VRRP: { vrid: 1 } } }), /unknown protocol VRRP/],
    ['TCP without destination port (port 0 is left out)', line({ l4: { TCP: { source_port: 1 } } }), /TCP flow without a destination port/],
    ['end without labels or identity', line({ dst: {} }), /destination has no identity/],
    ['pod labels without a namespace', line({ src: { identity: 30000, labels: ['k8s:app=x'] } }), /source has pod labels but no namespace/],
    ['identity 0 without labels', line({ src: { identity: 0 } }), /source identity 0 comes without labels/],
    // flow.proto FlowType SOCK = 3, with sock_xlate_point: the service address before translation
    ['socket load-balancing event', line({ extra: { Type: 'SOCK', verdict: 'TRACED', sock_xlate_point: 'SOCK_XLATE_POINT_PRE_DIRECTION_FWD' } }), /socket load-balancing event/],
  ])('not replayable: %s', (_name, text, why) => {
    const r = readLine(text);
    expect(r.kind).toBe('unreplayable');
    expect(r.kind === 'unreplayable' && r.reason).toMatch(why);
  });

  test('unknown fields are ignored (hubble observe --input-file: Test_UnknownField)', () => {
    const text = line({ extra: { foo: 42, policy_log: ['x'], egress_allowed_by: [{ name: 'p', revision: '7' }], ip_trace_id: { trace_id: '1234' } } });
    const r = readLine(text);
    expect(r.kind).toBe('connection');
  });

  test('lowerCamelCase keys are read too (protojson accepts them)', () => {
    const text = JSON.stringify({ flow: { verdict: 'FORWARDED', IP: { source: '10.0.0.1', destination: '10.0.0.2' }, l4: { UDP: { sourcePort: 1, destinationPort: 53 } }, source: CLIENT, destination: KUBE_DNS, isReply: false } });
    const r = readLine(text);
    expect(r.kind === 'connection' && [r.conn.proto, r.conn.port]).toEqual(['UDP', 53]);
  });

  test('ICMP: the type is the port; ICMPv4 and ICMPv6 (flow.proto Layer4 oneof)', () => {
    const v4 = readLine(line({ l4: { ICMPv4: { type: 8 } } }));
    expect(v4.kind === 'connection' && [v4.conn.proto, v4.conn.port]).toEqual(['ICMP', 8]);
    const v6 = readLine(line({ l4: { ICMPv6: { type: 128 } }, v6: true, src: WORLD, sip: '2001:db8::1', dip: 'fd00::2' }));
    expect(v6.kind === 'connection' && [v6.conn.proto, v6.conn.port, v6.conn.src.identity]).toEqual(['ICMPV6', 128, { kind: 'peer', key: 'peer:world:2001:db8::1', notation: 'world:2001:db8::1' }]);
  });

  test('HTTP: the URL is a full URL (seven/http.go: url.URL.String()); path and query are replayed', () => {
    const r = readLine(line({ l4: tcp(80), extra: { Type: 'L7', l7: { type: 'REQUEST', http: { method: 'POST', url: 'http://api.shop.svc/v1/orders?limit=5', protocol: 'HTTP/1.1' } } } }));
    expect(r.kind === 'connection' && r.conn.http).toEqual({ method: 'POST', path: '/v1/orders?limit=5', host: 'api.shop.svc' });
    const root = readLine(line({ l4: tcp(80), extra: { l7: { type: 'REQUEST', http: { method: 'GET', url: 'http://user:HUBBLE_REDACTED@api:8080?x=1' } } } }));
    expect(root.kind === 'connection' && root.conn.http).toEqual({ method: 'GET', path: '/?x=1', host: 'api:8080' });
  });

  test('DNS: the query is replayed; answers (ips) and destination_names are learned even from replies', () => {
    const q = readLine(line({ dst: KUBE_DNS, l4: { UDP: { source_port: 41234, destination_port: 53 } }, extra: { Type: 'L7', l7: { type: 'REQUEST', dns: { query: 'api.stripe.com.', qtypes: ['A'] } } } }));
    expect(q.kind === 'connection' && q.conn.dns).toBe('api.stripe.com.');
    const a = readLine(line({ src: KUBE_DNS, dst: CLIENT, l4: { UDP: { source_port: 53, destination_port: 41234 } }, extra: { is_reply: true, l7: { type: 'RESPONSE', dns: { query: 'api.stripe.com.', ips: ['198.51.100.80'], ttl: 300 } } } }));
    expect(a).toMatchObject({ kind: 'reply', names: [{ name: 'api.stripe.com.', ips: ['198.51.100.80'] }] });
    const n = readLine(line({ dst: { identity: 9, labels: ['reserved:world-ipv4'] }, dip: '1.1.1.1', extra: { destination_names: ['one.one.one.one'] } }));
    expect(n.names).toEqual([{ name: 'one.one.one.one', ips: ['1.1.1.1'] }]);
  });

  test('policy drops: drop_reason_desc POLICY_DENIED / POLICY_DENY, numeric drop_reason, L7 drops; other drop reasons are not', () => {
    const drop = (extra: Record<string, unknown>) => {
      const r = readLine(line({ verdict: 'DROPPED', extra }));
      return r.kind === 'connection' && r.policyDrop;
    };
    expect(drop({ drop_reason: 133, drop_reason_desc: 'POLICY_DENIED' })).toBe(true);
    expect(drop({ drop_reason: 181, drop_reason_desc: 'POLICY_DENY' })).toBe(true);
    expect(drop({ drop_reason: 133 })).toBe(true);
    expect(drop({})).toBe(true);
    expect(drop({ drop_reason: 136, drop_reason_desc: 'CT_MISSING_TCP_ACK_FLAG' })).toBe(false);
  });
});

// --- labels -------------------------------------------------------------------------------

describe('endIdentity: Hubble endpoint labels into engine ends', () => {
  // flow.proto Endpoint{ID, identity, namespace, labels "in `foo=bar` format", pod_name,
  // workloads}; reserved identities per pkg/identity/numericidentity.go (notes §3.5).
  test.each<[string, any, string | undefined, 'source' | 'destination', string]>([
    ['reserved:world + IP', { identity: 2, labels: ['reserved:world'] }, '203.0.113.7', 'source', 'world:203.0.113.7'],
    ['reserved:world-ipv4 (sample a)', { identity: 9, labels: ['reserved:world-ipv4'] }, '1.1.1.1', 'destination', 'world:1.1.1.1'],
    ['reserved:world-ipv6, IPv6 address', { identity: 10, labels: ['reserved:world-ipv6'] }, '2001:db8::1', 'destination', 'world:2001:db8::1'],
    ['CIDR identity (sample c: cidr:<ip>/32 + reserved:world)', { identity: 16777244, labels: ['cidr:10.211.59.133/32', 'reserved:world'] }, '10.211.59.133', 'source', 'world:10.211.59.133'],
    ['FQDN identity', { identity: 16777245, labels: ['fqdn:api.stripe.com', 'reserved:world'] }, '198.51.100.80', 'destination', 'world:198.51.100.80'],
    ['world without an address', { identity: 2, labels: ['reserved:world'] }, undefined, 'source', 'world'],
    ['reserved:host', { identity: 1, labels: ['reserved:host'] }, '10.0.0.1', 'source', 'host'],
    ['reserved:remote-node', { identity: 6, labels: ['reserved:remote-node'] }, '10.0.0.2', 'source', 'remote-node'],
    ['reserved:kube-apiserver (identity 7 also carries remote-node)', { identity: 7, labels: ['reserved:kube-apiserver', 'reserved:remote-node'] }, '172.18.0.3', 'destination', 'kube-apiserver'],
    ['local node with the API server, as server', { identity: 1, labels: ['reserved:host', 'reserved:kube-apiserver'] }, '172.18.0.2', 'destination', 'kube-apiserver'],
    ['local node with the API server, as client', { identity: 1, labels: ['reserved:host', 'reserved:kube-apiserver'] }, '172.18.0.2', 'source', 'host'],
    ['reserved:health', { identity: 4, labels: ['reserved:health'] }, '10.0.0.9', 'destination', 'health'],
    ['reserved:ingress', { identity: 8, labels: ['reserved:ingress'] }, '10.0.0.8', 'source', 'ingress'],
    ['reserved:init', { identity: 5, labels: ['reserved:init'] }, '10.0.0.7', 'source', 'init'],
    ['reserved:unmanaged + IP', { identity: 3, labels: ['reserved:unmanaged'] }, '10.244.9.9', 'source', 'unmanaged:10.244.9.9'],
    ['no labels, reserved identity 4 (printer_test "source":{"identity":4})', { identity: 4 }, '1.1.1.1', 'source', 'health'],
    ['no labels, identity 2', { identity: 2 }, '1.1.1.1', 'source', 'world:1.1.1.1'],
    ['host with node labels', { identity: 1, labels: ['k8s:node-role.kubernetes.io/control-plane=', 'reserved:host'] }, '10.0.0.1', 'source', 'host'],
  ])('%s', (_name, ep, ip, side, notation) => {
    const r = endIdentity(ep, ip, side);
    expect('identity' in r && r.identity.kind === 'peer' && r.identity.notation).toBe(notation);
  });

  test('pods: k8s labels without the prefix; namespace, service account, namespace labels and cluster taken out', () => {
    const ep = {
      ID: 1238, identity: 24009, cluster_name: 'default', namespace: 'cilium-test-5',
      // sample a, verbatim
      labels: [
        'k8s:io.cilium.k8s.namespace.labels.app.kubernetes.io/name=cilium-cli',
        'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=cilium-test-5',
        'k8s:io.cilium.k8s.policy.cluster=default',
        'k8s:io.cilium.k8s.policy.serviceaccount=client',
        'k8s:io.kubernetes.pod.namespace=cilium-test-5',
        'k8s:kind=client',
        'k8s:name=client',
      ],
      pod_name: 'client-645b68dcf7-2jmrw',
      workloads: [{ name: 'client', kind: 'Deployment' }],
    };
    const r = endIdentity(ep, '10.244.3.30', 'source');
    expect(r).toMatchObject({
      identity: {
        kind: 'pod',
        namespace: 'cilium-test-5',
        labels: { kind: 'client', name: 'client' },
        serviceAccount: 'client',
        namespaceLabels: { 'app.kubernetes.io/name': 'cilium-cli', 'kubernetes.io/metadata.name': 'cilium-test-5' },
        cluster: 'default',
        identity: 24009,
      },
      podName: 'client-645b68dcf7-2jmrw',
      workload: 'client',
      instance: 'cilium-test-5/client-645b68dcf7-2jmrw',
    });
  });

  test.each<[string, any]>([
    ['namespace from the label when the field is absent', { labels: ['k8s:app=x', 'k8s:io.kubernetes.pod.namespace=team-a'] }],
    ['labels of other sources are ignored', { namespace: 'team-a', labels: ['container:foo=bar', 'k8s:app=x', 'unspec:z=1'] }],
  ])('pods: %s', (_name, ep) => {
    const r = endIdentity(ep, undefined, 'source');
    expect(r).toMatchObject({ identity: { kind: 'pod', namespace: 'team-a' } });
    expect('identity' in r && r.identity.kind === 'pod' && r.identity.labels).toEqual({ app: 'x' });
  });

  test('pods: a value with "=" keeps it; a key without a value is empty', () => {
    const r = endIdentity({ namespace: 'team-a', labels: ['k8s:expr=a=b', 'k8s:flag'] }, undefined, 'source');
    expect('identity' in r && r.identity.kind === 'pod' && r.identity.labels).toEqual({ expr: 'a=b', flag: '' });
  });

  test('two replicas share an identity key; a different label set does not', () => {
    const a = endIdentity(CLIENT, undefined, 'source');
    const b = endIdentity(CLIENT2, undefined, 'source');
    const c = endIdentity(API, undefined, 'source');
    const key = (r: any) => r.identity.key;
    expect(key(a)).toBe(key(b));
    expect(key(a)).not.toBe(key(c));
  });

  test('not replayable: reserved:unknown, a bad address, only unknown label sources', () => {
    expect(endIdentity({ labels: ['reserved:unknown'] }, undefined, 'source')).toMatchObject({ kind: 'unknown', reason: expect.stringMatching(/reserved identity "unknown"/) });
    expect(endIdentity({ labels: ['reserved:world'] }, 'not-an-ip', 'destination')).toMatchObject({ kind: 'unknown', reason: expect.stringMatching(/not an IP address/) });
    expect(endIdentity({ labels: ['container:x=y'] }, undefined, 'source')).toMatchObject({ kind: 'unknown' });
  });
});

// --- the command ----------------------------------------------------------------------------

describe('cilium-verify replay', () => {
  test('end to end on the flask-postgres fixture: verdicts, line messages, the summary, exit 1', async () => {
    const r = await runCli(['replay', path.join(FIXTURES, 'flask-postgres.flows.json'), '--manifests', path.join(FIXTURES, 'flask-postgres.k8s.yaml')]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('cilium-verify replay: 17 observed flows (13 distinct): 8 allowed, 5 would be dropped, 4 not replayable');
    const file = path.join(FIXTURES, 'flask-postgres.flows.json');
    expect(r.err).toContain(`cilium-verify replay: ${file}:9: skipped lost_events record: 12 events lost at HUBBLE_RING_BUFFER: the export is missing flows`);
    expect(r.err).toContain(`cilium-verify replay: ${file}:16: skipped node_status record: not a flow`);
    expect(r.err.some((l) => l.startsWith(`cilium-verify replay: ${file}:19: not a flow: not JSON`))).toBe(true);
    expect(r.err).toContain(`cilium-verify replay: ${file}:20: flow not replayable: no L4 (only IP): cannot be replayed against port rules`);
    expect(r.err).toContain('cilium-verify replay: 2 replies skipped; 1 lost_events records; 1 node_status records; 12 events lost by Hubble: the export is incomplete');
    expect(r.err).toContain('cilium-verify replay: 2 connections Hubble saw go through would be dropped');
    expect(r.out).toHaveLength(13);
    expect(r.out[0]).toBe('[ok] db/flask-app -> db/mydb-1 TCP/5432 ALLOW (Hubble: FORWARDED, 2 flows): egress of db/flask-app: allowed by CiliumNetworkPolicy db/flask-app-to-mydb spec.egress[0]; ingress of db/mydb-1: allowed by CiliumNetworkPolicy db/mydb-from-flask-app spec.ingress[0]');
    expect(r.out).toContain('[would be dropped] world:203.0.113.7 -> db/flask-app TCP/5000 POST shop.example.com/login?next=%2Fcart L7_DENY (Hubble: FORWARDED, 1 flow): ingress of db/flask-app: HTTP POST /login?next=%2Fcart is refused (403): no L7 rule of CiliumNetworkPolicy db/flask-app-from-anyone spec.ingress[0].toPorts[0].rules.http admits it (spec.ingress[0].toPorts[0].rules.http[0]: method POST does not match "GET")');
    expect(r.out.some((l) => l.startsWith('[would be dropped] db/flask-app -> world:2001:db8::10 TCP/443 DROP (Hubble: FORWARDED, 1 flow)'))).toBe(true);
    expect(r.out.some((l) => l.startsWith('[would now be allowed] db/flask-app -> db/mydb-2 TCP/5432 ALLOW (Hubble: DROPPED, 1 flow)'))).toBe(true);
    expect(r.out.some((l) => l.startsWith('[still dropped] db/flask-app -> db/mydb-1 ICMP/8 DROP (Hubble: DROPPED, 1 flow)'))).toBe(true);
    expect(r.out.some((l) => l.startsWith('[ok] db/mydb-1 -> kube-apiserver TCP/6443 ALLOW'))).toBe(true);
    expect(r.out.some((l) => l.startsWith('[ok] host -> db/flask-app TCP/5000 ALLOW'))).toBe(true);
  });

  test('a FORWARDED flow the policies drop: exit 1, the line names the refusing policy', async () => {
    const r = await replay([line({ dst: API, l4: tcp(8080, { SYN: true }) })]);
    expect(r.code).toBe(1);
    expect(r.out).toEqual([
      '[would be dropped] shop/client-645b68dcf7-2jmrw -> shop/api-7c8bb96bdb-hxmxg TCP/8080 DROP (Hubble: FORWARDED, 1 flow): egress of shop/client-645b68dcf7-2jmrw: shop/client-645b68dcf7-2jmrw is in egress default deny (CiliumNetworkPolicy shop/client-egress) and no rule allows TCP/8080 to shop/api-7c8bb96bdb-hxmxg',
    ]);
    expect(r.summary).toBe('cilium-verify replay: 1 observed flows (1 distinct): 0 allowed, 1 would be dropped, 0 not replayable');
  });

  test('an HTTP request the L7 rules refuse names the rule; --json carries rule and reason', async () => {
    const req = line({ l4: tcp(80), extra: { Type: 'L7', l7: { type: 'REQUEST', http: { method: 'DELETE', url: 'http://api.shop.svc/orders/7' } } } });
    const r = await replay([req], ['--json']);
    expect(r.code).toBe(1);
    expect(r.out).toHaveLength(1);
    const o = JSON.parse(r.out[0]);
    expect(o).toMatchObject({
      src: 'shop/client-645b68dcf7-2jmrw', dst: 'shop/api-7c8bb96bdb-hxmxg', proto: 'TCP', port: 80,
      http: { method: 'DELETE', path: '/orders/7', host: 'api.shop.svc' }, dns: null,
      observed: 'FORWARDED', observed_verdicts: { FORWARDED: 1 }, count: 1, verdict: 'L7_DENY', status: 'would-drop',
      rule: 'CiliumNetworkPolicy shop/api-ingress spec.ingress[0].toPorts[0].rules.http',
    });
    expect(o.reason).toMatch(/HTTP DELETE \/orders\/7 is refused \(403\)/);
    expect(o.first_seen).toMatch(/flows-.*\.json:1$/);
  });

  test('a DROPPED flow the policies allow: "would now be allowed", exit 0', async () => {
    const r = await replay([line({ verdict: 'DROPPED', l4: tcp(80, { SYN: true }), extra: { drop_reason: 133, drop_reason_desc: 'POLICY_DENIED' } })]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^\[would now be allowed\] shop\/client-645b68dcf7-2jmrw -> shop\/api-7c8bb96bdb-hxmxg TCP\/80 ALLOW \(Hubble: DROPPED, 1 flow\): /);
    expect(r.summary).toBe('cilium-verify replay: 1 observed flows (1 distinct): 1 allowed, 0 would be dropped, 0 not replayable');
  });

  test('a DROPPED flow still dropped is not a failure', async () => {
    const r = await replay([line({ verdict: 'DROPPED', l4: tcp(9999, { SYN: true }), extra: { drop_reason_desc: 'POLICY_DENIED' } })]);
    expect(r.code).toBe(0);
    expect(r.out[0]).toMatch(/^\[still dropped\] /);
  });

  test('egress FORWARDED and ingress DROPPED for the same connection: Hubble saw it dropped (notes §3.3)', async () => {
    const r = await replay([
      line({ l4: tcp(9999, { SYN: true }), extra: { traffic_direction: 'EGRESS' } }),
      line({ verdict: 'DROPPED', l4: tcp(9999, { SYN: true }), extra: { traffic_direction: 'INGRESS', drop_reason_desc: 'POLICY_DENIED' } }),
    ], ['--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out[0])).toMatchObject({ observed: 'DROPPED', observed_verdicts: { FORWARDED: 1, DROPPED: 1 }, count: 2, status: 'still-dropped' });
  });

  test('a non-policy drop does not hide a regression', async () => {
    const r = await replay([
      line({ l4: tcp(9999, { SYN: true }) }),
      line({ verdict: 'DROPPED', l4: tcp(9999, { SYN: true }), extra: { drop_reason_desc: 'CT_MISSING_TCP_ACK_FLAG' } }),
    ]);
    expect(r.code).toBe(1);
  });

  test('AUDIT flows went through: dropping them is a regression', async () => {
    const r = await replay([line({ verdict: 'AUDIT', l4: tcp(9999, { SYN: true }) })]);
    expect(r.code).toBe(1);
    expect(r.out[0]).toMatch(/\(Hubble: AUDIT, 1 flow\)/);
  });

  test('replies are skipped and counted in N only; repeated flows are one connection', async () => {
    const req = line({ l4: tcp(80, { SYN: true }) });
    const reply = line({ src: API, dst: CLIENT, l4: { TCP: { source_port: 80, destination_port: 48748, flags: { SYN: true, ACK: true } } }, extra: { is_reply: true } });
    const r = await replay([req, reply, req, reply, line({ src: CLIENT2, l4: tcp(80, { SYN: true }) })]);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(1);
    expect(r.out[0]).toMatch(/\(Hubble: FORWARDED, 3 flows\)/);
    expect(r.err).toContain('cilium-verify replay: 2 replies skipped');
    expect(r.summary).toBe('cilium-verify replay: 5 observed flows (1 distinct): 1 allowed, 0 would be dropped, 0 not replayable');
  });

  test('bad lines are counted in U with their line number, never a crash', async () => {
    const r = await replay([
      line(),
      '{"flow": {"verdict": "FORWARDED"',
      '',
      '{"kind":"Pod"}',
      '42',
      line({ l4: { ICMPv4: { type: 8 } }, extra: { foo: { bar: [1, 2] } } }),
      (() => { const f = JSON.parse(line()); delete f.flow.l4; return JSON.stringify(f); })(),
      line({ l4: { GRE: {} } }),
    ]);
    const where = (n: number) => `cilium-verify replay: ${r.flows}:${n}: `;
    expect(r.err.find((l) => l.startsWith(where(2)))).toMatch(/not a flow: not JSON/);
    expect(r.err.find((l) => l.startsWith(where(4)))).toBe(`${where(4)}not a flow: {"kind":"Pod"}`);
    expect(r.err.find((l) => l.startsWith(where(5)))).toBe(`${where(5)}not a flow: 42`);
    expect(r.err.find((l) => l.startsWith(where(7)))).toBe(`${where(7)}flow not replayable: no L4 (only IP): cannot be replayed against port rules`);
    expect(r.err.find((l) => l.startsWith(where(8)))).toBe(`${where(8)}flow not replayable: unknown protocol GRE`);
    expect(r.err.some((l) => l.startsWith(where(3)))).toBe(false);
    expect(r.summary).toBe('cilium-verify replay: 4 observed flows (2 distinct): 1 allowed, 1 would be dropped, 5 not replayable');
  });

  test('IPv6: world:<ipv6> ends; FQDN rules use the DNS answers seen in the export', async () => {
    const dnsReq = line({ dst: KUBE_DNS, l4: { UDP: { source_port: 41234, destination_port: 53 } }, extra: { Type: 'L7', l7: { type: 'REQUEST', dns: { query: 'api.stripe.com.' } } } });
    const dnsAnswer = line({ src: KUBE_DNS, dst: CLIENT, l4: { UDP: { source_port: 53, destination_port: 41234 } }, extra: { is_reply: true, Type: 'L7', l7: { type: 'RESPONSE', dns: { query: 'api.stripe.com.', ips: ['2001:db8::10'], rrtypes: ['AAAA'] } } } });
    const https = line({ dst: { identity: 16777245, labels: ['fqdn:api.stripe.com', 'reserved:world-ipv6'] }, sip: 'fd00:10:244::23', dip: '2001:db8::10', v6: true, l4: tcp(443, { SYN: true }) });
    const other = line({ dst: { identity: 10, labels: ['reserved:world-ipv6'] }, sip: 'fd00:10:244::23', dip: '2001:db8::99', v6: true, l4: tcp(443, { SYN: true }) });
    const r = await replay([dnsReq, dnsAnswer, https, other]);
    expect(r.out[0]).toMatch(/^\[ok\] shop\/client-645b68dcf7-2jmrw -> kube-system\/coredns-5d78c9869d-7tq2m UDP\/53 DNS api\.stripe\.com\. ALLOW .*allowed by CiliumNetworkPolicy shop\/client-egress spec\.egress\[1\]/);
    expect(r.out[1]).toMatch(/^\[ok\] shop\/client-645b68dcf7-2jmrw -> world:2001:db8::10 TCP\/443 ALLOW .*spec\.egress\[2\]/);
    expect(r.out[2]).toMatch(/^\[would be dropped\] shop\/client-645b68dcf7-2jmrw -> world:2001:db8::99 TCP\/443 DROP /);
  });

  test('pods of the same identity: replicas talking to each other are two endpoints; a pod to itself is one', async () => {
    const policy = cnp('peers', {
      endpointSelector: { matchLabels: { app: 'client' } },
      ingress: [{ fromEndpoints: [{ matchLabels: { app: 'client' } }], toPorts: [{ ports: [{ port: '7000', protocol: 'TCP' }] }] }],
    });
    const r = await replay([
      line({ src: CLIENT, dst: CLIENT2, l4: tcp(7000, { SYN: true }) }),
      line({ src: CLIENT, dst: CLIENT2, l4: tcp(7001, { SYN: true }) }),
      line({ src: CLIENT, dst: CLIENT, l4: tcp(7001, { SYN: true }) }),
    ], [], policy);
    expect(r.out[0]).toMatch(/^\[ok\] shop\/client-645b68dcf7-2jmrw -> shop\/client-645b68dcf7-2jmrw \(another pod\) TCP\/7000 ALLOW /);
    expect(r.out[1]).toMatch(/^\[would be dropped\] shop\/client-645b68dcf7-2jmrw -> shop\/client-645b68dcf7-2jmrw \(another pod\) TCP\/7001 DROP .*ingress default deny/);
    expect(r.out[2]).toMatch(/^\[ok\] .* TCP\/7001 ALLOW .*talks to itself/);
  });

  test('namespace labels and the service account from the identity labels reach the selectors', async () => {
    const policy = cnp('api-from-team', {
      endpointSelector: { matchLabels: { app: 'api' } },
      ingress: [
        { fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'payments', 'k8s:io.kubernetes.pod.namespace': 'billing' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
        { fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.policy.serviceaccount': 'reporter', 'k8s:io.kubernetes.pod.namespace': 'billing' } }], toPorts: [{ ports: [{ port: '81', protocol: 'TCP' }] }] },
      ],
    });
    const payer = podEp('billing', 'payer-1', { app: 'payer' }, 'payer', { team: 'payments' });
    const reporter = podEp('billing', 'reporter-1', { app: 'reporter' }, 'reporter', { team: 'payments' });
    const r = await replay([
      line({ src: payer, l4: tcp(80, { SYN: true }) }),
      line({ src: reporter, l4: tcp(81, { SYN: true }) }),
      line({ src: reporter, l4: tcp(82, { SYN: true }) }),
    ], [], policy);
    expect(r.out.map((l) => l.split(' ')[0])).toEqual(['[ok]', '[ok]', '[would']);
    expect(r.err.some((l) => / note: /.test(l))).toBe(false);
    // the namespace relabelled during the capture: one set of labels per namespace is replayed
    const relabelled = podEp('billing', 'payer-2', { app: 'payer' }, 'payer', { team: 'ledger' });
    const r2 = await replay([line({ src: payer, l4: tcp(80, { SYN: true }) }), line({ src: relabelled, l4: tcp(80, { SYN: true }) })], [], policy);
    expect(r2.out.map((l) => l.split(' ')[0])).toEqual(['[ok]', '[ok]']);
    expect(r2.err).toContain('cilium-verify replay: note: namespace billing shows different labels in different flows (relabelled during the capture); replaying the labels seen first: {"kubernetes.io/metadata.name":"billing","team":"payments"}');

  });

  test('workload names name the endpoints when Hubble gives them', async () => {
    const withWorkload = { ...CLIENT, workloads: [{ name: 'client', kind: 'Deployment' }] };
    const r = await replay([line({ src: withWorkload, l4: tcp(80, { SYN: true }) })], ['--json']);
    expect(JSON.parse(r.out[0]).src).toBe('shop/client');
  });

  test('missing flows file, missing manifests, unreadable manifests, no --manifests: exit 2', async () => {
    const m = manifests();
    const missing = await runCli(['replay', path.join(tmp, 'nope.json'), '--manifests', m]);
    expect(missing.code).toBe(2);
    expect(missing.err).toEqual([`cilium-verify replay: ${path.join(tmp, 'nope.json')}: cannot read: no such file or directory`]);
    const flows = write('ok.json', line() + '\n');
    const noM = await runCli(['replay', flows, '--manifests', path.join(tmp, 'nope.yaml')]);
    expect(noM.code).toBe(2);
    expect(noM.err[0]).toBe(`cilium-verify replay: ${path.join(tmp, 'nope.yaml')}: cannot read: no such file or directory`);
    const bad = await runCli(['replay', flows, '--manifests', write('bad.yaml', 'a: [1,\n')]);
    expect(bad.code).toBe(2);
    expect(bad.err[0]).toMatch(/bad\.yaml: cannot parse YAML/);
    const none = await runCli(['replay', flows]);
    expect(none.code).toBe(2);
    expect(none.err[0]).toMatch(/missing --manifests/);
    const noFile = await runCli(['replay', '--manifests', m]);
    expect(noFile.code).toBe(2);
    const opt = await runCli(['replay', flows, '--manifests', m, '--frobnicate']);
    expect(opt.code).toBe(2);
    expect(opt.err[0]).toMatch(/unknown option --frobnicate/);
  });

  test('a file with lines but no flow at all is unreadable input: exit 2', async () => {
    const r = await replay(['apiVersion: v1', 'kind: Pod']);
    expect(r.code).toBe(2);
    expect(r.err[r.err.length - 1]).toMatch(/is a Hubble flow/);
    const empty = await replay([]);
    expect(empty.code).toBe(0);
    expect(empty.summary).toBe('cilium-verify replay: 0 observed flows (0 distinct): 0 allowed, 0 would be dropped, 0 not replayable');
  });

  test('many bad lines: the first 50 are shown, the rest counted', async () => {
    const lines = Array.from({ length: 60 }, (_v, i) => `garbage ${i}`);
    lines.push(line({ l4: tcp(80, { SYN: true }) }));
    const r = await replay(lines);
    expect(r.err.filter((l) => / not a flow: /.test(l))).toHaveLength(50);
    expect(r.err).toContain('cilium-verify replay: 10 more lines not replayed (not shown)');
    expect(r.summary).toBe('cilium-verify replay: 1 observed flows (1 distinct): 1 allowed, 0 would be dropped, 60 not replayable');
  });

  test('USAGE names the subcommand and defines the counts', async () => {
    const r = await runCli(['--help']);
    expect(r.out[0]).toMatch(/cilium-verify replay <flows\.json\|-> \.\.\. --manifests/);
    expect(r.out[0]).toMatch(/N observed flows \(K distinct\): A allowed, D would be dropped, U not replayable/);
  });
});

describe('streaming', () => {
  test('a long export keeps only the distinct connections', async () => {
    const session = new ReplaySession();
    const variants = Array.from({ length: 20 }, (_v, i) => line({ l4: tcp(8000 + i, { SYN: true }) }));
    for (let i = 0; i < 20_000; i++) session.add(variants[i % variants.length], `mem:${i + 1}`);
    const report = session.finish([]);
    expect(report.flows).toBe(20_000);
    expect(report.distinct).toBe(20);
    expect(report.connections.every((c) => c.count === 1000)).toBe(true);
  });
});

describe('reading an export', () => {
  async function read(text: string | Buffer, limits: { chunkBytes?: number; maxLineBytes?: number }) {
    const file = write(`read-${Math.random().toString(36).slice(2)}.json`, text as any);
    const notes: string[] = [];
    const session = new ReplaySession({ onLine: (where, m) => notes.push(`${path.basename(where)} ${m}`) });
    await readExport(session, file, limits);
    return { report: session.finish([]), notes };
  }

  test('lines straddling small chunks, multi-byte UTF-8 across chunk ends, CRLF, no final newline', async () => {
    const named = (n: string) => line({ src: podEp('shop', n, { app: n === 'a' ? 'a' : 'b' }), l4: tcp(80, { SYN: true }), extra: { Summary: 'Grüße → 日本語' } });
    const text = [named('a'), '', named('b'), 'not json ü', named('a')].join('\r\n');
    for (const chunkBytes of [1, 7, 64, 1 << 20]) {
      const { report, notes } = await read(text, { chunkBytes });
      expect([report.lines, report.flows, report.distinct, report.unreplayable]).toEqual([4, 3, 2, 1]);
      expect(notes).toEqual([expect.stringMatching(/:4 not a flow: not JSON .*: not json ü$/)]);
    }
  });

  test('an overlong line is not kept in memory: reported with its number, the rest is read', async () => {
    const long = '{"flow":{"Summary":"' + 'x'.repeat(5000) + '"}}';
    const text = [line(), long, line({ l4: tcp(81, { SYN: true }) }), long].join('\n');
    const { report, notes } = await read(text, { chunkBytes: 512, maxLineBytes: 2048 });
    expect(notes.map((n) => n.replace(/^read-[a-z0-9]+\.json/, 'f'))).toEqual([
      'f:2 not a flow: a line longer than 2048 bytes',
      'f:4 not a flow: a line longer than 2048 bytes',
    ]);
    expect([report.lines, report.flows, report.distinct, report.unreplayable]).toEqual([4, 2, 2, 2]);
  });
});

describe('named ports from the workloads of the manifests', () => {
  // Hubble's Endpoint message has no container ports (flow.proto `Endpoint`: ID, identity,
  // cluster_name, namespace, labels, pod_name, workloads): the names come from the manifests.
  const policy = JSON.stringify({
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api-http', namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 'http' }] }] },
  });
  const deployment = (port: number) => JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'shop' },
    spec: { selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'api', image: 'x', ports: [{ name: 'http', containerPort: port }] }] } } },
  });

  test('a NetworkPolicy on the named port admits the flow to the port the Deployment names', async () => {
    const flows = write('named.json', `${line({ l4: tcp(8080, { SYN: true }) })}\n`);
    const m = write('named.yaml', [policy, deployment(8080)].join('\n---\n'));
    const r = await runCli(['replay', flows, '--manifests', m, '--json']);
    expect(r.err[r.err.length - 1]).toBe('cilium-verify replay: 1 observed flows (1 distinct): 1 allowed, 0 would be dropped, 0 not replayable');
    expect(r.code).toBe(0);
  });

  test('without the workload the name resolves to nothing and the flow would be dropped', async () => {
    const flows = write('named2.json', `${line({ l4: tcp(8080, { SYN: true }) })}\n`);
    const m = write('named2.yaml', policy);
    const r = await runCli(['replay', flows, '--manifests', m]);
    expect(r.err).toContain('cilium-verify replay: 1 observed flows (1 distinct): 0 allowed, 1 would be dropped, 0 not replayable');
    expect(r.code).toBe(1);
  });

  test('a workload naming another port does not admit it', async () => {
    const flows = write('named3.json', `${line({ l4: tcp(8080, { SYN: true }) })}\n`);
    const m = write('named3.yaml', [policy, deployment(9090)].join('\n---\n'));
    const r = await runCli(['replay', flows, '--manifests', m]);
    expect(r.code).toBe(1);
  });
});
