import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { Finding, lintManifests } from '../../src/verify/lint/lint';
import { runLintCli } from '../../src/verify/lint/cli';
import { loadManifests } from '../../src/verify/intake/manifests';

const SEEDS = path.join(__dirname, 'lint-fixtures', 'seeds');
const CORRECTED = path.join(__dirname, 'lint-fixtures', 'corrected');

function lintFile(file: string): Finding[] {
  return lintManifests(loadManifests([file]).map((m: any) => ({ file, object: m.object })));
}

function lintFiles(paths: string[]): Finding[] {
  return lintManifests(loadManifests(paths).map((m: any) => ({ file: String(m.source).replace(/#\d+$/, ''), object: m.object })));
}

function rules(findings: Finding[], object: string): string[] {
  return findings.filter((f) => f.object === object).map((f) => `${f.severity}:${f.rule}`);
}

describe('lint | the seeds as written', () => {
  test('scenario 1: inert default deny, pruned labelSelector, namespace-wide operator trust, no egress', () => {
    const f = lintFile(path.join(SEEDS, 'cnpg-cilium-guide.yaml'));
    // from 1.18 the agent also rejects the object: every section is empty
    expect(rules(f, 'CiliumNetworkPolicy default/default-deny-ingress')).toEqual(['error:agent-rejects', 'error:empty-section']);
    expect(lintManifests(loadManifests([path.join(SEEDS, 'cnpg-cilium-guide.yaml')]).map((m: any) => ({ object: m.object })), { version: '1.17' }).filter((x) => x.rule === 'agent-rejects')).toEqual([]);
    expect(rules(f, 'CiliumNetworkPolicy default/cnpg-cluster-allow-backend-any-namespace')).toEqual(expect.arrayContaining(['error:pruned-field', 'warning:cnpg-no-egress']));
    expect(rules(f, 'CiliumNetworkPolicy default/cnpg-operator-access')).toContain('warning:namespace-wide-trust');
    const pruned = f.find((x) => x.rule === 'pruned-field')!;
    expect(pruned.path).toEqual('spec.ingress[0].fromEndpoints[0].labelSelector');
    expect(pruned.message).toMatch(/every pod of the policy's namespace/);
    // "in the backend namespace" with a selector that has no namespace key
    expect(rules(f, 'CiliumNetworkPolicy default/cnpg-cluster-allow-backend')).toContain('warning:peer-namespace-implicit');
    const implicit = f.find((x) => x.rule === 'peer-namespace-implicit' && x.object.endsWith('/cnpg-cluster-allow-backend'))!;
    expect(implicit.message).toMatch(/only matches pods of the policy's own namespace "default".*namespace "backend"/);
    expect(implicit.fix).toMatch(/k8s:io.kubernetes.pod.namespace: backend/);
    // the "default deny" says what to write instead
    const empty = f.find((x) => x.rule === 'empty-section')!;
    expect(empty.fix).toMatch(/empty list is no section; use ingress: \[\{\}\] for Cilium's deny-all/);
  });

  test('scenario 3: empty lists, FQDN without DNS proxy, DNS on UDP only', () => {
    const f = lintFile(path.join(SEEDS, 'gateway-demo-writeup.yaml'));
    expect(rules(f, 'CiliumNetworkPolicy backend/default-deny')).toEqual(['error:agent-rejects', 'error:empty-section', 'error:empty-section']);
    expect(rules(f, 'CiliumNetworkPolicy backend/backend-external-api')).toEqual(['error:fqdn-without-dns-proxy']);
    expect(rules(f, 'CiliumNetworkPolicy frontend/dns-udp-only')).toEqual(['warning:dns-udp-only']);
  });

  test('scenario 4: cilium.io/v1alpha1 and the CiliumConfig kind', () => {
    const f = lintFile(path.join(SEEDS, 'frontend-backend-post.yaml'));
    // the object is linted further as cilium.io/v2: its claim "initiates no connections" has no egress section
    expect(rules(f, 'CiliumNetworkPolicy default/backend-policy')).toEqual(['error:unknown-api-version', 'warning:claim-not-enforced']);
    expect(f.find((x) => x.rule === 'unknown-api-version')!.fix).toMatch(/cilium.io\/v2/);
    const cfg = f.find((x) => x.rule === 'unknown-kind')!;
    expect(cfg.fix).toMatch(/encryption.enabled=true and encryption.type=wireguard/);
  });

  test('scenario 2 as written (sound) raises no error', () => {
    const f = lintFile(path.join(SEEDS, 'flask-postgres-walkthrough.yaml'));
    expect(f.filter((x) => x.severity === 'error')).toEqual([]);
    // the L7 rule without a source admits every source: a warning asking to say so explicitly
    expect(rules(f, 'CiliumNetworkPolicy db/flask-l7')).toEqual(['warning:ports-without-peer']);
  });

  test('every seed mistake is reported with a message and a fix', () => {
    const f = lintFiles([SEEDS]);
    const got = new Set(f.map((x) => x.rule));
    for (const r of ['empty-section', 'pruned-field', 'peer-namespace-implicit', 'namespace-wide-trust', 'cnpg-no-egress',
      'fqdn-without-dns-proxy', 'dns-udp-only', 'unknown-api-version', 'unknown-kind', 'claim-not-enforced']) {
      expect(got).toContain(r);
    }
    for (const x of f) {
      expect(x.message.length).toBeGreaterThan(20);
      expect(x.fix.length).toBeGreaterThan(10);
    }
  });

  test.each(['cnpg-cilium.yaml', 'gateway-demo.yaml', 'flask-postgres.yaml', 'frontend-backend.yaml'])('corrected %s raises no finding at all', (file) => {
    expect(lintFile(path.join(CORRECTED, file))).toEqual([]);
  });

  test('the examples\' synthesized policies raise no error', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-examples-'));
    const app = new App({ outdir: out });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ex = [require('../../examples/cnpg-cilium').CnpgCiliumExample, require('../../examples/gateway-demo').GatewayDemoExample,
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../../examples/flask-postgres').FlaskPostgresExample, require('../../examples/frontend-backend').FrontendBackendExample];
    ex.forEach((C, i) => new C(app, `ex${i}`));
    app.synth();
    const f = lintFile(out);
    expect(f.filter((x) => x.severity === 'error')).toEqual([]);
  });
});

describe('lint | rules', () => {
  const cnp = (name: string, spec: any, kind = 'CiliumNetworkPolicy') => ({ apiVersion: 'cilium.io/v2', kind, metadata: { name, namespace: kind === 'CiliumNetworkPolicy' ? 'x' : undefined }, spec });
  test.each<[string, any[], string]>([
    ['misspelled peer field', [cnp('p', { endpointSelector: {}, ingress: [{ fromEndpoint: [{}] }] })], 'error:pruned-field'],
    ['rules under a deny', [cnp('p', { endpointSelector: {}, ingressDeny: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{}] } }] }] })], 'error:pruned-field'],
    ['an agent-rejected rule', [cnp('p', { endpointSelector: {}, ingress: [{ fromEndpoints: [{}], fromCIDR: ['10.0.0.0/8'] }] })], 'error:agent-rejects'],
    ['a schema violation', [cnp('p', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: 80 }] }] }] })], 'error:schema'],
    ['an L4 rule shadowing L7', [cnp('p', { endpointSelector: { matchLabels: { app: 'a' } }, ingress: [
      { fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] },
      { fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] })], 'warning:l7-shadowed'],
    ['a CCNP selecting health endpoints', [cnp('p', { endpointSelector: {}, ingress: [{ fromEntities: ['cluster'] }] }, 'CiliumClusterwideNetworkPolicy')], 'warning:ccnp-selects-health'],
    ['a selector on a filtered label', [cnp('p', { endpointSelector: { matchLabels: { 'pod-template-hash': 'abc' } }, ingress: [{}] })], 'warning:filtered-label'],
    ['CNPG instanceRole in a peer', [cnp('p', { endpointSelector: { matchLabels: { app: 'a' } }, egress: [{ toEndpoints: [{ matchLabels: { 'cnpg.io/cluster': 'pg', 'cnpg.io/instanceRole': 'primary' } }] }] })], 'warning:cnpg-mutable-label'],
    ['CNPG role in the subject', [cnp('p', { endpointSelector: { matchLabels: { 'cnpg.io/cluster': 'pg', role: 'primary' } }, ingress: [{}], egress: [{}] })], 'warning:cnpg-mutable-label'],
    ['a labelSelector key in a peer', [cnp('p', { endpointSelector: {}, ingress: [{ fromEndpoints: [{ labelSelector: { matchLabels: { a: 'b' } } }] }] })], 'error:pruned-field'],
    ['toEntity (misspelled)', [cnp('p', { endpointSelector: {}, egress: [{ toEntity: ['world'] }] })], 'error:pruned-field'],
    ['toFQDNs in egressDeny', [cnp('p', { endpointSelector: {}, egressDeny: [{ toFQDNs: [{ matchName: 'example.com' }] }] })], 'error:pruned-field'],
    ['egress: []', [cnp('p', { endpointSelector: {}, ingress: [{}], egress: [] })], 'error:empty-section'],
    ['cilium.io/v1alpha1', [{ ...cnp('p', { endpointSelector: {}, ingress: [{}] }), apiVersion: 'cilium.io/v1alpha1' }], 'error:unknown-api-version'],
    ['CiliumConfig', [{ apiVersion: 'cilium.io/v2', kind: 'CiliumConfig', metadata: { name: 'c' }, spec: {} }], 'error:unknown-kind'],
    ['a misspelled policy kind', [{ ...cnp('p', { endpointSelector: {}, ingress: [{}] }), kind: 'CiliumNetworkPolicies' }], 'error:unknown-kind'],
    ['toFQDNs without any DNS rule', [cnp('p', { endpointSelector: { matchLabels: { app: 'a' } }, egress: [{ toFQDNs: [{ matchName: 'example.com' }] }] })], 'error:fqdn-without-dns-proxy'],
    ['toFQDNs with a DNS rule on a port other than 53', [cnp('p', { endpointSelector: { matchLabels: { app: 'a' } }, egress: [{ toFQDNs: [{ matchName: 'example.com' }] },
      { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '5353', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] }] })], 'error:fqdn-without-dns-proxy'],
    ['DNS on UDP only', [cnp('p', { endpointSelector: {}, egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }] })], 'warning:dns-udp-only'],
    ['DNS on UDP only towards any peer', [cnp('p', { endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }] })], 'warning:dns-udp-only'],
    ['egress ports without a peer', [cnp('p', { endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] })], 'warning:ports-without-peer'],
    ['problems in a specs list', [{ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'x' }, specs: [{ endpointSelector: {}, ingress: [{}] }, { endpointSelector: {}, egress: [] }] }], 'error:empty-section'],
    ['an L4 rule in another policy shadowing L7', [
      cnp('l7', { endpointSelector: { matchLabels: { app: 'a' } }, ingress: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }] }),
      cnp('l4', { endpointSelector: {}, ingress: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] })], 'warning:l7-shadowed'],
    ['a filtered label in a peer', [cnp('p', { endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchLabels: { 'statefulset.kubernetes.io/pod-name': 'db-0' } }] }] })], 'warning:filtered-label'],
    ['a peer without a namespace key in an "any namespace" policy', [cnp('allow-from-any-namespace', { endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'x' } }] }] })], 'warning:peer-namespace-implicit'],
    ['a description claiming no egress', [cnp('p', { description: 'the pods initiate no connections', endpointSelector: { matchLabels: { app: 'a' } }, ingress: [{}] })], 'warning:claim-not-enforced'],
    ['an operator namespace trusted by every pod', [cnp('p', { endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'cnpg-system' } }] }] })], 'warning:namespace-wide-trust'],
    ['CNPG pods with ingress rules and no egress policy', [cnp('p', { endpointSelector: { matchLabels: { 'cnpg.io/cluster': 'pg' } }, ingress: [{}] })], 'warning:cnpg-no-egress'],
  ])('%s is reported', (_n, objs, expected) => {
    const f = lintManifests(objs.map((o) => ({ file: 'f.yaml', object: o })));
    expect(f.map((x) => `${x.severity}:${x.rule}`)).toContain(expected);
    for (const x of f) {
      expect(x.file).toEqual('f.yaml');
      expect(x.message.length).toBeGreaterThan(10);
      expect(x.fix.length).toBeGreaterThan(5);
    }
  });

  test.each<[string, any, string, RegExp]>([
    ['a misspelled peer next to toPorts opens the ports to every peer', { endpointSelector: {}, ingress: [{ fromEndpoint: [{ matchLabels: { app: 'a' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }] },
      'spec.ingress[0].fromEndpoint', /did you mean "fromEndpoints".*allows those ports from\/to every peer/],
    ['a misspelled peer alone leaves a deny-all item', { endpointSelector: {}, ingress: [{ fromEndpoint: [{}] }] }, 'spec.ingress[0].fromEndpoint', /left empty: it allows nothing/],
    ['a misspelled toPorts allows every port', { endpointSelector: {}, egress: [{ toEntities: ['world'], toPort: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] }, 'spec.egress[0].toPort', /did you mean "toPorts".*allowed on every port and protocol/],
    ['a misspelled section drops it', { endpointSelector: {}, ingres: [{}], egress: [{}] }, 'spec.ingres', /did you mean "ingress".*whole section is pruned/],
    ['a misspelled matchLabels empties the selector', { endpointSelector: { matchLabel: { app: 'a' } }, ingress: [{}] }, 'spec.endpointSelector.matchLabel', /did you mean "matchLabels".*selector loses those conditions/],
    ['a misspelled egressDeny peer', { endpointSelector: {}, egressDeny: [{ toEntity: ['world'] }] }, 'spec.egressDeny[0].toEntity', /did you mean "toEntities".*denies nothing, but still puts the pods into default deny/],
  ])('pruned-field consequence: %s', (_n, spec, p, msg) => {
    const f = lintManifests([{ file: 'f.yaml', object: cnp('p', spec) }]).filter((x) => x.rule === 'pruned-field');
    expect(f.map((x) => x.path)).toEqual([p]);
    expect(f[0].message).toMatch(msg);
    expect(f[0].severity).toBe('error');
  });

  test('DNS on UDP in one policy and TCP in another for the same pods is fine', () => {
    const dns = { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' };
    const f = lintManifests([
      { object: cnp('udp', { endpointSelector: {}, egress: [{ toEndpoints: [{ matchLabels: dns }], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }] }) },
      { object: cnp('tcp', { endpointSelector: {}, egress: [{ toEndpoints: [{ matchLabels: dns }], toPorts: [{ ports: [{ port: '53', protocol: 'TCP' }] }] }] }) },
    ]);
    expect(f).toEqual([]);
  });

  test('a finding in specs[1] has the specs path', () => {
    const f = lintManifests([{ object: { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'x' }, specs: [{ endpointSelector: {}, ingress: [{}] }, { endpointSelector: {}, egress: [] }] } }]);
    expect(f.filter((x) => x.rule === 'empty-section').map((x) => x.path)).toEqual(['specs[1].egress']);
    expect(f.find((x) => x.rule === 'agent-rejects')!.path).toEqual('specs[1]');
  });

  test('ordinary same-namespace peers and sound policies are not flagged', () => {
    const f = lintManifests([
      { file: 'f.yaml', object: cnp('web-to-api', { description: 'web pods reach the api on 8080', endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] }) },
      { file: 'f.yaml', object: cnp('deny-all', { endpointSelector: {}, ingress: [{}], egress: [{}] }) },
    ]);
    expect(f).toEqual([]);
  });

  test.each<[string, string, any, RegExp]>([
    ['1.19', 'all four sections empty', { endpointSelector: {}, ingress: [], egress: [] }, /rule must have at least one of/],
    ['1.19', 'two L3 kinds in one item', { endpointSelector: {}, egress: [{ toEndpoints: [{}], toCIDR: ['10.0.0.0/8'] }] }, /combining/],
    ['1.19', 'an HTTP rule on protocol ANY', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80' }], rules: { http: [{}] } }] }] }, /L7 rules can only apply to TCP/],
    ['1.19', 'DNS rules on ingress', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] }] }, /DNS rules are not allowed on ingress/],
    ['1.19', 'port 99999 (passes the CRD)', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '99999', protocol: 'TCP' }] }] }] }, /unable to parse port/],
    ['1.19', 'an except outside its CIDR', { endpointSelector: {}, egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] }] }] }, /does not contain exclude CIDR/],
    ['1.19', 'an HTTP path that is not a Go regexp', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ path: '*' }] } }] }] }, /invalid regular expression/],
    ['1.18', 'two L3 kinds in an ingressDeny item (validated from 1.18)', { endpointSelector: {}, ingressDeny: [{ fromEndpoints: [{}], fromCIDR: ['10.0.0.0/8'] }] }, /combining/],
    ['1.16', 'toServices with toPorts', { endpointSelector: {}, egress: [{ toServices: [{ k8sService: { serviceName: 's', namespace: 'n' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] }, /Combining ToServices and ToPorts/],
  ])('agent rejection at %s: %s is an error saying the policy is ignored', (version, _n, spec, msg) => {
    const f = lintManifests([{ file: 'f.yaml', object: cnp('p', spec) }], { version });
    const rej = f.filter((x) => x.rule === 'agent-rejects');
    expect(rej.length).toBeGreaterThan(0);
    expect(rej.map((x) => x.message).join('\n')).toMatch(msg);
    expect(rej[0].severity).toBe('error');
    expect(rej[0].message).toMatch(/ignored/);
  });

  test('versions: ingressDeny is not validated before 1.18, toServices+toPorts is fine from 1.17', () => {
    const deny = cnp('p', { endpointSelector: {}, ingressDeny: [{ fromEndpoints: [{}], fromCIDR: ['10.0.0.0/8'] }] });
    expect(lintManifests([{ object: deny }], { version: '1.17' }).filter((x) => x.rule === 'agent-rejects')).toEqual([]);
    const svc = cnp('p', { endpointSelector: {}, egress: [{ toServices: [{ k8sService: { serviceName: 's', namespace: 'n' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] });
    expect(lintManifests([{ object: svc }], { version: '1.17' })).toEqual([]);
  });

  test('enableL7Proxy: false turns every L7 rule into an agent rejection', () => {
    const l7 = cnp('p', { endpointSelector: {}, ingress: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }] });
    expect(lintManifests([{ object: l7 }])).toEqual([]);
    expect(lintManifests([{ object: l7 }], { enableL7Proxy: false }).map((x) => x.message).join()).toMatch(/L7 proxy is not enabled/);
  });

  const examplesDir = process.env.CRD_DIR ? path.join(process.env.CRD_DIR, 'cilium', 'examples') : undefined;
  if (!examplesDir) {
    // eslint-disable-next-line no-console
    console.warn('lint.test.ts: CRD_DIR is not set: skipping the Cilium examples. Fetch them with `node scripts/fetch-crds.js ./crds && CRD_DIR=./crds npm test`.');
  }
  (examplesDir ? test : test.skip)('the Cilium example policies raise no error', () => {
    const f = lintFile(examplesDir!);
    expect(loadManifests([examplesDir!]).length).toBeGreaterThanOrEqual(21);
    expect(f.filter((x) => x.severity === 'error')).toEqual([]);
  });
});

describe('lint | command line', () => {
  function capture() {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } };
  }
  test('errors exit 1 with a summary line; --json prints one object per finding', async () => {
    const c = capture();
    expect(await runLintCli([path.join(SEEDS, 'gateway-demo-writeup.yaml')], c.io)).toBe(1);
    expect(c.out[c.out.length - 1]).toEqual('3 objects in 1 files: 4 errors, 1 warnings');
    const j = capture();
    expect(await runLintCli(['--json', path.join(SEEDS, 'gateway-demo-writeup.yaml')], j.io)).toBe(1);
    expect(j.out.map((l) => JSON.parse(l).rule)).toEqual(['fqdn-without-dns-proxy', 'agent-rejects', 'empty-section', 'empty-section', 'dns-udp-only']);
  });
  test('human output: one line per finding (with its fix) and the summary; no error exits 0', async () => {
    const c = capture();
    expect(await runLintCli([CORRECTED], c.io)).toBe(0);
    expect(c.out).toEqual(['24 objects in 4 files: 0 errors, 0 warnings']);
    const s = capture();
    expect(await runLintCli([path.join(SEEDS, 'frontend-backend-post.yaml')], s.io)).toBe(1);
    expect(s.out[0]).toMatch(/frontend-backend-post.yaml: error \[unknown-kind\] CiliumConfig wireguard kind: .* \(fix: set Helm values encryption.enabled=true and encryption.type=wireguard.*\)$/);
    expect(s.out.every((l) => !l.includes('\n'))).toBe(true);
    expect(s.out[s.out.length - 1]).toEqual('2 objects in 1 files: 2 errors, 1 warnings');
  });

  test('--json objects carry file, object, path, severity, rule, message and fix', async () => {
    const j = capture();
    await runLintCli([path.join(SEEDS, 'cnpg-cilium-guide.yaml'), '--json'], j.io);
    for (const line of j.out) {
      expect(Object.keys(JSON.parse(line)).sort()).toEqual(['file', 'fix', 'message', 'object', 'path', 'rule', 'severity']);
    }
  });

  test('--no-l7-proxy and --version reach the linter; a bad --version exits 2', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-l7-'));
    const file = path.join(dir, 'l7.yaml');
    fs.writeFileSync(file, JSON.stringify({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'x' },
      spec: { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }] } }));
    expect(await runLintCli([file], capture().io)).toBe(0);
    const c = capture();
    expect(await runLintCli([file, '--no-l7-proxy'], c.io)).toBe(1);
    expect(c.out.join()).toMatch(/L7 proxy is not enabled/);
    expect(await runLintCli([file, '--version', '2.0'], capture().io)).toBe(2);
  });

  test('unreadable or unparsable input exits 2 naming the file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-bad-'));
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'a: [unclosed\n');
    const c = capture();
    expect(await runLintCli([bad], c.io)).toBe(2);
    expect(c.err.join()).toContain(bad);
  });

  test('unreadable input exits 2 naming the file', async () => {
    const c = capture();
    expect(await runLintCli(['/nonexistent.yaml'], c.io)).toBe(2);
    expect(c.err.join()).toMatch(/\/nonexistent.yaml/);
  });
});
