/**
 * The connectivity report (`cilium-verify report`, src/report).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { CnpgCiliumExample } from '../examples/cnpg-cilium';
import { PolicyLayerExample } from '../examples/policy-layer';
import { connectivityReport, readScenario, reportJson } from '../src/report';
import { runReportCli } from '../src/report/cli';

const EXAMPLES = path.join(__dirname, '..', 'examples');

function cnpgObjects(): any[] {
  return Testing.synth(new CnpgCiliumExample(Testing.app(), 'cnpg-cilium'));
}

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'csp-report-')); });
afterAll(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

function writeYaml(name: string, objects: any[]): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, objects.map((o) => YAML.stringify(o)).join('---\n'));
  return f;
}

function capture() {
  const io = { outText: '', errText: '', out: (s: string) => { io.outText += `${s}\n`; }, err: (s: string) => { io.errText += `${s}\n`; } };
  return io;
}

describe('connectivityReport on the cnpg-cilium example', () => {
  const objects = cnpgObjects();
  const r = connectivityReport({ objects, sources: ['cnpg-cilium.k8s.yaml'] });

  test('per namespace: pods and selecting policies, allowed flows with deciding rules, refused, Mermaid', () => {
    const md = r.markdown;
    expect(md).toMatch(/^# Connectivity report\n/);
    expect(md).toContain('## Namespace `default`');
    expect(md).toMatch(/\| default\/cluster-example instances \| CNPG Cluster default\/cluster-example \| default deny \| default deny \| .*cluster-example-instances-default-deny/);
    // the operator's status checks, replication, Jobs, the pooler, the API server
    expect(md).toMatch(/\| \*pods app\.kubernetes\.io\/name=cloudnative-pg \(cnpg-system\)\* \| default\/cluster-example instances \| TCP\/8000 \| any \| ingress: CiliumNetworkPolicy default\/cluster-example-instances-ingress spec\.ingress\[\d\] \|/);
    expect(md).toMatch(/\| default\/cluster-example instances \| default\/cluster-example instances \| TCP\/5432, TCP\/8000 \|/);
    expect(md).toMatch(/\| default\/cluster-example jobs \| default\/cluster-example instances \| TCP\/5432 \|/);
    expect(md).toMatch(/\| kube-apiserver \| default\/cluster-example instances \| TCP\/8000 \|/);
    expect(md).toMatch(/\| default\/cluster-example instances \| kube-apiserver \| TCP\/443, TCP\/6443 \|/);
    // the grants of the example: role=backend in default, every pod of namespace backend
    expect(md).toMatch(/\| \*pods role=backend \(default\)\* \| default\/cluster-example instances \| TCP\/5432 \|/);
    // what stays refused
    expect(md).toContain('### Refused');
    expect(md).toContain('| default/cluster-example instances | from | TCP/8000 | every probed peer except host (node), kube-apiserver, '
      + '*pods app.kubernetes.io/name=cloudnative-pg (cnpg-system)* | ingress CiliumNetworkPolicy default/cluster-example-from-backend |');
    expect(md).toMatch(/\| default\/cluster-example instances \| from \| TCP\/5432 \| .*the internet \(world\).* \| ingress CiliumNetworkPolicy default\/cluster-example-from-backend \|/);
    expect(md).not.toMatch(/the internet \(world\) \| default\/cluster-example instances/);
    // a Mermaid flowchart with namespaces as subgraphs
    expect(md).toContain('```mermaid\nflowchart LR\n');
    expect(md).toMatch(/subgraph ns_\d+\["namespace default"\]/);
    expect(md).toMatch(/n\d+ -->\|"TCP\/8000"\| n\d+/);
  });

  test('is deterministic', () => {
    const again = connectivityReport({ objects: cnpgObjects(), sources: ['cnpg-cilium.k8s.yaml'] });
    expect(again.markdown).toBe(r.markdown);
    expect(r.markdown).not.toMatch(/\d{4}-\d{2}-\d{2}T/); // no timestamps
  });

  test('with the example scenario: every flow checked and listed', () => {
    const s = readScenario(path.join(EXAMPLES, 'cnpg-cilium.connectivity.yaml'));
    const withScenario = connectivityReport({ objects, scenarios: [s] });
    const expected = s.flows.filter((f) => f.expect).length;
    expect(withScenario.failures).toEqual([]);
    expect(withScenario.markdown).toContain(`${expected} of ${expected} expected verdicts hold.`);
    // the scenario's endpoints stand for the workloads
    expect(withScenario.markdown).toMatch(/\| operator \| cluster-example-1 \| TCP\/8000 \|/);
    const json = reportJson(withScenario);
    expect(json.checks).toHaveLength(s.flows.length);
    expect(json.allowed.some((a: any) => a.src === 'operator' && a.dst === 'cluster-example-1' && a.port === 8000)).toBe(true);
  });
});

test('L7 rules show in the table and the diagram', () => {
  const objects = Testing.synth(new PolicyLayerExample(Testing.app(), 'policy-layer'));
  const md = connectivityReport({ objects }).markdown;
  expect(md).toMatch(/\| \*pods app=frontend \(frontend\)\* \| \*pods app=api \(backend\)\* \| TCP\/3000 \| GET \/health \|/);
  expect(md).toMatch(/-->\|"TCP\/3000 \(GET \/health\)"\|/);
  expect(md).toMatch(/\| DNS api\.marktaguiad\.dev \|/);
});

test('policies without effect are listed first', () => {
  const objects = [{
    apiVersion: 'cilium.io/v1alpha1', kind: 'CiliumNetworkPolicy', metadata: { name: 'backend-only', namespace: 'default' },
    spec: { endpointSelector: { matchLabels: { app: 'backend' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'frontend' } }] }] },
  }];
  const md = connectivityReport({ objects }).markdown;
  expect(md).toContain('## Policies without effect');
  expect(md).toMatch(/CiliumNetworkPolicy default\/backend-only is not created: .*cilium\.io\/v1alpha1/);
});

describe('cilium-verify report', () => {
  test('--out writes the Markdown and prints one summary line', async () => {
    const manifests = writeYaml('cnpg.k8s.yaml', cnpgObjects());
    const out = path.join(tmp, 'out', 'connectivity.md');
    const io = capture();
    const code = await runReportCli([manifests, '--scenario', path.join(EXAMPLES, 'cnpg-cilium.connectivity.yaml'), '--out', out], io);
    expect(code).toBe(0);
    expect(io.errText).toBe('');
    expect(io.outText.trim().split('\n')).toHaveLength(1);
    expect(io.outText).toMatch(/^cilium-verify report: 1 manifest file, \d+ policies selecting pods, \d+ pods and peers in \d+ namespaces, \d+ allowed pairs, 58 of 58 scenario flows as expected: /);
    expect(fs.readFileSync(out, 'utf8')).toContain('```mermaid');
  });

  test('without --out the Markdown goes to stdout and the summary to stderr; --json for machines', async () => {
    const manifests = writeYaml('cnpg2.k8s.yaml', cnpgObjects());
    const io = capture();
    expect(await runReportCli([manifests], io)).toBe(0);
    expect(io.outText).toMatch(/^# Connectivity report/);
    expect(io.errText).toMatch(/^cilium-verify report: .*\n$/);
    const j = capture();
    expect(await runReportCli([manifests, '--json'], j)).toBe(0);
    const parsed = JSON.parse(j.outText);
    expect(parsed.version).toBe('1.19');
    expect(parsed.allowed.length).toBeGreaterThan(5);
  });

  test('a folder of manifests is read like the files in it', async () => {
    const dir = path.join(tmp, 'folder');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'a.yaml'), cnpgObjects().map((o) => YAML.stringify(o)).join('---\n'));
    const io = capture();
    expect(await runReportCli([dir, '--out', path.join(tmp, 'folder.md')], io)).toBe(0);
    expect(io.outText).toContain('1 manifest file');
  });

  test('exit 1 when a scenario flow has another verdict than expected', async () => {
    const manifests = writeYaml('cnpg3.k8s.yaml', cnpgObjects());
    const scenario = path.join(tmp, 'wrong.connectivity.yaml');
    fs.writeFileSync(scenario, [
      'endpoints:',
      '  app: {namespace: default, labels: {app: web}}',
      '  db: {namespace: default, labels: {cnpg.io/cluster: cluster-example, cnpg.io/podRole: instance}}',
      'flows:',
      '  - {src: app, dst: db, proto: TCP, port: 5432, expect: ALLOW}',
      '',
    ].join('\n'));
    const io = capture();
    expect(await runReportCli([manifests, '--scenario', scenario, '--out', path.join(tmp, 'wrong.md')], io)).toBe(1);
    expect(io.errText).toMatch(/wrong\.connectivity\.yaml: flows\[0\] app -> db TCP\/5432: expected ALLOW, got DROP: /);
    expect(fs.readFileSync(path.join(tmp, 'wrong.md'), 'utf8')).toContain('0 of 1 expected verdicts hold, **1 do not**');
  });

  test('exit 2, with the file and the key, for input that cannot be used', async () => {
    let io = capture();
    expect(await runReportCli([path.join(tmp, 'missing.yaml')], io)).toBe(2);
    expect(io.errText).toMatch(/^cilium-verify report: error: .*missing\.yaml: cannot read: no such file or directory\n$/);
    const bad = path.join(tmp, 'bad.connectivity.yaml');
    fs.writeFileSync(bad, 'endpoints:\n  a: {namespace: x, labels: {}}\n  b: {namespace: x, labels: {}}\nflows:\n  - {src: a, dst: b, proto: TCPX, port: 1}\n');
    io = capture();
    expect(await runReportCli([writeYaml('x.yaml', []), '--scenario', bad], io)).toBe(2);
    expect(io.errText).toMatch(/^cilium-verify report: error: .*bad\.connectivity\.yaml: flows\[0\]\.proto: .*TCPX/);
    io = capture();
    expect(await runReportCli(['--frobnicate'], io)).toBe(2);
    expect(io.errText).toMatch(/unknown option --frobnicate\nusage: cilium-verify report/);
    io = capture();
    expect(await runReportCli([], io)).toBe(2);
  });
});

test('an App with several charts can be reported as one', () => {
  const app = new App({ outdir: tmp });
  const a = new Chart(app, 'a');
  new CnpgCiliumExample(a, 'x');
  const objs = app.charts.flatMap((c) => c.toJson());
  expect(connectivityReport({ objects: objs }).markdown).toContain('## Namespace `default`');
});
