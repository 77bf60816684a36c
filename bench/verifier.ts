/**
 * Verifier cost on the largest estate: the engine holds every policy of the estate; the
 * connectivity matrix is computed over K identities (300, 1,000, 3,000: every cell is computed,
 * nothing is extrapolated), then over 1,000 identities with 1, 4 and 16 pods each (the time
 * should not grow: the matrix groups by identity). A fixed sample of cells is compared with
 * `engine.explain()`; a difference makes the section report Infinity.
 */
import * as fs from 'fs';
import * as path from 'path';
import { connectivityMatrix, createEngine, EndpointDef, MatrixPort } from '../src/verify';
import { CLUSTERS_PER_NAMESPACE, clusterName, dbNamespace, estateSpec } from './estate';
import { table } from './format';

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

interface MatrixRun {
  readonly buildMs: number;
  readonly matrixMs: number;
  readonly groups: number;
  readonly pods: number;
  /** Cells checked against `engine.explain()`, and how many differed. */
  readonly checked: number;
  readonly mismatches: number;
}

/** Builds a fresh engine (every policy, the chosen identities' pods) and times the matrix over those pods. */
function timeMatrix(policies: any[], clusters: number, k: number, pods: number): MatrixRun {
  const { endpoints, identities } = estateEndpoints(clusters, pods);
  const chosen = identities.slice(0, k);
  const names = chosen.flat();
  const wanted = new Set(names);
  const namespaces: Record<string, { labels: Record<string, string> }> = {};
  for (const e of endpoints) {
    namespaces[e.namespace] = { labels: {} };
  }
  const t0 = process.hrtime.bigint();
  const engine = createEngine({ env: undefined as any, policies: [], namespaces, endpoints: endpoints.filter((e) => wanted.has(e.name)), services: [], dns: {}, flows: [] }, policies.map((object) => ({ object })));
  const t1 = process.hrtime.bigint();
  const m = connectivityMatrix(engine, PORTS, names);
  const t2 = process.hrtime.bigint();
  // spot check: a fixed sample of cells (every group as source, a spread of destinations) against explain
  const g = m.groups.length;
  let checked = 0;
  let mismatches = 0;
  for (let s = 0; s < g; s += Math.max(1, Math.floor(g / 60))) {
    for (const d of [s, (s * 7 + 1) % g, (s * 13 + 5) % g, g - 1 - s]) {
      for (let p = 0; p < PORTS.length; p++) {
        const src = m.groups[s].members[0];
        const dst = s === d && m.groups[d].members.length > 1 ? m.groups[d].members[1] : m.groups[d].members[0];
        const r = engine.explain({ src, dst, proto: PORTS[p].proto, port: PORTS[p].port });
        checked++;
        if (r.verdict !== m.verdictAt(s, d, p)) mismatches++;
      }
    }
  }
  return { buildMs: Number(t1 - t0) / 1e6, matrixMs: Number(t2 - t1) / 1e6, groups: g, pods: names.length, checked, mismatches };
}

/** Returns the matrix time at 3,000 identities (1 pod each), in ms. */
export function verifierSection(workdir: string, size: number | undefined, log: (s: string) => void): number {
  log('## Verifier: connectivity matrix on the largest estate');
  log('');
  if (size === undefined || !fs.existsSync(path.join(workdir, `ours-${size}.json`))) {
    log('no estate synthesized; skipped');
    log('');
    return Infinity;
  }
  const policies = policiesOf(workdir, size);
  const rows: (string | number)[][] = [];
  let at3000 = NaN;
  let checked = 0;
  let mismatches = 0;
  const row = (k: number, pods: number, r: MatrixRun) => {
    const cells = r.groups * r.groups * PORTS.length;
    rows.push([k, pods, r.pods, r.groups, r.buildMs.toFixed(0), r.matrixMs.toFixed(0), (r.matrixMs / cells * 1e6).toFixed(0)]);
    checked += r.checked;
    mismatches += r.mismatches;
  };
  for (const k of [300, 1000, 3000]) {
    const r = timeMatrix(policies, size, k, 1);
    row(k, 1, r);
    if (k === 3000) {
      at3000 = r.matrixMs;
    }
  }
  for (const pods of [1, 4, 16]) {
    row(1000, pods, timeMatrix(policies, size, 1000, pods));
  }
  log(`${policies.length} policies of the ${size}-cluster estate in a fresh engine per row; ports probed: ${PORTS.map((p) => `${p.proto}/${p.port}`).join(', ')}`);
  log('');
  log(table(['identities', 'pods per identity', 'pods', 'groups', 'engine build ms', 'matrix ms', 'ns per cell'], rows));
  log('');
  log(`spot check against engine.explain(): ${checked} cells, ${mismatches} differ${mismatches ? ' (the matrix is WRONG)' : ''}`);
  log('');
  return mismatches ? Infinity : at3000;
}
