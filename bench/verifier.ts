/**
 * Verifier cost on the largest estate: the engine holds every policy of the estate; the
 * connectivity matrix is computed over K identities (K grows), then over a fixed set of
 * identities with more pods each (the time should not grow: the matrix groups by identity).
 */
import * as fs from 'fs';
import * as path from 'path';
import { connectivityMatrix, createEngine, EndpointDef, MatrixPort } from '../src/verify';
import { CLUSTERS_PER_NAMESPACE, clusterName, dbNamespace, estateSpec } from './estate';

const PORTS: MatrixPort[] = [{ proto: 'TCP', port: 5432 }, { proto: 'TCP', port: 8080 }];

/** One identity per entry, with `pods` pods each; ordered so that any prefix mixes clusters and clients. */
export function estateEndpoints(clusters: number, podsPerIdentity: number): { endpoints: EndpointDef[]; identities: string[][] } {
  const spec = estateSpec(clusters);
  const ids: { ns: string; labels: Record<string, string>; name: string }[] = [];
  for (let c = 0; c < clusters; c++) {
    const ns = dbNamespace(c);
    const cl = clusterName(c);
    for (let i = 1; i <= 3; i++) {
      ids.push({ ns, name: `${cl}-${i}`, labels: { 'cnpg.io/cluster': cl, 'cnpg.io/podRole': 'instance', 'cnpg.io/instanceName': `${cl}-${i}` } });
    }
    ids.push({ ns, name: `${cl}-pooler`, labels: { 'cnpg.io/cluster': cl, 'cnpg.io/podRole': 'pooler', 'cnpg.io/poolerName': `${cl}-pooler-rw` } });
    ids.push({ ns, name: `api-${c}`, labels: { app: `api-${c}` } });
    for (const g of spec.grants.filter((x) => x.cluster === c && x.clientLabels)) {
      ids.push({ ns: g.clientNs, name: `${g.clientName}`, labels: g.clientLabels! });
    }
  }
  const endpoints: EndpointDef[] = [];
  const identities: string[][] = [];
  let ip = 0;
  for (const id of ids) {
    const members: string[] = [];
    for (let p = 0; p < podsPerIdentity; p++) {
      const name = podsPerIdentity === 1 ? id.name : `${id.name}-p${p}`;
      ip++;
      endpoints.push({ name, namespace: id.ns, labels: id.labels, ip: `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}` });
      members.push(name);
    }
    identities.push(members);
  }
  void CLUSTERS_PER_NAMESPACE;
  return { endpoints, identities };
}

function policiesOf(workdir: string, size: number): any[] {
  const charts = JSON.parse(fs.readFileSync(path.join(workdir, `ours-${size}.json`), 'utf8')) as { docs: any[] }[];
  return charts.flatMap((c) => c.docs).filter((d) => /^Cilium/.test(d.kind));
}

function timeMatrix(policies: any[], clusters: number, k: number, pods: number): { buildMs: number; matrixMs: number; groups: number; pods: number } {
  const { endpoints, identities } = estateEndpoints(clusters, pods);
  const chosen = identities.slice(0, k);
  const names = chosen.flat();
  const namespaces: Record<string, { labels: Record<string, string> }> = {};
  for (const e of endpoints) {
    namespaces[e.namespace] = { labels: {} };
  }
  const t0 = process.hrtime.bigint();
  const engine = createEngine({ env: undefined as any, policies: [], namespaces, endpoints: endpoints.filter((e) => names.includes(e.name)), services: [], dns: {}, flows: [] }, policies.map((object) => ({ object })));
  const t1 = process.hrtime.bigint();
  const m = connectivityMatrix(engine, PORTS, names);
  const t2 = process.hrtime.bigint();
  return { buildMs: Number(t1 - t0) / 1e6, matrixMs: Number(t2 - t1) / 1e6, groups: m.groups.length, pods: names.length };
}

/** Returns the matrix time at (or extrapolated to) 3,000 identities, in ms. */
export function verifierSection(workdir: string, size: number | undefined, log: (s: string) => void): number {
  log('## Verifier: connectivity matrix on the largest estate');
  log('');
  if (size === undefined || !fs.existsSync(path.join(workdir, `ours-${size}.json`))) {
    log('no estate synthesized; skipped');
    log('');
    return Infinity;
  }
  const policies = policiesOf(workdir, size);
  const budgetMs = Number(process.env.BENCH_VERIFY_BUDGET_MS ?? 60000);
  const rows: (string | number)[][] = [];
  let at3000 = NaN;
  let last: { k: number; ms: number } | undefined;
  for (const k of [100, 300, 1000, 3000]) {
    if (last && (last.ms * (k / last.k) ** 2) > budgetMs) {
      const est = last.ms * (k / last.k) ** 2;
      rows.push([k, 1, '-', '-', `~${est.toFixed(0)} (extrapolated ×(k/${last.k})², not run)`, '']);
      if (k === 3000) {
        at3000 = est;
      }
      continue;
    }
    const r = timeMatrix(policies, size, k, 1);
    rows.push([k, 1, r.groups, r.buildMs.toFixed(0), r.matrixMs.toFixed(0), (r.matrixMs / (r.groups * r.groups * PORTS.length) * 1000).toFixed(1)]);
    last = { k, ms: r.matrixMs };
    if (k === 3000) {
      at3000 = r.matrixMs;
    }
  }
  for (const pods of [1, 4, 16]) {
    const r = timeMatrix(policies, size, 100, pods);
    rows.push([100, pods, r.groups, r.buildMs.toFixed(0), r.matrixMs.toFixed(0), (r.matrixMs / (r.groups * r.groups * PORTS.length) * 1000).toFixed(1)]);
  }
  log(`${policies.length} policies of the ${size}-cluster estate in the engine; ports probed: ${PORTS.map((p) => `${p.proto}/${p.port}`).join(', ')}`);
  log('');
  log(tableOf(['identities', 'pods per identity', 'groups', 'engine build ms', 'matrix ms', 'µs per cell']
    , rows));
  log('');
  return at3000;
}

function tableOf(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const w = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => c.padEnd(w[i])).join(' | ') + ' |';
  return [line(head), '|' + w.map((n) => '-'.repeat(n + 2)).join('|') + '|', ...cells.slice(1).map(line)].join('\n');
}
