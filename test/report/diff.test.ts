/**
 * The connectivity diff (`cilium-verify diff BASE NEW`, src/report/diff*.ts): what a change of
 * the manifests newly allows and newly refuses, on the examples.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { connectivityDiff, connectivityMatrix, evaluateMatrix, matrixParties, readScenario } from '../../src/report';
import { runDiffCli } from '../../src/report/diff-cli';
import { main } from '../../src/cli/cilium-verify';
import {
  WORLD_TO_DATABASE, flaskWithRoutes, networkPolicyDefaultDeny, reorderedAndRenamed, without,
} from '../util/example-diffs';
import { EXAMPLE_CHARTS, ROOT, scenarioBindings, synthExample } from '../util/example-reports';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'csp-diff-'));
afterAll(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

const CNPG = synthExample('cnpg-cilium');
const INSTANCES = 'default/cluster-example instances';
const OPERATOR = 'pods app.kubernetes.io/name=cloudnative-pg (cnpg-system)';

/** Writes the objects as `npm run synth` writes a chart: `dir/name.k8s.yaml`. */
function write(dir: string, name: string, objects: readonly any[]): string {
  fs.mkdirSync(path.join(tmp, dir), { recursive: true });
  const f = path.join(tmp, dir, `${name}.k8s.yaml`);
  fs.writeFileSync(f, Yaml.stringify(...objects));
  return f;
}

function capture() {
  const io = { outText: '', errText: '', out: (s: string) => { io.outText += `${s}\n`; }, err: (s: string) => { io.errText += `${s}\n`; } };
  return io;
}

describe('connectivityDiff', () => {
  test('the matrix is its parties evaluated: connectivityMatrix = evaluateMatrix(matrixParties)', () => {
    const input = { objects: CNPG };
    const a = connectivityMatrix(input);
    const b = evaluateMatrix(matrixParties(input), input);
    expect(b.flows.map((f) => [f.src, f.dst, f.port, f.result.verdict, f.http])).toEqual(a.flows.map((f) => [f.src, f.dst, f.port, f.result.verdict, f.http]));
  });

  test.each(Object.keys(EXAMPLE_CHARTS))('%s against itself (with its scenarios): 0 newly allowed, 0 newly refused', (chart) => {
    const objects = synthExample(chart);
    const scenarios = (scenarioBindings()[chart] ?? []).map((f) => readScenario(path.join(ROOT, f)));
    const d = connectivityDiff({ base: objects, next: synthExample(chart), scenarios });
    expect(d.flows).toEqual([]);
    expect(d.base.flows.length).toBeGreaterThan(0);
    expect(d.base.flows.length).toBe(d.next.flows.length);
  });

  test('a policy that opens world to the database: newly allowed, with the rule of NEW', () => {
    const d = connectivityDiff({ base: CNPG, next: [...CNPG, WORLD_TO_DATABASE] });
    expect(d.refused).toEqual([]);
    expect(d.allowed).toEqual([expect.objectContaining({
      change: 'allowed', src: 'the internet (world)', dst: INSTANCES, proto: 'TCP', port: 5432, l7: [],
      rule: 'ingress: CiliumNetworkPolicy default/cluster-example-from-world spec.ingress[0]', l7Only: false,
    })]);
  });

  test('the instances\' ingress policy removed: the operator\'s 8000 flow is newly refused, with the rule of BASE', () => {
    const d = connectivityDiff({ base: CNPG, next: without(CNPG, 'cluster-example-instances-ingress') });
    expect(d.allowed).toEqual([]);
    const op = d.refused.find((f) => f.src === OPERATOR && f.dst === INSTANCES && f.port === 8000)!;
    expect(op).toMatchObject({
      change: 'refused', proto: 'TCP',
      rule: 'ingress: CiliumNetworkPolicy default/cluster-example-instances-ingress spec.ingress[0]',
      reason: 'ingress: default deny (CiliumNetworkPolicy default/cluster-example-from-backend), no rule allows it',
    });
    expect(d.refused.map((f) => `${f.src} -> ${f.dst} ${f.proto}/${f.port}`)).toEqual([
      `${INSTANCES} -> ${INSTANCES} TCP/5432`,
      `${INSTANCES} -> ${INSTANCES} TCP/8000`,
      `default/cluster-example jobs -> ${INSTANCES} TCP/5432`,
      `default/cluster-example-pooler-rw pooler -> ${INSTANCES} TCP/5432`,
      `kube-apiserver -> ${INSTANCES} TCP/8000`,
      `${OPERATOR} -> ${INSTANCES} TCP/8000`,
    ]);
  });

  test('documents reordered and a policy renamed, its rules the same: 0/0', () => {
    const next = reorderedAndRenamed(CNPG, 'cluster-example-instances-ingress', 'instances-ingress-renamed');
    expect(connectivityDiff({ base: CNPG, next }).flows).toEqual([]);
  });

  test('a NetworkPolicy default deny (cdk8s-plus) is seen: pods of the namespace newly refused', () => {
    const d = connectivityDiff({ base: CNPG, next: [...CNPG, ...networkPolicyDefaultDeny('backend')] });
    expect(d.allowed).toEqual([]);
    expect(d.refused.length).toBeGreaterThan(0);
    expect(d.refused.every((f) => f.dstNamespace === 'backend')).toBe(true);
    expect(d.refused[0]).toMatchObject({ rule: 'no policy restricts it', reason: 'ingress: default deny (NetworkPolicy backend/backend-default-deny-ingress), no rule allows it' });
  });

  test('a party only one side has is probed on both sides (a new workload with its own policy)', () => {
    const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }] }] } } } };
    const open = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'web', namespace: 'shop' },
      spec: { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{ fromEntities: ['world'], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] } };
    const d = connectivityDiff({ base: CNPG, next: [...CNPG, web, open] });
    // before, nothing restricted the pod: only the flows the new policy refuses are changes
    expect(d.allowed).toEqual([]);
    expect(d.refused.length).toBeGreaterThan(0);
    expect(d.refused.every((f) => f.dst.startsWith('shop/web'))).toBe(true);
    expect(d.refused.some((f) => f.src === 'the internet (world)' && f.port === 8080)).toBe(false);
  });
});

describe('L7 routes', () => {
  const FLASK = synthExample('flask-postgres');
  const world = (fs: readonly any[]) => fs.filter((f) => f.src === 'the internet (world)');

  test('routes added and removed: newly allowed with the added routes, newly refused with the removed ones', () => {
    const d = connectivityDiff({ base: FLASK, next: flaskWithRoutes([{ method: 'GET', path: '/' }, { method: 'POST', path: '/login' }]) });
    expect(d.refused).toEqual([]);
    expect(world(d.allowed)).toEqual([expect.objectContaining({
      dst: 'db/flask-app', proto: 'TCP', port: 5000, l7: ['POST /login'], l7Only: true,
      rule: 'ingress: CiliumNetworkPolicy db/flask-app-from-anyone spec.ingress[0].toPorts[0]',
      reason: 'L7 routes added (allowed before: GET /)',
    })]);
    const changed = connectivityDiff({ base: FLASK, next: flaskWithRoutes([{ method: 'GET', path: '/health' }]) });
    expect(world(changed.allowed).map((f) => f.l7)).toEqual([['GET /health']]);
    expect(world(changed.refused)).toEqual([expect.objectContaining({
      l7: ['GET /'], rule: 'ingress: CiliumNetworkPolicy db/flask-app-from-anyone spec.ingress[0].toPorts[0]',
      reason: 'L7 routes removed (still allowed: GET /health): ingress: CiliumNetworkPolicy db/flask-app-from-anyone spec.ingress[0].toPorts[0]',
    })]);
  });

  test('L7 rules taken off: newly allowed `any`; put on an open port: newly refused `any`', () => {
    const open = flaskWithRoutes(undefined);
    const off = connectivityDiff({ base: FLASK, next: open });
    expect(off.refused).toEqual([]);
    expect(world(off.allowed)).toEqual([expect.objectContaining({ l7: ['any'], reason: 'no L7 rules any more (allowed before: GET /)' })]);
    const on = connectivityDiff({ base: open, next: FLASK });
    expect(on.allowed).toEqual([]);
    expect(world(on.refused)).toEqual([expect.objectContaining({ l7: ['any'], reason: expect.stringMatching(/^L7 rules now allow only GET \/: ingress: /) })]);
  });

  test('the same routes in another order: no change', () => {
    const a = flaskWithRoutes([{ method: 'GET', path: '/a' }, { method: 'GET', path: '/b' }]);
    const b = flaskWithRoutes([{ method: 'GET', path: '/b' }, { method: 'GET', path: '/a' }]);
    expect(connectivityDiff({ base: a, next: b }).flows).toEqual([]);
  });
});

describe('cilium-verify diff', () => {
  const base = write('base', 'cnpg-cilium', CNPG);
  const folders = () => {
    for (const chart of Object.keys(EXAMPLE_CHARTS)) {
      write('all-a', chart, synthExample(chart));
      write('all-b', chart, synthExample(chart));
    }
    return [path.join(tmp, 'all-a'), path.join(tmp, 'all-b')];
  };

  test('the synthesis of every example against itself (folders): 0/0, the summary line alone on stderr', async () => {
    const [a, b] = folders();
    const io = capture();
    expect(await main(['diff', a, b], io)).toBe(0);
    expect(io.errText).toBe('cilium-verify diff: 0 newly allowed, 0 newly refused\n');
    expect(io.outText).toMatch(/^# Connectivity diff\n/);
    expect(io.outText).toContain('**0 newly allowed, 0 newly refused** (flows: from, to, port).');
    expect(io.outText).toContain('## Newly allowed\n\nNothing.\n\n## Newly refused\n\nNothing.\n');
    expect(io.outText).not.toContain('```mermaid');
  });

  test('Markdown: tables with the rules, a flowchart of the changed edges only; --out; --fail-on-new-allow', async () => {
    const next = write('both', 'cnpg-cilium', [...without(CNPG, 'cluster-example-instances-ingress'), WORLD_TO_DATABASE]);
    const out = path.join(tmp, 'out', 'diff.md');
    const io = capture();
    expect(await runDiffCli([base, next, '--out', out], io)).toBe(0);
    expect(io.outText).toBe('');
    expect(io.errText).toBe('cilium-verify diff: 1 newly allowed, 6 newly refused\n');
    const md = fs.readFileSync(out, 'utf8');
    expect(md).toContain('| the internet (world) | default/cluster-example instances | TCP/5432 | any | ingress: CiliumNetworkPolicy default/cluster-example-from-world spec.ingress[0] |');
    expect(md).toContain(`| *${OPERATOR}* | ${INSTANCES} | TCP/8000 | any | ingress: CiliumNetworkPolicy default/cluster-example-instances-ingress spec.ingress[0] | ` +
      'ingress: default deny (CiliumNetworkPolicy default/cluster-example-from-backend), no rule allows it |');
    // one row for the ports that share everything else
    expect(md).toContain(`| ${INSTANCES} | ${INSTANCES} | TCP/5432, TCP/8000 | any |`);
    const mermaid = md.slice(md.indexOf('```mermaid'));
    expect(mermaid).toMatch(/n\d+ -->\|"TCP\/5432"\| n\d+/);
    expect(mermaid).toMatch(/n\d+ -\.->\|"TCP\/8000"\| n\d+/);
    const edges = mermaid.split('\n').filter((l) => /-->|-\.->/.test(l));
    expect(edges[0]).toContain('-->'); // newly allowed first, then newly refused
    expect(mermaid).toContain('  linkStyle 0 stroke:#1a7f37,stroke-width:2px\n');
    for (let i = 1; i < edges.length; i++) expect(mermaid).toContain(`  linkStyle ${i} stroke:#cf222e,stroke-width:2px,stroke-dasharray:6 4\n`);
    // only the ends of changed edges: instances, jobs, pooler, kube-apiserver, the operator, world
    expect(mermaid.split('\n').filter((l) => /^\s*n\d+(\[|\(\[)/.test(l))).toHaveLength(6);
    // deterministic
    const again = capture();
    await runDiffCli([base, next], again);
    expect(again.outText).toBe(md);
    const strict = capture();
    expect(await runDiffCli([base, next, '--fail-on-new-allow'], strict)).toBe(1);
    const notNew = capture();
    expect(await runDiffCli([next, next, '--fail-on-new-allow'], notNew)).toBe(0);
  });

  test('--json: one object per changed flow, the summary on stderr', async () => {
    const next = write('world', 'cnpg-cilium', [...without(CNPG, 'cluster-example-instances-ingress'), WORLD_TO_DATABASE]);
    const io = capture();
    expect(await runDiffCli([base, next, '--json'], io)).toBe(0);
    expect(io.errText).toBe('cilium-verify diff: 1 newly allowed, 6 newly refused\n');
    const lines = io.outText.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(7);
    for (const l of lines) expect(Object.keys(l)).toEqual(['change', 'src', 'dst', 'proto', 'port', 'l7', 'rule', 'reason']);
    expect(lines).toContainEqual({
      change: 'allowed', src: 'the internet (world)', dst: INSTANCES, proto: 'TCP', port: 5432, l7: [],
      rule: 'ingress: CiliumNetworkPolicy default/cluster-example-from-world spec.ingress[0]', reason: expect.stringMatching(/allowed by CiliumNetworkPolicy default\/cluster-example-from-world spec\.ingress\[0\]$/),
    });
    expect(lines).toContainEqual({
      change: 'refused', src: OPERATOR, dst: INSTANCES, proto: 'TCP', port: 8000, l7: [],
      rule: 'ingress: CiliumNetworkPolicy default/cluster-example-instances-ingress spec.ingress[0]',
      reason: 'ingress: default deny (CiliumNetworkPolicy default/cluster-example-from-backend), no rule allows it',
    });
  });

  test('--scenario: its endpoints stand for the workloads on both sides', async () => {
    const scenario = path.join(ROOT, 'examples', 'cnpg-cilium.connectivity.yaml');
    const next = write('scen', 'cnpg-cilium', without(CNPG, 'cluster-example-instances-ingress'));
    const io = capture();
    expect(await runDiffCli([base, next, '--scenario', scenario, '--json'], io)).toBe(0);
    const lines = io.outText.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((l) => l.src === 'operator' && l.dst === 'cluster-example-1' && l.port === 8000 && l.change === 'refused')).toBe(true);
  });

  test('errors: missing BASE, bad YAML in NEW, unknown option, wrong number of paths: exit 2 naming the problem', async () => {
    const missing = capture();
    expect(await runDiffCli([path.join(tmp, 'nope'), base], missing)).toBe(2);
    expect(missing.errText).toBe(`cilium-verify diff: error: ${path.join(tmp, 'nope')}: cannot read: no such file or directory\n`);
    const badFile = path.join(tmp, 'bad.k8s.yaml');
    fs.writeFileSync(badFile, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n');
    const bad = capture();
    expect(await runDiffCli([base, badFile], bad)).toBe(2);
    expect(bad.errText).toMatch(new RegExp(`^cilium-verify diff: error: ${badFile.replace(/[.]/g, '\\.')}: cannot parse YAML: `));
    const badScenario = path.join(tmp, 'bad.connectivity.yaml');
    fs.writeFileSync(badScenario, 'flows:\n  - {src: a, dst: b, proto: TCP, port: 1}\n');
    const scen = capture();
    expect(await runDiffCli([base, base, '--scenario', badScenario], scen)).toBe(2);
    expect(scen.errText).toMatch(/^cilium-verify diff: error: .*bad\.connectivity\.yaml: flows\[0\]\.src: unknown endpoint "a"/);
    const unknown = capture();
    expect(await runDiffCli([base, base, '--bogus'], unknown)).toBe(2);
    expect(unknown.errText).toMatch(/^cilium-verify diff: error: unknown option --bogus\nusage: cilium-verify diff /);
    const one = capture();
    expect(await runDiffCli([base], one)).toBe(2);
    expect(one.errText).toMatch(/needs the base and the new manifests/);
    const three = capture();
    expect(await runDiffCli([base, base, base], three)).toBe(2);
    expect(three.errText).toMatch(/more than two manifest paths/);
    const help = capture();
    expect(await main(['diff', '--help'], help)).toBe(0);
    expect(help.outText).toMatch(/^usage: cilium-verify diff /);
    const usage = capture();
    expect(await main(['--help'], usage)).toBe(0);
    expect(usage.outText).toContain('cilium-verify diff <base file|dir> <new file|dir>');
  });
});
