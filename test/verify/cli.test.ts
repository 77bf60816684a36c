/**
 * `cilium-verify flows`: output format, exit status, malformed files, and every scenario
 * fixture of test/verify/fixtures (cases from Cilium's docs and tests) through the CLI.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/cilium-verify';

const FIXTURES = path.join(__dirname, 'fixtures');
const ROOT = path.join(__dirname, '..', '..');

async function runCli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cilium-verify-'));
});
afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const p = path.join(tmp, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

const BASIC = `
env: {version: "1.19"}
id: ignored-doc-key
policies:
  - apiVersion: cilium.io/v2
    kind: CiliumNetworkPolicy
    metadata: {name: x, namespace: default}
    spec:
      endpointSelector: {matchLabels: {app: backend}}
      ingress:
      - fromEndpoints: [{matchLabels: {app: frontend}}]
        toPorts: [{ports: [{port: "80", protocol: TCP}]}]
endpoints:
  frontend: {labels: {app: frontend}}
  backend: {labels: {app: backend}}
flows:
  - {src: frontend, dst: backend, proto: TCP, port: 80, expect: ALLOW}
  - {src: backend, dst: frontend, proto: TCP, port: 80}
  - {src: frontend, dst: backend, proto: TCP, port: 81, expect: DROP}
`;

describe('cilium-verify flows output', () => {
  test('one line per flow and a summary; exit 0 when every expectation holds', async () => {
    const r = await runCli(['flows', write('basic.yaml', BASIC)]);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(4);
    expect(r.out[0]).toBe('[ok] 0 frontend -> backend TCP/80 ALLOW (expected ALLOW): egress of frontend: no policy selects frontend for egress: not enforced; ingress of backend: allowed by CiliumNetworkPolicy default/x spec.ingress[0]');
    expect(r.out[1]).toMatch(/^\[--\] 1 backend -> frontend TCP\/80 ALLOW: /);
    expect(r.out[2]).toMatch(/^\[ok\] 2 frontend -> backend TCP\/81 DROP \(expected DROP\): ingress of backend: backend is in ingress default deny/);
    expect(r.out[3]).toBe('3 flows: 2 as expected, 0 unexpected, 1 unchecked');
  });

  test('--json prints exactly one JSON object per flow with the contract keys', async () => {
    const r = await runCli(['flows', write('basic.yaml', BASIC), '--json']);
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(3);
    const recs = r.out.map((l) => JSON.parse(l));
    expect(Object.keys(recs[0])).toEqual(['index', 'src', 'dst', 'proto', 'port', 'verdict', 'expect', 'ok', 'reason']);
    expect(recs[0]).toMatchObject({ index: 0, src: 'frontend', dst: 'backend', proto: 'TCP', port: 80, verdict: 'ALLOW', expect: 'ALLOW', ok: true });
    expect(Object.keys(recs[1])).toEqual(['index', 'src', 'dst', 'proto', 'port', 'verdict', 'reason']);
    expect(recs[2]).toMatchObject({ verdict: 'DROP', ok: true });
  });

  test('exit 1 when a flow does not get its expected verdict', async () => {
    const text = BASIC.replace('port: 81, expect: DROP', 'port: 81, expect: ALLOW');
    const r = await runCli(['flows', write('fail.yaml', text)]);
    expect(r.code).toBe(1);
    expect(r.out[2]).toMatch(/^\[FAIL\] 2 frontend -> backend TCP\/81 DROP \(expected ALLOW\)/);
    expect(r.out[3]).toBe('3 flows: 1 as expected, 1 unexpected, 1 unchecked');
  });

  test('--manifests adds files and folders (multi-document, recursive) to the inline policies', async () => {
    const scenario = write(
      'm/scenario.yaml',
      `endpoints:
  a: {labels: {app: a}}
  b: {labels: {app: b}}
flows:
  - {src: a, dst: b, proto: TCP, port: 80, expect: DROP}
  - {src: b, dst: a, proto: TCP, port: 80, expect: DROP}
  - {src: b, dst: a, proto: UDP, port: 53, expect: ALLOW}
`,
    );
    write(
      'm/pol/one.yaml',
      `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: b-in}
spec:
  endpointSelector: {matchLabels: {app: b}}
  ingress: [{}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ignored}
`,
    );
    write(
      'm/pol/nested/two.yml',
      `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: a-in}
spec:
  endpointSelector: {matchLabels: {app: a}}
  ingress: [{toPorts: [{ports: [{port: "53", protocol: UDP}]}]}]
`,
    );
    const single = write('m/single.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n');
    const r = await runCli(['flows', scenario, '--manifests', path.join(tmp, 'm/pol'), '--manifests', single]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
  });

  test('--help prints the usage and exits 0; no arguments exit 2', async () => {
    const h = await runCli(['--help']);
    expect(h.code).toBe(0);
    expect(h.out.join('\n')).toContain('cilium-verify flows <scenario.yaml> [--manifests <file|dir> ...] [--json]');
    const none = await runCli([]);
    expect(none.code).toBe(2);
    const unknown = await runCli(['flows', write('basic.yaml', BASIC), '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.err.join('\n')).toContain('unknown option --bogus');
  });
});

describe('malformed scenario files exit 2 naming the file and the key', () => {
  const cases: [string, string, RegExp][] = [
    ['bad proto', 'endpoints: {a: {}}\nflows:\n  - {src: a, dst: a, proto: HTTP, port: 80}\n', /flows\[0\]\.proto: must be one of TCP, UDP, SCTP, ICMP, got "HTTP"/],
    ['unknown endpoint', 'endpoints: {a: {}}\nflows:\n  - {src: a, dst: nobody, proto: TCP, port: 80}\n', /flows\[0\]\.dst: unknown endpoint "nobody"/],
    ['missing src', 'endpoints: {a: {}}\nflows:\n  - {dst: a, proto: TCP, port: 80}\n', /flows\[0\]\.src: is required/],
    ['missing dst', 'endpoints: {a: {}}\nflows:\n  - {src: a, proto: TCP, port: 80}\n', /flows\[0\]\.dst: is required/],
    ['port of the wrong type', 'endpoints: {a: {}}\nflows:\n  - {src: a, dst: a, proto: TCP, port: [80]}\n', /flows\[0\]\.port: must be an integer/],
    ['port out of range', 'endpoints: {a: {}}\nflows:\n  - {src: a, dst: world:1.2.3.4, proto: UDP, port: 70000}\n', /flows\[0\]\.port: must be an integer 0..65535/],
    ['labels not a map', 'endpoints:\n  a: {labels: [app]}\nflows: []\n', /endpoints\.a\.labels: must be a map/],
    ['flows not a list', 'flows: {src: a}\n', /flows: must be a list/],
    ['bad expect', 'endpoints: {a: {}}\nflows:\n  - {src: a, dst: host, proto: TCP, port: 1, expect: MAYBE}\n', /flows\[0\]\.expect: must be one of ALLOW, DROP, L7_DENY/],
    ['bad env value', 'env: {policyEnforcementMode: sometimes}\n', /env\.policyEnforcementMode: must be one of default, always, never/],
    ['bad version', 'env: {version: banana}\n', /env\.version: must be a Cilium version/],
    ['bad world address', 'flows:\n  - {src: "world:not-an-ip", dst: host, proto: TCP, port: 1}\n', /flows\[0\]\.src: unknown endpoint "world:not-an-ip"/],
    ['bad dns entry', 'dns: {a.example: [not-an-ip]}\n', /dns\.a\.example\[0\]: not an IP address/],
    ['YAML syntax error', 'flows: [\n  - {src: a\n', /cannot parse YAML/],
    ['not a map', '- just\n- a list\n', /must be a map, got a list/],
  ];
  test.each(cases)('%s', async (name, text, msg) => {
    const file = write(`bad-${name.replace(/\W+/g, '-')}.yaml`, text);
    const r = await runCli(['flows', file]);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toContain(file);
    expect(r.err[0]).toMatch(msg);
  });

  test('an unreadable scenario file or manifest path exits 2 with its name', async () => {
    const missing = path.join(tmp, 'does-not-exist.yaml');
    const r = await runCli(['flows', missing]);
    expect(r.code).toBe(2);
    expect(r.err[0]).toContain(missing);
    const m = await runCli(['flows', write('basic.yaml', BASIC), '--manifests', path.join(tmp, 'nope')]);
    expect(m.code).toBe(2);
    expect(m.err[0]).toContain(path.join(tmp, 'nope'));
  });

  test('a malformed manifest file exits 2 naming the file and the document', async () => {
    const bad = write('badmanifests.yaml', 'kind: A\n---\nkind: [\n');
    const r = await runCli(['flows', write('basic.yaml', BASIC), '--manifests', bad]);
    expect(r.code).toBe(2);
    expect(r.err[0]).toContain(bad);
    expect(r.err[0]).toContain('document 2');
  });
});

describe('scenario fixtures from Cilium docs and tests', () => {
  const files = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.yaml')).sort();

  test('there are at least a dozen fixtures and each has expectations', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
  });

  test.each(files)('%s: every flow gets its expected verdict', async (f) => {
    const r = await runCli(['flows', path.join(FIXTURES, f), '--json']);
    const failures = r.out.map((l) => JSON.parse(l)).filter((x) => x.ok !== true);
    expect(r.err).toEqual([]);
    expect(failures).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out.length).toBeGreaterThan(0);
  });
});

const BIN = path.join(ROOT, 'bin', 'cilium-verify');
const LIB_CLI = path.join(ROOT, 'lib', 'src', 'verify', 'cli.js');
const built = fs.existsSync(LIB_CLI);
(built ? describe : describe.skip)('bin/cilium-verify (compiled; run `npm run build` first)', () => {
  test('runs every fixture folder file and exits with the contract status codes', () => {
    for (const f of fs.readdirSync(FIXTURES).filter((x) => x.endsWith('.yaml'))) {
      const r = spawnSync(process.execPath, [BIN, 'flows', path.join(FIXTURES, f)], { encoding: 'utf8' });
      expect({ f, status: r.status, stderr: r.stderr }).toEqual({ f, status: 0, stderr: '' });
      expect(r.stdout.trim().split('\n').pop()).toMatch(/^\d+ flows: \d+ as expected, 0 unexpected, 0 unchecked$/);
    }
    const bad = spawnSync(process.execPath, [BIN, 'flows', path.join(tmp, 'missing.yaml')], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('missing.yaml');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});
