/**
 * The cdk8s validation plugin (src/plugin), driven through cdk8s-cli's own ValidationContext.
 * `npm run synth` runs it for real on the examples; test/package-consumer.test.ts runs it from
 * the packed tarball in a fresh cdk8s app.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { ValidationContext } from 'cdk8s-cli/plugins';
import * as YAML from 'yaml';
import { CnpgCiliumExample } from '../examples/cnpg-cilium';
import { CiliumPolicyValidation } from '../src/plugin';
import * as reportModule from '../src/report';
import * as admitModule from '../src/verify/intake/admit';

const EXAMPLES = path.join(__dirname, '..', 'examples');
let tmp: string;
let cwd: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'csp-plugin-'));
  cwd = process.cwd();
  process.chdir(tmp);
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  process.chdir(cwd);
  fs.rmSync(tmp, { recursive: true, force: true });
  jest.restoreAllMocks();
});

function synthTo(dir: string, name: string, objects: any[]): string {
  fs.mkdirSync(dir, { recursive: true });
  const f = path.join(dir, `${name}.k8s.yaml`);
  fs.writeFileSync(f, objects.map((o) => YAML.stringify(o)).join('---\n'));
  return f;
}

function cnpg(): any[] {
  return Testing.synth(new CnpgCiliumExample(Testing.app(), 'cnpg-cilium'));
}

function metadataFor(objects: any[]): Record<string, { path: string }> {
  const m: Record<string, { path: string }> = {};
  for (const o of objects) m[o.metadata.name] = { path: `cnpg-cilium/${o.metadata.name}` };
  return m;
}

async function run(props: any, manifests: string[], metadata = {}, stdout = false) {
  const ctx = new ValidationContext(manifests, 'cdk8s-secured-postgres', '0.1.0', metadata, stdout);
  await new CiliumPolicyValidation(props).validate(ctx);
  return { ctx, json: ctx.report.toJson(), text: ctx.report.toString() };
}

test('clean manifests and a passing scenario: success, the report beside the YAML', async () => {
  const objects = cnpg();
  const m = synthTo(path.join(tmp, 'dist'), 'cnpg-cilium', objects);
  const scenario = path.relative(tmp, path.join(EXAMPLES, 'cnpg-cilium.connectivity.yaml'));
  const { ctx, json } = await run({ scenarios: [scenario] }, [m], metadataFor(objects));
  expect(ctx.report.success).toBe(true);
  expect(json.violations.filter((v) => v.ruleName.includes('(error)'))).toEqual([]);
  expect(json.summary.metadata!['Scenario flows']).toBe('58 of 58 as expected');
  expect(json.summary.metadata!['Connectivity reports']).toBe('dist/connectivity.md');
  const md = fs.readFileSync(path.join(tmp, 'dist', 'connectivity.md'), 'utf8');
  expect(md).toContain('Made from: `cnpg-cilium.k8s.yaml`, `');
  expect(md).toContain('58 of 58 expected verdicts hold.');
  expect(md).toContain('```mermaid');
  expect(console.log).toHaveBeenCalledWith(expect.stringMatching(/^cilium-verify: \d+ Cilium policies; lint: 0 errors, \d+ warnings; scenarios: 58 of 58 flows as expected; reports?: dist\/connectivity\.md$/));
});

test('a scenario is checked once for the verdicts and the report of the same manifests, each policy admitted once for lint, scenario and report', async () => {
  const objects = cnpg();
  const m = synthTo(path.join(tmp, 'dist'), 'cnpg-cilium', objects);
  const scenario = path.join(EXAMPLES, 'cnpg-cilium.connectivity.yaml');
  const checks = jest.spyOn(reportModule, 'checkScenarios');
  const admit = jest.spyOn(admitModule, 'admitPolicy');
  const { ctx } = await run({ scenarios: [scenario] }, [m]);
  expect(ctx.report.success).toBe(true);
  expect(checks).toHaveBeenCalledTimes(1);
  const cilium = objects.filter((o) => o.apiVersion === 'cilium.io/v2');
  expect(cilium.length).toBeGreaterThan(5);
  expect(admit).toHaveBeenCalledTimes(cilium.length);
  // the same report as one that checks the scenario itself
  checks.mockRestore();
  const alone = reportModule.connectivityReport({
    objects: YAML.parseAllDocuments(fs.readFileSync(m, 'utf8')).map((d) => d.toJS()),
    scenarios: [reportModule.readScenario(scenario)],
    title: 'Connectivity report',
    sources: ['cnpg-cilium.k8s.yaml', reportModule.displayPath(scenario)],
  });
  expect(fs.readFileSync(path.join(tmp, 'dist', 'connectivity.md'), 'utf8')).toBe(alone.markdown);
});

test('{chart} writes one report per manifest; scenarios are bound to their manifests', async () => {
  const a = synthTo(path.join(tmp, 'out'), 'cnpg-cilium', cnpg());
  const b = synthTo(path.join(tmp, 'out'), 'other', [{
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'other', namespace: 'x' },
    spec: { endpointSelector: { matchLabels: { app: 'x' } }, ingress: [{}] },
  }]);
  const scenario = path.join(EXAMPLES, 'cnpg-cilium.connectivity.yaml');
  const { ctx } = await run({ report: 'out/{chart}.connectivity.md', scenarios: [{ file: scenario, manifests: ['cnpg-cilium.k8s.yaml'] }] }, [a, b]);
  expect(ctx.report.success).toBe(true);
  expect(fs.readFileSync(path.join(tmp, 'out', 'cnpg-cilium.connectivity.md'), 'utf8')).toMatch(/^# Connectivity report: cnpg-cilium\n[\s\S]*58 of 58 expected verdicts hold/);
  const other = fs.readFileSync(path.join(tmp, 'out', 'other.connectivity.md'), 'utf8');
  expect(other).toMatch(/^# Connectivity report: other\n/);
  expect(other).not.toContain('Scenario checks');
});

test('{outdir} is the folder the manifests were synthesized to', async () => {
  const m = synthTo(path.join(tmp, 'elsewhere'), 'cnpg-cilium', cnpg());
  const { ctx } = await run({ report: '{outdir}/{chart}.connectivity.md' }, [m]);
  expect(ctx.report.success).toBe(true);
  expect(fs.readFileSync(path.join(tmp, 'elsewhere', 'cnpg-cilium.connectivity.md'), 'utf8')).toMatch(/^# Connectivity report: cnpg-cilium\n/);
  expect(fs.existsSync(path.join(tmp, 'dist', 'cnpg-cilium.connectivity.md'))).toBe(false);
});

test('a scenario flow with another verdict fails the synth, reported on the deciding policy', async () => {
  const objects = cnpg();
  const m = synthTo(path.join(tmp, 'dist'), 'cnpg-cilium', objects);
  fs.writeFileSync(path.join(tmp, 'wrong.connectivity.yaml'), [
    'endpoints:',
    '  app: {namespace: default, labels: {app: web}}',
    '  db: {namespace: default, labels: {cnpg.io/cluster: cluster-example, cnpg.io/podRole: instance}}',
    'flows:',
    '  - {src: app, dst: db, proto: TCP, port: 5432, expect: ALLOW}',
    '',
  ].join('\n'));
  const { ctx, json, text } = await run({ scenarios: ['wrong.connectivity.yaml'] }, [m], metadataFor(objects));
  expect(ctx.report.success).toBe(false);
  const v = json.violations.find((x) => x.ruleName === 'connectivity-scenario (error)')!;
  expect(v.recommendation).toMatch(/^wrong\.connectivity\.yaml flows\[0\] app -> db TCP\/5432: expected ALLOW, got DROP: /);
  expect(v.violatingConstructs[0].resourceName).toBe('cluster-example-from-backend');
  expect(v.violatingConstructs[0].constructPath).toBe('cnpg-cilium/cluster-example-from-backend');
  expect(v.violatingConstructs[0].manifestPath).toBe(m);
  expect(text).toContain('Construct Path: cnpg-cilium/cluster-example-from-backend');
});

test('a policy without effect is an error; unreadable scenarios are errors naming the file and key', async () => {
  const m = synthTo(path.join(tmp, 'dist'), 'bad', [{
    apiVersion: 'cilium.io/v1alpha1', kind: 'CiliumNetworkPolicy', metadata: { name: 'backend-only', namespace: 'default' },
    spec: { endpointSelector: { matchLabels: { app: 'backend' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'frontend' } }] }] },
  }]);
  fs.writeFileSync(path.join(tmp, 'bad.connectivity.yaml'), 'flows:\n  - {src: a, dst: b, proto: TCP, port: 1}\n');
  const { ctx, json } = await run({ scenarios: ['bad.connectivity.yaml', 'missing.connectivity.yaml'] }, [m]);
  expect(ctx.report.success).toBe(false);
  const names = json.violations.map((v) => v.ruleName);
  expect(names.some((n) => /\(error\)$/.test(n) && !n.startsWith('connectivity-scenario'))).toBe(true);
  const policyViolation = json.violations.find((v) => v.violatingConstructs.some((c) => c.resourceName === 'backend-only'))!;
  expect(policyViolation.recommendation).toMatch(/v1alpha1/);
  const scen = json.violations.filter((v) => v.ruleName === 'connectivity-scenario (error)').map((v) => v.recommendation);
  expect(scen).toEqual([
    expect.stringMatching(/^scenario bad\.connectivity\.yaml cannot be used: bad\.connectivity\.yaml: flows\[0\]\.src: unknown endpoint "a"/),
    expect.stringMatching(/^scenario missing\.connectivity\.yaml cannot be used: missing\.connectivity\.yaml: cannot read: no such file/),
  ]);
});

test('warnings fail only with failOnWarnings; report: false writes nothing; --stdout writes nothing by default', async () => {
  const m = synthTo(path.join(tmp, 'dist'), 'w', [{
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'w', namespace: 'default' },
    spec: {
      endpointSelector: { matchLabels: { app: 'w' } },
      egress: [{
        toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
        toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }],
      }],
    },
  }]);
  const lenient = await run({ report: false }, [m]);
  const warnings = lenient.json.violations.filter((v) => v.ruleName.endsWith('(warning)'));
  expect(warnings.map((v) => v.ruleName)).toEqual(['dns-udp-only (warning)']);
  expect(warnings[0].violatingConstructs[0].locations).toEqual(['spec.egress[0].toPorts']);
  expect(lenient.ctx.report.success).toBe(true);
  expect(fs.existsSync(path.join(tmp, 'dist', 'connectivity.md'))).toBe(false);
  const strict = await run({ failOnWarnings: true }, [m], {}, true);
  expect(strict.ctx.report.success).toBe(false);
  expect(fs.existsSync(path.join(tmp, 'dist', 'connectivity.md'))).toBe(false);
});

test('properties are checked when cdk8s-cli creates the plugin', () => {
  expect(() => new CiliumPolicyValidation({ scenarios: 'a.yaml' } as any)).toThrow(/properties\.scenarios must be a list/);
  expect(() => new CiliumPolicyValidation({ scenarios: [{ manifests: [] }] } as any)).toThrow(/properties\.scenarios\[0\]/);
  expect(() => new CiliumPolicyValidation({ report: 3 } as any)).toThrow(/properties\.report/);
  expect(() => new CiliumPolicyValidation({ failOnWarnings: 'yes' } as any)).toThrow(/properties\.failOnWarnings/);
  expect(() => new CiliumPolicyValidation(undefined)).not.toThrow();
});

test('the plugin loads the way cdk8s-cli loads a local plugin', () => {
  // PluginManager: require.resolve(path.resolve(cwd, pkg)), then module[class]
  const mod = require(path.join(__dirname, '..', 'src', 'plugin'));
  expect(typeof mod.CiliumPolicyValidation).toBe('function');
  expect(typeof new mod.CiliumPolicyValidation({}).validate).toBe('function');
});

describe('baseline: the connectivity diff against earlier manifests', () => {
  const other = [{
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'other', namespace: 'x' },
    spec: { endpointSelector: { matchLabels: { app: 'x' } }, ingress: [{}] },
  }];

  test('per chart ({chart} in report): one file for the synthesis, a section per chart, matched by file name', async () => {
    const objects = cnpg();
    synthTo(path.join(tmp, 'base'), 'cnpg-cilium', objects);
    synthTo(path.join(tmp, 'base'), 'gone', other);
    const a = synthTo(path.join(tmp, 'dist'), 'cnpg-cilium', objects.filter((o) => o.metadata.name !== 'cluster-example-instances-ingress'));
    const b = synthTo(path.join(tmp, 'dist'), 'other', other);
    const { ctx, json } = await run({ report: '{outdir}/{chart}.connectivity.md', baseline: 'base' }, [a, b]);
    expect(ctx.report.success).toBe(true);
    const md = fs.readFileSync(path.join(tmp, 'dist', 'connectivity-diff.md'), 'utf8');
    expect(md).toMatch(/^# Connectivity diff\n/);
    expect(md).toContain('Compared: base `base`; new `cnpg-cilium.k8s.yaml`, `other.k8s.yaml`.');
    expect(md).toContain('**In total: 0 newly allowed, 6 newly refused.**');
    expect(md).toContain('In the baseline, not synthesized any more (not compared): `gone.k8s.yaml`.');
    expect(md).toContain('## Chart `cnpg-cilium`\n\n**0 newly allowed, 6 newly refused** (flows: from, to, port).');
    expect(md).toMatch(/### Newly refused\n\n\| From \| To \| Proto\/port \| L7 routes \| Allowed before by \(base\) \| Refused by \(new\) \|/);
    expect(md).toContain('| *pods app.kubernetes.io/name=cloudnative-pg (cnpg-system)* | default/cluster-example instances | TCP/8000 | any | '
      + 'ingress: CiliumNetworkPolicy default/cluster-example-instances-ingress spec.ingress[0] |');
    expect(md).toContain('## Chart `other`\n\n`other.k8s.yaml` is not in the baseline: a new chart, not compared.');
    expect(json.summary.metadata!['Connectivity diff']).toBe('0 newly allowed, 6 newly refused: dist/connectivity-diff.md');
    expect(console.log).toHaveBeenCalledWith(expect.stringMatching(/; reports: dist\/cnpg-cilium\.connectivity\.md, dist\/other\.connectivity\.md; diff: 0 newly allowed, 6 newly refused: dist\/connectivity-diff\.md$/));
  });

  test('the whole synthesis (no {chart}), with the scenarios: the same manifests give 0/0', async () => {
    const objects = cnpg();
    synthTo(path.join(tmp, 'base'), 'cnpg-cilium', objects);
    const m = synthTo(path.join(tmp, 'dist'), 'cnpg-cilium', objects);
    const scenario = path.relative(tmp, path.join(EXAMPLES, 'cnpg-cilium.connectivity.yaml'));
    const { ctx } = await run({ scenarios: [scenario], baseline: 'base', report: false }, [m]);
    expect(ctx.report.success).toBe(true);
    const md = fs.readFileSync(path.join(tmp, 'dist', 'connectivity-diff.md'), 'utf8');
    expect(md).toContain('\n**0 newly allowed, 0 newly refused** (flows: from, to, port).\n');
    expect(md).not.toContain('## Chart');
    expect(md).not.toContain('```mermaid');
    expect(fs.existsSync(path.join(tmp, 'dist', 'connectivity.md'))).toBe(false);
  });

  test('a baseline that cannot be read is an error naming the folder, or the file and the problem', async () => {
    const m = synthTo(path.join(tmp, 'dist'), 'cnpg-cilium', cnpg());
    const missing = await run({ baseline: 'no-such-folder' }, [m]);
    expect(missing.ctx.report.success).toBe(false);
    const v = missing.json.violations.find((x) => x.ruleName === 'connectivity-diff (error)')!;
    expect(v.recommendation).toBe('baseline no-such-folder cannot be used: no-such-folder: cannot read: no such folder');
    expect(v.fix).toMatch(/properties\.baseline/);
    expect(fs.existsSync(path.join(tmp, 'dist', 'connectivity-diff.md'))).toBe(false);

    fs.mkdirSync(path.join(tmp, 'base'));
    fs.writeFileSync(path.join(tmp, 'base', 'cnpg-cilium.k8s.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n');
    const bad = await run({ baseline: 'base', report: '{outdir}/{chart}.connectivity.md' }, [m]);
    expect(bad.ctx.report.success).toBe(false);
    const w = bad.json.violations.find((x) => x.ruleName === 'connectivity-diff (error)')!;
    expect(w.recommendation).toMatch(/^baseline base cannot be used: base\/cnpg-cilium\.k8s\.yaml: cannot parse YAML: /);
    expect(w.violatingConstructs[0].manifestPath).toBe(path.join('base', 'cnpg-cilium.k8s.yaml'));
  });

  test('properties.baseline is checked when cdk8s-cli creates the plugin', () => {
    expect(() => new CiliumPolicyValidation({ baseline: 3 } as any)).toThrow(/^CiliumPolicyValidation: properties\.baseline must be the name of a folder of earlier manifests/);
    expect(() => new CiliumPolicyValidation({ baseline: ' ' })).toThrow(/properties\.baseline/);
    expect(() => new CiliumPolicyValidation({ baseline: 'base' })).not.toThrow();
  });
});
