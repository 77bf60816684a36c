/**
 * Consumer test: `npm pack` the built package, install the tarball into a fresh temporary cdk8s
 * app without any network (the tarball is extracted into the app's node_modules; its peer
 * dependencies and the tools are linked from this repository's node_modules, i.e. from the
 * lockfile), write a small chart, compile it against the packed type declarations and run
 * `cdk8s synth` on it.
 *
 * Needs `lib/` (run through `npm test`, which builds first).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'yaml';

const ROOT = path.resolve(__dirname, '..');
const NODE_MODULES = path.join(ROOT, 'node_modules');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** Runs a command, returning stdout; on failure the error carries stdout and stderr. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(cmd, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_offline: 'true', CDK8S_CHECK_UPGRADE: 'false', ...env },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e: any) {
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

function link(appModules: string, name: string): void {
  const target = path.join(NODE_MODULES, name);
  const dest = path.join(appModules, name);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.symlinkSync(target, dest, 'dir');
}

let work: string;
let tarball: string;
let files: string[];

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, 'lib', 'src', 'index.js')) || !fs.existsSync(path.join(ROOT, '.jsii'))) {
    throw new Error('lib/ or .jsii is missing: run `npm run build` (or `npm test`) first');
  }
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'csp-consumer-'));
  const out = run('npm', ['pack', '--json', '--pack-destination', work, '--ignore-scripts'], ROOT);
  const info = JSON.parse(out.slice(out.indexOf('[')));
  tarball = path.join(work, info[0].filename);
  files = info[0].files.map((f: any) => f.path).sort();
});

afterAll(() => {
  if (work && !process.env.KEEP_CONSUMER_APP) fs.rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the compiled library, the jsii assembly and the docs, not the sources', () => {
  expect(fs.existsSync(tarball)).toBe(true);
  for (const f of ['package.json', '.jsii', 'API.md', 'README.md', 'lib/src/index.js', 'lib/src/index.d.ts', 'bin/cilium-verify',
    'plugin/index.js', 'lib/src/plugin/validation.js', 'testing/index.js', 'testing/index.d.ts', 'testing/register.js', 'lib/src/testing/index.js']) {
    expect(files).toContain(f);
  }
  // the bundled runtime dependency travels inside the tarball
  expect(files).toContain('node_modules/yaml/package.json');
  expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
});

test('a fresh cdk8s app installs the tarball offline, compiles against it and synthesizes', () => {
  const app = path.join(work, 'app');
  const mods = path.join(app, 'node_modules');
  const pkgDir = path.join(mods, PKG.name);
  fs.mkdirSync(pkgDir, { recursive: true });
  run('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1'], work);
  // peer dependencies (as the lockfile pins them) and the cdk8s types
  for (const dep of Object.keys(PKG.peerDependencies)) link(mods, dep);
  link(mods, '@types/node');

  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'consumer-app', version: '0.0.0', private: true }, null, 2));
  fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'commonjs', strict: true, esModuleInterop: true,
      skipLibCheck: false, types: ['node'], lib: ['es2022'], outDir: '.',
    },
    files: ['main.ts', 'check.ts'],
  }, null, 2));
  fs.writeFileSync(path.join(app, 'main.ts'), CONSUMER_MAIN);
  fs.writeFileSync(path.join(app, 'check.ts'), CONSUMER_CHECK);
  fs.writeFileSync(path.join(app, 'shop.connectivity.yaml'), SCENARIO);
  fs.writeFileSync(path.join(app, 'cdk8s.yaml'), [
    'language: typescript',
    'app: node main.js',
    'output: dist',
    'validations:',
    `  - package: ./node_modules/${PKG.name}/plugin`,
    `    version: ${PKG.version}`,
    '    class: CiliumPolicyValidation',
    '    properties:',
    '      scenarios: [shop.connectivity.yaml]',
    '',
  ].join('\n'));

  // type-check the app against the packed declarations (lib checks included)
  run(process.execPath, [path.join(NODE_MODULES, 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], app);
  expect(fs.existsSync(path.join(app, 'main.js'))).toBe(true);

  // the package resolves from the app, not from this repository
  const resolved = run(process.execPath, ['-p', `require.resolve('${PKG.name}')`], app).trim();
  expect(fs.realpathSync(resolved).startsWith(fs.realpathSync(pkgDir))).toBe(true);

  // the jest matchers' engine, from the package's `testing` entry point (no jest needed)
  expect(run(process.execPath, ['check.js'], app).trim()).toBe('ALLOW DROP');

  const cdk8s = [path.join(NODE_MODULES, 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--check-upgrade=false'];
  const out = run(process.execPath, cdk8s, app);
  expect(out).toContain('Synthesizing application');
  // the validation plugin ran from the tarball: lint, the scenario, the report
  expect(out).toMatch(/cilium-verify: \d+ Cilium policies; lint: 0 errors, \d+ warnings; scenarios: 3 of 3 flows as expected; report: dist\/connectivity\.md/);
  expect(out).toContain('Validations ended succesfully');
  const report = fs.readFileSync(path.join(app, 'dist', 'connectivity.md'), 'utf8');
  expect(report).toContain('3 of 3 expected verdicts hold.');
  expect(report).toMatch(/\| web \| orders-db-1 \| TCP\/5432 \|/);
  expect(report).toContain('```mermaid');

  // synthesizing again gives byte-identical output
  const first = fs.readdirSync(path.join(app, 'dist')).sort().map((f) => [f, fs.readFileSync(path.join(app, 'dist', f), 'utf8')]);
  run(process.execPath, cdk8s, app);
  const second = fs.readdirSync(path.join(app, 'dist')).sort().map((f) => [f, fs.readFileSync(path.join(app, 'dist', f), 'utf8')]);
  expect(second).toEqual(first);

  // a scenario that no longer holds fails the synth, naming the flow and the construct
  fs.writeFileSync(path.join(app, 'shop.connectivity.yaml'), SCENARIO.replace('expect: DROP', 'expect: ALLOW'));
  let failure = '';
  try {
    execFileSync(process.execPath, cdk8s, { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: any) {
    failure = `${e.stdout}${e.stderr}`;
    expect(e.status).not.toBe(0);
  }
  expect(failure).toMatch(/shop\.connectivity\.yaml flows\[1\] other -> orders-db-1 TCP\/5432: expected ALLOW, got DROP/);
  expect(failure).toMatch(/Construct Path: consumer\/AccessGrants\/shop--orders-db-from-web/);
  expect(failure).toContain('Validation failed');

  const manifest = path.join(app, 'dist', 'consumer.k8s.yaml');
  expect(fs.existsSync(manifest)).toBe(true);
  const docs = yaml.parseAllDocuments(fs.readFileSync(manifest, 'utf8')).map((d) => d.toJS());
  const kinds = docs.map((d) => `${d.kind}/${d.metadata?.name}`);
  expect(kinds).toContain('Cluster/orders-db');
  const policies = docs.filter((d) => d.kind === 'CiliumNetworkPolicy');
  expect(policies.length).toBeGreaterThan(1);
  for (const p of policies) expect(p.apiVersion).toBe('cilium.io/v2');
  const names = policies.map((p) => p.metadata.name);
  expect(names).toEqual(expect.arrayContaining(['orders-db-instances-default-deny', 'orders-db-from-web', 'web-to-orders-db']));
  const web = policies.find((p) => p.spec.endpointSelector.matchLabels?.app === 'web' && JSON.stringify(p.spec.ingress ?? []).includes('8080'));
  expect(web).toBeDefined();
  expect(web.metadata.namespace).toBe('shop');
  expect(web.spec.endpointSelector.matchLabels).toEqual({ app: 'web' });
});

const CONSUMER_MAIN = `
import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  AccessClient, AccessGrant, AccessTarget, CiliumPolicy, OperatorLocation, Peer, PodSelector, Port, SecuredPostgres,
} from 'cdk8s-secured-postgres';

export class Consumer extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'shop' });
    const db = new SecuredPostgres(this, 'Db', {
      name: 'orders-db',
      operator: OperatorLocation.yamlManifest(),
    });
    new AccessGrant(this, 'WebToDb', {
      client: AccessClient.pods('web', PodSelector.labels({ app: 'web' }), 'shop'),
      target: AccessTarget.of(db),
    });
    new CiliumPolicy(this, 'Web', {
      selector: PodSelector.labels({ app: 'web' }),
    }).allowIngress({
      peers: [Peer.pods(PodSelector.labels({ app: 'gateway' }), 'shop')],
      ports: [Port.tcp(8080)],
    });
  }
}

if (require.main === module) {
  const app = new App();
  new Consumer(app, 'consumer');
  app.synth();
}
`;

const CONSUMER_CHECK = `
import { Testing } from 'cdk8s';
import { evaluateTraffic } from 'cdk8s-secured-postgres/testing';
import { Consumer } from './main';

const chart = new Consumer(Testing.app(), 'consumer');
const web = { namespace: 'shop', labels: { app: 'web' } };
const other = { namespace: 'shop', labels: { app: 'other' } };
console.log(evaluateTraffic(chart, { from: web, to: 'shop/orders-db instances', port: 5432 }).verdict,
  evaluateTraffic(chart, { from: other, to: 'shop/orders-db instances', port: 5432 }).verdict);
`;

const SCENARIO = `
endpoints:
  web: {namespace: shop, labels: {app: web}}
  other: {namespace: shop, labels: {app: other}}
  orders-db-1: {namespace: shop, labels: {cnpg.io/cluster: orders-db, cnpg.io/podRole: instance}}
flows:
  - {src: web, dst: orders-db-1, proto: TCP, port: 5432, expect: ALLOW}
  - {src: other, dst: orders-db-1, proto: TCP, port: 5432, expect: DROP}
  - {src: "world:203.0.113.10", dst: orders-db-1, proto: TCP, port: 5432, expect: DROP}
`;
