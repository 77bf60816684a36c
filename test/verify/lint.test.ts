import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { Finding, lintManifests } from '../../src/verify/lint';
import { runLintCli } from '../../src/verify/lint-cli';
import { loadManifests } from '../../src/verify/manifests';

const SEEDS = path.join(__dirname, 'lint-fixtures', 'seeds');

function lintFile(file: string): Finding[] {
  return lintManifests(loadManifests([file]).map((m: any) => ({ file, object: m.object })));
}

function rules(findings: Finding[], object: string): string[] {
  return findings.filter((f) => f.object === object).map((f) => `${f.severity}:${f.rule}`);
}

describe('lint | the seeds as written', () => {
  test('scenario 1: inert default deny, pruned labelSelector, namespace-wide operator trust, no egress', () => {
    const f = lintFile(path.join(SEEDS, 'cnpg-cilium-guide.yaml'));
    expect(rules(f, 'CiliumNetworkPolicy default/default-deny-ingress')).toEqual(['error:empty-section']);
    expect(rules(f, 'CiliumNetworkPolicy default/cnpg-cluster-allow-backend-any-namespace')).toEqual(expect.arrayContaining(['error:pruned-field', 'warning:cnpg-no-egress']));
    expect(rules(f, 'CiliumNetworkPolicy default/cnpg-operator-access')).toContain('warning:namespace-wide-trust');
    const pruned = f.find((x) => x.rule === 'pruned-field')!;
    expect(pruned.path).toEqual('spec.ingress[0].fromEndpoints[0].labelSelector');
    expect(pruned.message).toMatch(/every pod of the policy's namespace/);
  });

  test('scenario 3: empty lists, FQDN without DNS proxy, DNS on UDP only', () => {
    const f = lintFile(path.join(SEEDS, 'gateway-demo-writeup.yaml'));
    expect(rules(f, 'CiliumNetworkPolicy backend/default-deny')).toEqual(['error:empty-section', 'error:empty-section']);
    expect(rules(f, 'CiliumNetworkPolicy backend/backend-external-api')).toEqual(['error:fqdn-without-dns-proxy']);
    expect(rules(f, 'CiliumNetworkPolicy frontend/dns-udp-only')).toEqual(['warning:dns-udp-only']);
  });

  test('scenario 4: cilium.io/v1alpha1 and the CiliumConfig kind', () => {
    const f = lintFile(path.join(SEEDS, 'frontend-backend-post.yaml'));
    expect(rules(f, 'CiliumNetworkPolicy default/backend-policy')).toEqual(['error:unknown-api-version']);
    const cfg = f.find((x) => x.rule === 'unknown-kind')!;
    expect(cfg.fix).toMatch(/encryption.enabled=true and encryption.type=wireguard/);
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
  ])('%s is reported', (_n, objs, expected) => {
    const f = lintManifests(objs.map((o) => ({ file: 'f.yaml', object: o })));
    expect(f.map((x) => `${x.severity}:${x.rule}`)).toContain(expected);
    for (const x of f) {
      expect(x.file).toEqual('f.yaml');
      expect(x.message.length).toBeGreaterThan(10);
      expect(x.fix.length).toBeGreaterThan(5);
    }
  });

  test('the Cilium example policies raise no error', () => {
    const dir = process.env.CRD_DIR;
    if (!dir) {
      // eslint-disable-next-line no-console
      console.warn('CRD_DIR is not set: skipping the Cilium examples. Fetch them with `node scripts/fetch-crds.js ./crds && CRD_DIR=./crds npm test`.');
      return;
    }
    const f = lintFile(path.join(dir, 'cilium', 'examples'));
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
    expect(c.out[c.out.length - 1]).toEqual('3 objects in 1 files: 3 errors, 1 warnings');
    const j = capture();
    expect(await runLintCli(['--json', path.join(SEEDS, 'gateway-demo-writeup.yaml')], j.io)).toBe(1);
    expect(j.out.map((l) => JSON.parse(l).rule)).toEqual(['fqdn-without-dns-proxy', 'empty-section', 'empty-section', 'dns-udp-only']);
  });
  test('unreadable input exits 2 naming the file', async () => {
    const c = capture();
    expect(await runLintCli(['/nonexistent.yaml'], c.io)).toBe(2);
    expect(c.err.join()).toMatch(/\/nonexistent.yaml/);
  });
});
