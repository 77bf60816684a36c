/**
 * Every example chart: a snapshot of its synthesized manifests, and its connectivity scenario
 * (examples/<name>.connectivity.yaml) checked by `cilium-verify flows` against them. On top of
 * the flows the scenario lists, every pair of scenario pods that no listed flow allows is
 * checked to be refused on the destination's ports: flows nobody granted are dropped.
 *
 * The verifier runs as its command-line tool, the contract of ../shared/scenario-format.md:
 * `npm run build` first (`npm test` does).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart, Testing, Yaml } from 'cdk8s';
import * as YAML from 'yaml';
import { CnpgCiliumExample } from '../examples/cnpg-cilium';
import { FlaskPostgresExample } from '../examples/flask-postgres';
import { FrontendBackendExample } from '../examples/frontend-backend';
import { GatewayDemoExample } from '../examples/gateway-demo';
import { PolicyLayerExample } from '../examples/policy-layer';

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'bin', 'cilium-verify');
const CLI_JS = path.join(ROOT, 'lib', 'src', 'verify', 'cli.js');

type Example = (app: App, id: string) => Chart;
const EXAMPLES: [string, Example][] = [
  ['policy-layer', (a, id) => new PolicyLayerExample(a, id)],
  ['cnpg-cilium', (a, id) => new CnpgCiliumExample(a, id)],
  ['flask-postgres', (a, id) => new FlaskPostgresExample(a, id)],
  ['gateway-demo', (a, id) => new GatewayDemoExample(a, id)],
  ['frontend-backend', (a, id) => new FrontendBackendExample(a, id)],
];
const SCENARIOS = ['cnpg-cilium', 'flask-postgres', 'gateway-demo', 'frontend-backend'];

/** The chart as `npm run synth` writes it: same chart id, hence same names and address labels. */
function synth(name: string): any[] {
  const [, make] = EXAMPLES.find(([n]) => n === name)!;
  const chart = make(Testing.app(), name);
  return Testing.synth(chart);
}

interface VerifiedFlow {
  readonly index: number;
  readonly src: string;
  readonly dst: string;
  readonly proto: string;
  readonly port?: number;
  readonly verdict: string;
  readonly expect?: string;
  readonly ok?: boolean;
  readonly reason?: string;
}

/** Runs `cilium-verify flows <scenario> --manifests <synth> --json`. */
function verify(scenarioFile: string, manifests: any[]): { status: number; flows: VerifiedFlow[]; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'examples-'));
  const manifestFile = path.join(dir, 'manifests.k8s.yaml');
  fs.writeFileSync(manifestFile, Yaml.stringify(...manifests));
  let stdout = '';
  let stderr = '';
  let status = 0;
  try {
    stdout = execFileSync(process.execPath, [CLI, 'flows', scenarioFile, '--manifests', manifestFile, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: any) {
    stdout = e.stdout ?? '';
    stderr = e.stderr ?? '';
    status = e.status ?? 2;
  }
  const flows = stdout.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l));
  return { status, flows, stderr };
}

function describeFlow(f: VerifiedFlow): string {
  return `#${f.index} ${f.src} -> ${f.dst} ${f.proto}/${f.port ?? ''}: ${f.verdict}, expected ${f.expect} (${f.reason ?? ''})`;
}

/**
 * A scenario whose flows are every (source pod, destination pod, destination port) that the
 * scenario does not list as allowed: each expected DROP. Destination ports are those the
 * scenario's flows use towards that pod.
 */
function ungrantedScenario(scenario: any): any {
  const pods = Object.keys(scenario.endpoints ?? {});
  const allowed = new Set<string>();
  const ports = new Map<string, Set<string>>();
  for (const f of scenario.flows ?? []) {
    if (!pods.includes(f.dst) || f.proto === 'ICMP') {
      continue;
    }
    const key = `${f.proto}/${f.port}`;
    ports.set(f.dst, (ports.get(f.dst) ?? new Set()).add(key));
    if (f.expect !== 'DROP') {
      allowed.add(`${f.src}|${f.dst}|${key}`);
    }
  }
  const flows: any[] = [];
  for (const dst of (scenario.ungrantedRefused ?? []) as string[]) {
    for (const key of [...(ports.get(dst) ?? [])].sort()) {
      const [proto, port] = key.split('/');
      for (const src of ['world:198.51.100.99', ...pods]) {
        if (src === dst || allowed.has(`${src}|${dst}|${key}`)) {
          continue;
        }
        flows.push({ src, dst, proto, port: Number(port), expect: 'DROP' });
      }
    }
  }
  return { ...scenario, flows };
}

describe('examples | snapshots', () => {
  test.each(EXAMPLES.map(([n]) => n))('%s synthesizes as recorded', (name) => {
    expect(synth(name)).toMatchSnapshot();
  });

  test('examples/main.ts registers every example under its own chart id', () => {
    const main = fs.readFileSync(path.join(ROOT, 'examples', 'main.ts'), 'utf8');
    for (const [name] of EXAMPLES) {
      expect(main).toMatch(new RegExp(`\\(app, '${name}'\\)`));
    }
  });
});

// Until the verifier's command line is in the source tree these checks are skipped (and say
// so); once it is, a missing build fails them.
const VERIFIER_IN_SOURCE = fs.existsSync(path.join(ROOT, 'src', 'verify', 'cli.ts'));
(VERIFIER_IN_SOURCE ? describe : describe.skip)('examples | connectivity scenarios through cilium-verify', () => {
  beforeAll(() => {
    if (!fs.existsSync(CLI_JS)) {
      throw new Error(`${path.relative(ROOT, CLI_JS)} is missing: run \`npm run build\` before these tests (npm test does)`);
    }
  });

  test.each(SCENARIOS)('%s: every expected flow of its scenario holds', (name) => {
    // GIVEN the synthesized chart and its scenario file
    const file = path.join(ROOT, 'examples', `${name}.connectivity.yaml`);
    const scenario = YAML.parse(fs.readFileSync(file, 'utf8'));
    // WHEN the verifier evaluates it
    const { status, flows, stderr } = verify(file, synth(name));
    // THEN every flow with an expectation holds
    expect(stderr).toBe('');
    expect(flows).toHaveLength(scenario.flows.length);
    expect(flows.filter((f) => f.ok === false).map(describeFlow)).toEqual([]);
    expect(status).toBe(0);
  }, 30_000);

  test('a wrong expectation is reported (the check is not vacuous)', () => {
    // GIVEN the frontend-backend scenario with one expectation turned around
    const scenario = YAML.parse(fs.readFileSync(path.join(ROOT, 'examples', 'frontend-backend.connectivity.yaml'), 'utf8'));
    scenario.flows = [{ src: 'backend', dst: 'kube-dns', proto: 'UDP', port: 53, expect: 'ALLOW' }];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wrong-'));
    const file = path.join(dir, 'wrong.yaml');
    fs.writeFileSync(file, YAML.stringify(scenario));
    // WHEN
    const { status, flows } = verify(file, synth('frontend-backend'));
    // THEN the backend's DNS query is dropped and the run fails
    expect(flows.map((f) => [f.verdict, f.ok])).toEqual([['DROP', false]]);
    expect(status).toBe(1);
  });

  test.each(SCENARIOS.filter((n) => n !== 'cnpg-cilium'))('%s: flows nobody granted are refused', (name) => {
    const file = path.join(ROOT, 'examples', `${name}.connectivity.yaml`);
    const generated = ungrantedScenario(YAML.parse(fs.readFileSync(file, 'utf8')));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ungranted-'));
    const genFile = path.join(dir, `${name}.ungranted.yaml`);
    fs.writeFileSync(genFile, YAML.stringify(generated));
    const { flows } = verify(genFile, synth(name));
    expect(flows.length).toBeGreaterThan(10);
    expect(flows.filter((f) => f.ok === false).map(describeFlow)).toEqual([]);
  }, 30_000);
});
