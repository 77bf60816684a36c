/**
 * Property: a Kubernetes NetworkPolicy and the CiliumNetworkPolicy Cilium makes of it give the
 * same verdicts.
 *
 * Random NetworkPolicies (random subjects, policyTypes, rules with peers of every shape, ipBlocks
 * with except, ports with and without protocol, named ports, endPort ranges) are translated by
 * hand into CiliumNetworkPolicies, following Cilium's `ParseNetworkPolicy`
 * (`pkg/k8s/network_policy.go`; research notes on NetworkPolicy §A), after the API server's
 * defaulting (notes §B, `SetDefaults_NetworkPolicy` / `SetDefaults_NetworkPolicyPort`). The
 * engine evaluates the NetworkPolicies through its NetworkPolicy front-end and the translations
 * through its CiliumNetworkPolicy front-end; every sampled flow over a fixed estate (pods of four
 * namespaces with labels and named ports, world addresses inside, outside and in the except of
 * the ipBlocks, host, remote-node, kube-apiserver, health, ingress) must get the same verdict.
 *
 * The translation has to be exact, because CNP peers are scoped differently from NP peers
 * (REF §4.2: a CNP peer selector without a namespace key gets the policy's namespace): every
 * selector below carries the keys Cilium's NP parser gives it, so that the CNP's own namespace
 * injection adds nothing.
 */
import * as fc from 'fast-check';
import { PolicyEngine } from '../../src/verify/engine';
import { admitNetworkPolicy } from '../../src/verify/intake/network-policy-admit';
import { EndpointDef, FlowInput, NamespaceDef } from '../../src/verify/model';

const SEED = 4870346949;
const RUNS = 400;
const FLOWS_PER_RUN = 60;

// ---------------------------------------------------------------------------------------------
// The fixed estate

const NAMESPACES: Record<string, NamespaceDef> = {
  shop: { labels: { team: 'a', env: 'prod' } },
  pay: { labels: { team: 'b', env: 'prod' } },
  dev: { labels: { team: 'a', env: 'dev' } },
  // kube-system: only its automatic kubernetes.io/metadata.name label
};

const ENDPOINTS: EndpointDef[] = [
  { name: 'shop-web', namespace: 'shop', labels: { app: 'web', tier: 'fe' }, ip: '10.1.0.10', namedPorts: { http: '8080/TCP' } },
  { name: 'shop-db', namespace: 'shop', labels: { app: 'db', tier: 'be' }, ip: '10.1.0.11', namedPorts: { pg: '5432/TCP', metrics: '9187/TCP' } },
  { name: 'shop-api', namespace: 'shop', labels: { app: 'api', tier: 'be', role: 'x' }, ip: '10.1.0.12', namedPorts: { http: '8085/TCP' } },
  { name: 'pay-web', namespace: 'pay', labels: { app: 'web', tier: 'fe' }, ip: '10.1.1.10', namedPorts: { http: '8080/TCP' } },
  { name: 'pay-db', namespace: 'pay', labels: { app: 'db', role: 'y' }, ip: '10.1.1.11', namedPorts: { pg: '5432/TCP' } },
  { name: 'dev-api', namespace: 'dev', labels: { app: 'api', role: 'x' }, ip: '10.1.2.10', namedPorts: { metrics: '9187/TCP' } },
  { name: 'dev-web', namespace: 'dev', labels: { app: 'web' }, ip: '10.1.2.11' },
  { name: 'dns', namespace: 'kube-system', labels: { app: 'dns' }, ip: '10.1.3.10', namedPorts: { dns: '53/UDP' } },
];

/** Non-pod ends: world addresses inside, outside and in the excepts of the ipBlocks below. */
const OTHERS = [
  'world:203.0.113.10', 'world:203.0.113.200', 'world:198.51.100.7', 'world:10.9.9.9', 'world:10.1.0.99', 'world:8.8.8.8',
  'world:2001:db8::1', 'world:2001:db8:1::1', 'world:2001:db9::1',
  'host', 'remote-node', 'kube-apiserver', 'health', 'ingress',
];
const PODS = ENDPOINTS.map((e) => e.name);
const ENDS = [...PODS, ...OTHERS];

const IP_BLOCKS: { cidr: string; except?: string[] }[] = [
  { cidr: '203.0.113.0/24' },
  { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] },
  { cidr: '10.0.0.0/8', except: ['10.1.0.0/24'] },
  { cidr: '10.0.0.0/8' },
  { cidr: '0.0.0.0/0' },
  { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '198.51.100.0/24'] },
  { cidr: '2001:db8::/32', except: ['2001:db8:1::/48'] },
  { cidr: '::/0' },
];

const PORT_NUMBERS = [53, 80, 5432, 8080, 8085, 9187];
const PORT_NAMES = ['http', 'pg', 'metrics', 'dns'];
const FLOW_PORTS = [53, 80, 443, 5432, 5433, 8080, 8085, 8090, 8091, 9187];

// ---------------------------------------------------------------------------------------------
// Random NetworkPolicies (valid for the API server by construction)

const POD_VALUES: Record<string, string[]> = { app: ['web', 'db', 'api', 'dns'], tier: ['fe', 'be'], role: ['x', 'y'] };
const NS_VALUES: Record<string, string[]> = {
  'team': ['a', 'b', 'c'],
  'env': ['prod', 'dev'],
  'kubernetes.io/metadata.name': ['shop', 'pay', 'dev', 'kube-system', 'other'],
};

function selectorArb(values: Record<string, string[]>, opts: { negativeOnly?: boolean } = {}): fc.Arbitrary<any> {
  const keys = Object.keys(values);
  const key = fc.constantFrom(...keys);
  const valueOf = (k: string) => fc.constantFrom(...values[k]);
  const someValues = (k: string) => fc.uniqueArray(valueOf(k), { minLength: 1, maxLength: 2 });
  const positive = key.chain((k) => fc.oneof(
    fc.record({ key: fc.constant(k), operator: fc.constant('In'), values: someValues(k) }),
    fc.record({ key: fc.constant(k), operator: fc.constant('Exists') }),
  ));
  const negative = key.chain((k) => fc.oneof(
    fc.record({ key: fc.constant(k), operator: fc.constant('NotIn'), values: someValues(k) }),
    fc.record({ key: fc.constant(k), operator: fc.constant('DoesNotExist') }),
  ));
  if (opts.negativeOnly) return fc.array(negative, { minLength: 1, maxLength: 2 }).map((matchExpressions) => ({ matchExpressions }));
  const matchLabels = fc.uniqueArray(key, { minLength: 1, maxLength: 2 }).chain((ks) =>
    fc.tuple(...ks.map((k) => valueOf(k))).map((vs) => Object.fromEntries(ks.map((k, i) => [k, vs[i]]))));
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant({}) },
    { weight: 4, arbitrary: matchLabels.map((ml) => ({ matchLabels: ml })) },
    { weight: 2, arbitrary: fc.array(fc.oneof(positive, negative), { minLength: 1, maxLength: 2 }).map((me) => ({ matchExpressions: me })) },
    { weight: 1, arbitrary: fc.tuple(matchLabels, fc.array(negative, { minLength: 1, maxLength: 1 })).map(([ml, me]) => ({ matchLabels: ml, matchExpressions: me })) },
  );
}

const podSel = selectorArb(POD_VALUES);
const nsSel = fc.oneof({ weight: 4, arbitrary: selectorArb(NS_VALUES) }, { weight: 1, arbitrary: selectorArb(NS_VALUES, { negativeOnly: true }) });

const peerArb: fc.Arbitrary<any> = fc.oneof(
  { weight: 3, arbitrary: podSel.map((podSelector) => ({ podSelector })) },
  { weight: 3, arbitrary: nsSel.map((namespaceSelector) => ({ namespaceSelector })) },
  { weight: 2, arbitrary: fc.tuple(nsSel, podSel).map(([namespaceSelector, podSelector]) => ({ namespaceSelector, podSelector })) },
  { weight: 3, arbitrary: fc.constantFrom(...IP_BLOCKS).map((b) => ({ ipBlock: structuredClone(b) })) },
);

const portArb: fc.Arbitrary<any> = fc.record({
  protocol: fc.option(fc.constantFrom('TCP', 'UDP', 'SCTP'), { nil: undefined }),
  port: fc.option(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...PORT_NUMBERS) }, { weight: 1, arbitrary: fc.constantFrom(...PORT_NAMES) }), { nil: undefined }),
  range: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
}).map(({ protocol, port, range }) => {
  const p: any = {};
  if (protocol !== undefined) p.protocol = protocol;
  if (port !== undefined) p.port = port;
  // endPort only with a numeric port, and never below it (ValidateNetworkPolicyPort)
  if (typeof port === 'number' && range !== undefined) p.endPort = port + range;
  return p;
});

/** `from`/`to`: missing, empty, or 1..3 peers; `ports`: missing, empty, or 1..3 ports. */
function ruleArb(peerKey: 'from' | 'to'): fc.Arbitrary<any> {
  return fc.record({
    peers: fc.oneof(
      { weight: 1, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constant([]) },
      { weight: 5, arbitrary: fc.array(peerArb, { minLength: 1, maxLength: 3 }) },
    ),
    ports: fc.oneof(
      { weight: 2, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.constant([]) },
      { weight: 4, arbitrary: fc.array(portArb, { minLength: 1, maxLength: 3 }) },
    ),
  }).map(({ peers, ports }) => {
    const r: any = {};
    if (peers !== undefined) r[peerKey] = peers;
    if (ports !== undefined) r.ports = ports;
    return r;
  });
}

const rulesArb = (peerKey: 'from' | 'to') => fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant([]) },
  { weight: 5, arbitrary: fc.array(ruleArb(peerKey), { minLength: 1, maxLength: 3 }) },
);

const POLICY_TYPES = [undefined, [], ['Ingress'], ['Egress'], ['Ingress', 'Egress'], ['Egress', 'Ingress']];

const npArb: fc.Arbitrary<any> = fc.record({
  namespace: fc.constantFrom('shop', 'pay', 'dev'),
  // the subject: often every pod of the namespace, so that most flows meet the policy
  podSelector: fc.oneof({ weight: 1, arbitrary: fc.constant({}) }, { weight: 2, arbitrary: podSel }),
  policyTypes: fc.constantFrom(...POLICY_TYPES),
  ingress: rulesArb('from'),
  egress: rulesArb('to'),
});

function npManifests(specs: readonly any[]): any[] {
  return specs.map((s, i) => {
    const spec: any = { podSelector: s.podSelector };
    if (s.policyTypes !== undefined) spec.policyTypes = s.policyTypes;
    if (s.ingress !== undefined) spec.ingress = s.ingress;
    if (s.egress !== undefined) spec.egress = s.egress;
    return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: `np-${i}`, namespace: s.namespace }, spec: structuredClone(spec) };
  });
}

// ---------------------------------------------------------------------------------------------
// The hand translation: NetworkPolicy -> CiliumNetworkPolicy, as ParseNetworkPolicy does it

const K8S = 'k8s:';
const POD_NAMESPACE = 'io.kubernetes.pod.namespace';
const NAMESPACE_LABELS = 'io.cilium.k8s.namespace.labels.';

/** `NewESFromK8sLabelSelector(prefix, selectors...)`: every key gets the `k8s:` source (and `prefix`); the selectors are merged. */
function esFromK8sSelectors(...parts: Array<[any, string]>): any {
  const matchLabels: Record<string, string> = {};
  const matchExpressions: any[] = [];
  for (const [sel, prefix] of parts) {
    if (!sel) continue;
    for (const [k, v] of Object.entries(sel.matchLabels ?? {})) matchLabels[`${K8S}${prefix}${k}`] = String(v);
    for (const e of sel.matchExpressions ?? []) matchExpressions.push({ ...e, key: `${K8S}${prefix}${e.key}`, ...(e.values ? { values: [...e.values] } : {}) });
  }
  const out: any = {};
  if (Object.keys(matchLabels).length > 0) out.matchLabels = matchLabels;
  if (matchExpressions.length > 0) out.matchExpressions = matchExpressions;
  return out;
}

function isEmptySelector(sel: any): boolean {
  return Object.keys(sel?.matchLabels ?? {}).length === 0 && (sel?.matchExpressions ?? []).length === 0;
}

/**
 * `parseNetworkPolicyPeer` (notes §A3): namespaceSelector keys get the namespace-label prefix and
 * an empty one becomes `io.kubernetes.pod.namespace Exists` (`allowAllNamespacesRequirement`),
 * ANDed with the podSelector, without the policy namespace; a podSelector alone gets
 * `io.kubernetes.pod.namespace = <policy namespace>`. Both forms name the namespace key or
 * namespace labels, so the CNP's own injection (REF §4.2) leaves them as they are. The cluster
 * label (`policy-default-local-cluster`, v1.18+) is left to the CNP's `addClusterFilterByDefault`,
 * which adds the same `io.cilium.k8s.policy.cluster` requirement unless the selector names one.
 */
function peerSelector(peer: any, namespace: string): any | undefined {
  if (peer.namespaceSelector) {
    const ns = isEmptySelector(peer.namespaceSelector)
      ? { matchExpressions: [{ key: POD_NAMESPACE, operator: 'Exists' }] }
      : prefixed(peer.namespaceSelector, NAMESPACE_LABELS);
    return esFromK8sSelectors([ns, ''], [peer.podSelector, '']);
  }
  if (peer.podSelector) {
    const pod = structuredClone(peer.podSelector);
    pod.matchLabels = { ...(pod.matchLabels ?? {}), [POD_NAMESPACE]: namespace };
    return esFromK8sSelectors([pod, '']);
  }
  return undefined;
}

function prefixed(sel: any, prefix: string): any {
  return {
    matchLabels: Object.fromEntries(Object.entries(sel.matchLabels ?? {}).map(([k, v]) => [`${prefix}${k}`, v])),
    matchExpressions: (sel.matchExpressions ?? []).map((e: any) => ({ ...e, key: `${prefix}${e.key}` })),
  };
}

/** `parsePorts`: one PortRule per port; protocol TCP unless given; port "0" (every port) when missing; endPort kept (v1.16+). */
function toPorts(ports: any[]): any[] {
  return ports.map((p) => {
    const pp: any = { port: p.port === undefined ? '0' : String(p.port), protocol: p.protocol ?? 'TCP' };
    if (p.endPort !== undefined) pp.endPort = p.endPort;
    return { ports: [pp] };
  });
}

/**
 * One NP rule -> its Cilium rules: one per peer (items ORed), each with the rule's ports; a rule
 * without peers (`from`/`to` missing or empty) -> the wildcard endpoint selector, which selects
 * every identity: world, host, remote-node and pods of every namespace. In a CNP that is
 * `fromEntities: [all]` / `toEntities: [all]` (REF §5: "all = wildcard selector"), not
 * `fromEndpoints: [{}]`, which a CNP scopes to its own namespace (REF §4.2); the test "the
 * wildcard peer is entity all" below checks that equivalence on every end of the estate.
 */
function translateRule(rule: any, dir: 'ingress' | 'egress', namespace: string): any[] {
  const peers: any[] = (dir === 'ingress' ? rule.from : rule.to) ?? [];
  const F = dir === 'ingress' ? { eps: 'fromEndpoints', cidrs: 'fromCIDRSet', ents: 'fromEntities' } : { eps: 'toEndpoints', cidrs: 'toCIDRSet', ents: 'toEntities' };
  const items: any[] = peers.length === 0
    ? [{ [F.ents]: ['all'] }]
    : peers.map((peer) => {
      const item: any = {};
      const sel = peerSelector(peer, namespace);
      if (sel) item[F.eps] = [sel];
      if (peer.ipBlock) item[F.cidrs] = [{ cidr: peer.ipBlock.cidr, ...(peer.ipBlock.except ? { except: [...peer.ipBlock.except] } : {}) }];
      return item;
    });
  const ports: any[] = rule.ports ?? [];
  if (ports.length > 0) for (const it of items) it.toPorts = toPorts(ports);
  return items;
}

/** The API server's defaults (SetDefaults_NetworkPolicy): no policyTypes -> [Ingress] (+ Egress when there are egress rules). */
function defaultedPolicyTypes(spec: any): string[] {
  if (Array.isArray(spec.policyTypes) && spec.policyTypes.length > 0) return spec.policyTypes;
  return (spec.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** ParseNetworkPolicy: the whole NP as one CNP. */
function translate(np: any): any {
  const namespace = np.metadata.namespace ?? 'default';
  const spec = np.spec;
  const types = defaultedPolicyTypes(spec);
  // the ingress and egress lists are translated whatever policyTypes says (cilium/cilium#48703)
  const ingress = (spec.ingress ?? []).flatMap((r: any) => translateRule(r, 'ingress', namespace));
  const egress = (spec.egress ?? []).flatMap((r: any) => translateRule(r, 'egress', namespace));
  // a listed direction without rules is Cilium's deny-all item `[{}]`
  if (ingress.length === 0 && (types.includes('Ingress') || !types.includes('Egress'))) ingress.push({});
  if (egress.length === 0 && types.includes('Egress')) egress.push({});
  // subject: podSelector + io.kubernetes.pod.namespace (the CNP would add the same key itself);
  // enableDefaultDeny is left at its default, true: every NP direction is default deny
  const endpointSelector = esFromK8sSelectors([{ ...spec.podSelector, matchLabels: { ...(spec.podSelector.matchLabels ?? {}), [POD_NAMESPACE]: namespace } }, '']);
  const cnpSpec: any = { endpointSelector };
  if (ingress.length > 0) cnpSpec.ingress = ingress;
  if (egress.length > 0) cnpSpec.egress = egress;
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: np.metadata.name, namespace }, spec: cnpSpec };
}

// ---------------------------------------------------------------------------------------------
// Flows and comparison

interface Env { version: string; policyDefaultLocalCluster?: boolean }

const envArb: fc.Arbitrary<Env> = fc.record({
  version: fc.constantFrom('1.16', '1.17', '1.18', '1.19'),
  policyDefaultLocalCluster: fc.option(fc.boolean(), { nil: undefined }),
}).map((e) => (e.policyDefaultLocalCluster === undefined ? { version: e.version } : e));

/**
 * A flow with at least one pod end (flows between two non-pod ends meet no policy); the pod end
 * is mostly a pod of a namespace that has a policy, so that most flows meet one.
 */
function flowArb(policyNamespaces: readonly string[]): fc.Arbitrary<FlowInput> {
  const near = PODS.filter((p) => policyNamespaces.includes(ENDPOINTS.find((e) => e.name === p)!.namespace));
  const pod = near.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...near) }, { weight: 1, arbitrary: fc.constantFrom(...PODS) }) : fc.constantFrom(...PODS);
  return fc.tuple(pod, fc.constantFrom(...ENDS), fc.boolean(), fc.constantFrom('TCP', 'TCP', 'UDP', 'SCTP') as fc.Arbitrary<'TCP' | 'UDP' | 'SCTP'>, fc.constantFrom(...FLOW_PORTS))
    .filter(([p, other]) => p !== other)
    .map(([p, other, podIsSrc, proto, port]) => ({ src: podIsSrc ? p : other, dst: podIsSrc ? other : p, proto, port }));
}

/** 1..3 NetworkPolicies, the agent settings, and flows around them. */
const caseArb = fc.array(npArb, { minLength: 1, maxLength: 3 }).chain((specs) => fc.tuple(
  fc.constant(specs),
  envArb,
  fc.array(flowArb(specs.map((s) => s.namespace)), { minLength: FLOWS_PER_RUN, maxLength: FLOWS_PER_RUN }),
));

const stats = { runs: 0, policies: 0, flows: 0, allow: 0, enforced: 0 };

function engineFor(policies: any[], env: Env): PolicyEngine {
  return new PolicyEngine(policies, { env, namespaces: NAMESPACES, endpoints: ENDPOINTS });
}

function check(specs: readonly any[], env: Env, flows: readonly FlowInput[]): void {
  const nps = npManifests(specs);
  for (const n of nps) {
    const a = admitNetworkPolicy(n);
    if (a.schemaErrors.length > 0) throw new Error(`the generator made an NP the API server rejects: ${a.schemaErrors.join('; ')}\n${JSON.stringify(n)}`);
  }
  const cnps = nps.map(translate);
  const viaNp = engineFor(nps, env);
  const viaCnp = engineFor(cnps, env);
  if (viaNp.inert.length > 0 || viaCnp.inert.length > 0) {
    throw new Error(`a policy has no effect: ${[...viaNp.inert, ...viaCnp.inert].map((i) => i.message).join('; ')}\n${JSON.stringify(cnps)}`);
  }
  stats.runs++;
  stats.policies += nps.length;
  for (const f of flows) {
    const a = viaNp.explain(f);
    const b = viaCnp.explain(f);
    stats.flows++;
    if (a.verdict === 'ALLOW') stats.allow++;
    if (a.egress?.enforced || a.ingress?.enforced) stats.enforced++;
    if (a.verdict !== b.verdict) {
      throw new Error([
        `${f.src} -> ${f.dst} ${f.proto}/${f.port}: NetworkPolicy ${a.verdict}, translated CiliumNetworkPolicy ${b.verdict} (env ${JSON.stringify(env)})`,
        `  via NP:  ${a.reason}`,
        `  via CNP: ${b.reason}`,
        `NPs:  ${JSON.stringify(nps)}`,
        `CNPs: ${JSON.stringify(cnps)}`,
      ].join('\n'));
    }
  }
}

describe('NetworkPolicy and its Cilium translation agree', () => {
  afterAll(() => {
    // eslint-disable-next-line no-console
    console.log(`netpol equivalence: ${stats.runs} runs, ${stats.policies} NetworkPolicies, ${stats.flows} flows (${stats.enforced} met a policy, ${stats.allow} allowed)`);
  });

  test(`random NetworkPolicies and their translations give the same verdicts (${RUNS} runs, seed ${SEED})`, () => {
    fc.assert(
      fc.property(caseArb, ([specs, env, flows]) => check(specs, env, flows)),
      { numRuns: RUNS, seed: SEED },
    );
    expect(stats.runs).toBeGreaterThanOrEqual(RUNS);
    // the sample is not degenerate: most flows meet a policy, and both verdicts occur often
    expect(stats.enforced).toBeGreaterThan(stats.flows / 2.5);
    expect(stats.allow).toBeGreaterThan(stats.flows / 10);
    expect(stats.flows - stats.allow).toBeGreaterThan(stats.flows / 10);
  });

  test('the translation itself on a worked example (np-test-118 Test_parseNetworkPolicyPeer shapes)', () => {
    const np = npManifests([{
      namespace: 'shop',
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [
        { from: [{ podSelector: { matchLabels: { app: 'web' } } }, { namespaceSelector: {} }, { namespaceSelector: { matchLabels: { team: 'b' } }, podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/24'] } }], ports: [{ port: 5432 }, { protocol: 'UDP' }] },
        { ports: [{ port: 8080, endPort: 8090 }] },
      ],
    }])[0];
    expect(translate(np).spec).toEqual({
      endpointSelector: { matchLabels: { 'k8s:app': 'db', 'k8s:io.kubernetes.pod.namespace': 'shop' } },
      ingress: [
        { fromEndpoints: [{ matchLabels: { 'k8s:app': 'web', 'k8s:io.kubernetes.pod.namespace': 'shop' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }, { ports: [{ port: '0', protocol: 'UDP' }] }] },
        { fromEndpoints: [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }, { ports: [{ port: '0', protocol: 'UDP' }] }] },
        { fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'b' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }, { ports: [{ port: '0', protocol: 'UDP' }] }] },
        { fromCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/24'] }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }, { ports: [{ port: '0', protocol: 'UDP' }] }] },
        { fromEntities: ['all'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP', endPort: 8090 }] }] },
      ],
    });
    // policyTypes [Ingress, Egress] without rules: both directions are `[{}]`
    const deny = npManifests([{ namespace: 'pay', podSelector: {}, policyTypes: ['Ingress', 'Egress'] }])[0];
    expect(translate(deny).spec).toEqual({ endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'pay' } }, ingress: [{}], egress: [{}] });
  });

  // ParseNetworkPolicy gives a peerless rule `api.WildcardEndpointSelector`; REF §5 says entity
  // `all` is that same wildcard selector. Over every end of the estate: NP `ingress: [{}]` ==
  // CNP `fromEntities: [all]`, while CNP `fromEndpoints: [{}]` is the CNP's own namespace only
  // and CCNP `fromEndpoints: [{}]` every pod but no world/host/remote-node (REF §4.2, §4.4).
  test('the wildcard peer is entity all, not fromEndpoints: [{}]', () => {
    const subject = { matchLabels: { app: 'db' } };
    const np = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'all', namespace: 'shop' }, spec: { podSelector: subject, ingress: [{}], egress: [{ to: [] }] } };
    const cnp = (spec: any, kind = 'CiliumNetworkPolicy') => ({ apiVersion: 'cilium.io/v2', kind, metadata: { name: 'c', ...(kind === 'CiliumNetworkPolicy' ? { namespace: 'shop' } : {}) }, spec: { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'shop', ...subject.matchLabels } }, ...spec } });
    const engines = {
      np: engineFor([np], { version: '1.19' }),
      all: engineFor([cnp({ ingress: [{ fromEntities: ['all'] }], egress: [{ toEntities: ['all'] }] })], { version: '1.19' }),
      eps: engineFor([cnp({ ingress: [{ fromEndpoints: [{}] }], egress: [{ toEndpoints: [{}] }] })], { version: '1.19' }),
      ccnpEps: engineFor([cnp({ ingress: [{ fromEndpoints: [{}] }], egress: [{ toEndpoints: [{}] }] }, 'CiliumClusterwideNetworkPolicy')], { version: '1.19' }),
    };
    const rows: string[] = [];
    for (const other of ENDS.filter((e) => e !== 'shop-db')) {
      for (const [src, dst] of [[other, 'shop-db'], ['shop-db', other]]) {
        const v = Object.fromEntries(Object.entries(engines).map(([k, e]) => [k, e.explain({ src, dst, proto: 'TCP', port: 5432 }).verdict]));
        rows.push(`${src} -> ${dst}: np ${v.np}, all ${v.all}, eps ${v.eps}, ccnpEps ${v.ccnpEps}`);
        expect([src, dst, v.np]).toEqual([src, dst, 'ALLOW']);
        // (the local host passes by allow-localhost before any rule is consulted)
        if (src !== 'host') expect(engines.np.explain({ src, dst, proto: 'TCP', port: 5432 }).reason).toMatch(/allowed by NetworkPolicy shop\/all spec\.(ingress|egress)\[0\]/);
        expect([src, dst, v.all]).toEqual([src, dst, v.np]);
      }
    }
    // fromEndpoints: [{}] in a CNP: shop pods only; in a CCNP: pods of every namespace only
    const eps = (src: string, dst: string) => engines.eps.explain({ src, dst, proto: 'TCP', port: 5432 }).verdict;
    const ccnpEps = (src: string, dst: string) => engines.ccnpEps.explain({ src, dst, proto: 'TCP', port: 5432 }).verdict;
    expect([eps('shop-web', 'shop-db'), eps('pay-web', 'shop-db'), eps('world:8.8.8.8', 'shop-db'), eps('remote-node', 'shop-db')]).toEqual(['ALLOW', 'DROP', 'DROP', 'DROP']);
    expect([ccnpEps('shop-web', 'shop-db'), ccnpEps('pay-web', 'shop-db'), ccnpEps('world:8.8.8.8', 'shop-db'), ccnpEps('remote-node', 'shop-db')]).toEqual(['ALLOW', 'ALLOW', 'DROP', 'DROP']);
    expect(rows.length).toBe(2 * (ENDS.length - 1));
  });
});
