/**
 * Estates too large for the report's flow tables (`REPORT_CELL_LIMIT` cells: parties × parties ×
 * ports): the report says so in one line and lists the pods and what isolates them; the diff
 * says it cannot compare them pair by pair and exits 2; and the validation plugin reads the
 * synthesized YAML once, with the same objects cdk8s-cli's own parser gives, admitting each
 * policy once for the linter and the report.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ValidationContext } from 'cdk8s-cli/plugins';
import * as YAML from 'yaml';
import { main } from '../../src/cli/cilium-verify';
import { readSynthesized } from '../../src/plugin/manifests';
import { CiliumPolicyValidation } from '../../src/plugin/validation';
import { connectivityDiff, connectivityReport, matrixCells, matrixParties, REPORT_CELL_LIMIT } from '../../src/report';
import { AdmissionCache } from '../../src/verify/intake/admission-cache';
import { lintManifests } from '../../src/verify/lint/lint';
import { EXAMPLE_CHARTS, synthExample } from '../util/example-reports';

/** `n` Deployments of namespace `shop` (one label each), a database policy admitting the first half on 5432, and a default deny. */
function estate(n: number, extraPort = false): any[] {
  const out: any[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `app-${i}`, namespace: 'shop' },
      spec: { selector: { matchLabels: { app: `app-${i}` } }, template: { metadata: { labels: { app: `app-${i}` } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    });
  }
  out.push({
    apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'db', namespace: 'shop' },
    spec: {
      endpointSelector: { matchLabels: { app: 'app-0' } },
      ingress: [{
        fromEndpoints: [{ matchExpressions: [{ key: 'app', operator: 'In', values: Array.from({ length: n / 2 }, (_, i) => `app-${i}`) }] }],
        toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }, ...(extraPort ? [{ port: '8080', protocol: 'TCP' }] : [])] }],
      }],
    },
  });
  out.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
  return out;
}

describe('a report too large for its flow tables', () => {
  const objects = estate(600);
  const parties = matrixParties({ objects });

  test('the estate is over the limit', () => {
    expect(matrixCells(parties)).toBeGreaterThan(REPORT_CELL_LIMIT);
  });

  test('says so in one line and lists every pod with what isolates it', () => {
    const r = connectivityReport({ objects, title: 'big' });
    expect(r.summaryOnly).toMatch(/^\d+ pods and peers on \d+ ports? make [\d,]+ flows to evaluate, more than the report's limit of 100,000/);
    expect(r.markdown).toContain(`**Summary only.** ${r.summaryOnly}`);
    expect(r.markdown).not.toContain('### Allowed');
    expect(r.matrix.flows).toEqual([]);
    // every declared pod is listed, isolated on ingress by the NetworkPolicy default deny
    expect(r.markdown).toContain('| shop/app-0 | Deployment shop/app-0 | default deny | **open** | CiliumNetworkPolicy shop/db, NetworkPolicy shop/deny |');
    expect(r.markdown).toContain('| shop/app-599 | Deployment shop/app-599 | default deny | **open** | NetworkPolicy shop/deny |');
    expect(r.markdown).toContain('| `shop` | 600 | 600 of 600 | 0 of 600 |');
  });

  test('a smaller estate still gets the flow tables', () => {
    const small = estate(40);
    expect(matrixCells(matrixParties({ objects: small }))).toBeLessThanOrEqual(REPORT_CELL_LIMIT);
    const r = connectivityReport({ objects: small });
    expect(r.summaryOnly).toBeUndefined();
    expect(r.markdown).toContain('### Allowed');
  });

  test('the diff of two large estates is not made pair by pair, and the command exits 2', async () => {
    const d = connectivityDiff({ base: objects, next: estate(600, true) });
    expect(d.notCompared).toMatch(/^not compared: \d+ pods and peers/);
    expect(d.flows).toEqual([]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'large-diff-'));
    fs.writeFileSync(path.join(dir, 'base.yaml'), objects.map((o) => YAML.stringify(o)).join('---\n'));
    fs.writeFileSync(path.join(dir, 'new.yaml'), estate(600, true).map((o) => YAML.stringify(o)).join('---\n'));
    const err: string[] = [];
    const code = await main(['diff', path.join(dir, 'base.yaml'), path.join(dir, 'new.yaml'), '--json'], { out: () => undefined, err: (l) => err.push(l) });
    expect(code).toBe(2);
    expect(err[0]).toMatch(/^cilium-verify diff: not compared: /);
  });
});

describe('the validation plugin reads the synthesized YAML once', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-read-'));

  test.each(Object.keys(EXAMPLE_CHARTS))('%s: the same objects as cdk8s-cli\'s parseManifest', (chart) => {
    const file = path.join(dir, `${chart}.k8s.yaml`);
    fs.writeFileSync(file, synthExample(chart).map((o) => YAML.stringify(o)).join('---\n'));
    const ctx = new ValidationContext([file], 'x', '0', {}, false);
    expect(readSynthesized(ctx, file)).toEqual(ctx.parseManifest(file));
  });

  test('values YAML 1.2 reads as strings stay strings (core schema: no timestamps, no yes/no booleans)', () => {
    const file = path.join(dir, 'scalars.yaml');
    fs.writeFileSync(file, 'a: 2024-01-01\nb: yes\nc: "010"\nd: 0o10\ne: ~\nf: 1e3\n');
    const ctx = new ValidationContext([file], 'x', '0', {}, false);
    expect(readSynthesized(ctx, file)).toEqual(ctx.parseManifest(file));
  });

  test('a file the fast reader refuses is read by cdk8s-cli\'s parser instead', () => {
    const file = path.join(dir, 'duplicate.yaml');
    // js-yaml refuses duplicate keys; the yaml package keeps the last one
    fs.writeFileSync(file, 'kind: A\nkind: B\n');
    const ctx = new ValidationContext([file], 'x', '0', {}, false);
    expect(readSynthesized(ctx, file)).toEqual(ctx.parseManifest(file));
  });

  test('the linter and the report admit each policy once', async () => {
    const objects = synthExample('cnpg-cilium');
    const cache = new AdmissionCache();
    const policy = objects.find((o) => o.kind === 'CiliumNetworkPolicy');
    lintManifests(objects.map((object) => ({ object })), { admissions: cache });
    const first = cache.policy(policy, '1.19', {});
    connectivityReport({ objects, admissions: cache });
    expect(cache.policy(policy, '1.19', {})).toBe(first);
    // a plugin run over the chart gives the same report as the report without the shared cache
    const file = path.join(dir, 'cnpg.k8s.yaml');
    fs.writeFileSync(file, objects.map((o) => YAML.stringify(o)).join('---\n'));
    const ctx = new ValidationContext([file], 'x', '0', {}, false);
    await new CiliumPolicyValidation({ report: path.join(dir, 'cnpg.md') }).validate(ctx);
    expect(fs.readFileSync(path.join(dir, 'cnpg.md'), 'utf8')).toEqual(connectivityReport({ objects, title: 'Connectivity report', sources: ['cnpg.k8s.yaml'] }).markdown);
  });
});
