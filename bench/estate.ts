/**
 * Synthetic estates for the benchmark: `clusters` SecuredPostgres clusters (10 per namespace,
 * one chart per database namespace), each with one pooler and 10 grants whose clients live in
 * other namespaces: 5 to the instances, 3 to the pooler, 2 to an L7 (HTTP) API next to the
 * database. The same grants are also emitted as cdk8s-plus-28 NetworkPolicies (the peer).
 */
import { App, ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  AccessClient, AccessGrant, AccessTarget, HttpPath, HttpRule, Port, PodSelector, SecuredPostgres,
} from '../src';

export const CLUSTERS_PER_NAMESPACE = 10;
export const GRANTS_PER_CLUSTER = 10;

/** One grant of the estate, independent of how it is rendered. */
export interface GrantSpec {
  readonly id: string;
  readonly clientName: string;
  readonly clientNs: string;
  readonly clientLabels: { [k: string]: string } | undefined; // undefined: every pod of clientNs
  readonly target: 'db' | 'pooler' | 'api';
  readonly cluster: number;
}

export interface EstateSpec {
  readonly clusters: number;
  readonly dbNamespaces: string[];
  readonly appNamespaces: string[];
  readonly grants: GrantSpec[];
}

export function dbNamespace(i: number): string {
  return `db-${Math.floor(i / CLUSTERS_PER_NAMESPACE)}`;
}

export function clusterName(i: number): string {
  return `pg-${i}`;
}

export function estateSpec(clusters: number): EstateSpec {
  const dbNs = [...new Set(Array.from({ length: clusters }, (_, i) => dbNamespace(i)))];
  const appCount = Math.max(2, Math.ceil(clusters / CLUSTERS_PER_NAMESPACE));
  const appNamespaces = Array.from({ length: appCount }, (_, i) => `app-${i}`);
  const grants: GrantSpec[] = [];
  for (let c = 0; c < clusters; c++) {
    for (let g = 0; g < GRANTS_PER_CLUSTER; g++) {
      const ns = appNamespaces[(c + g) % appCount];
      const target = g < 5 ? 'db' : g < 8 ? 'pooler' : 'api';
      const whole = g === 4; // one grant per cluster: every pod of a namespace
      grants.push({
        id: `G${c}x${g}`,
        clientName: whole ? `ns-${ns}` : `svc-${c}-${g}`,
        clientNs: ns,
        clientLabels: whole ? undefined : { app: `svc-${c}-${g}` },
        target,
        cluster: c,
      });
    }
  }
  return { clusters, dbNamespaces: dbNs, appNamespaces, grants };
}

/** Our constructs: SecuredPostgres + pooler + AccessGrant. */
export function buildOurs(app: App, spec: EstateSpec, opts: { singleChart?: boolean; order?: number[] } = {}): void {
  const charts = new Map<string, Chart>();
  const chartOf = (ns: string) => {
    const key = opts.singleChart ? 'all' : ns;
    let ch = charts.get(key);
    if (!ch) {
      ch = new Chart(app, opts.singleChart ? 'estate' : ns);
      charts.set(key, ch);
    }
    return ch;
  };
  const order = opts.order ?? Array.from({ length: spec.clusters }, (_, i) => i);
  const dbs = new Map<number, { db: SecuredPostgres; pooler: AccessTarget; cluster: AccessTarget; api: AccessTarget }>();
  for (const c of order) {
    const ns = dbNamespace(c);
    const chart = chartOf(ns);
    const db = new SecuredPostgres(chart, `C${c}`, { name: clusterName(c), namespace: ns, instances: 3 });
    const pooler = db.addPooler('Rw');
    const api = AccessTarget.pods(`api-${c}`, PodSelector.labels({ app: `api-${c}` }), ns, [Port.tcp(8080)]);
    dbs.set(c, { db, pooler: AccessTarget.of(pooler), cluster: AccessTarget.of(db), api });
  }
  const byCluster = new Map<number, GrantSpec[]>();
  for (const g of spec.grants) {
    const list = byCluster.get(g.cluster);
    if (list) {
      list.push(g);
    } else {
      byCluster.set(g.cluster, [g]);
    }
  }
  for (const c of order) {
    const d = dbs.get(c)!;
    const chart = chartOf(dbNamespace(c));
    for (const g of byCluster.get(c) ?? []) {
      const client = g.clientLabels
        ? AccessClient.pods(g.clientName, PodSelector.labels(g.clientLabels), g.clientNs)
        : AccessClient.allPodsOfNamespace(g.clientNs);
      if (g.target === 'api') {
        new AccessGrant(chart, g.id, { client, target: d.api, http: [HttpRule.get(HttpPath.prefix('/v1/')), HttpRule.post(HttpPath.exact('/v1/orders'))] });
      } else {
        new AccessGrant(chart, g.id, { client, target: g.target === 'db' ? d.cluster : d.pooler });
      }
    }
  }
}

/** The floor: the very same manifests as plain cdk8s ApiObjects, one chart per original chart. */
export function buildFloor(app: App, docsByChart: { chart: string; docs: any[] }[]): void {
  for (const { chart, docs } of docsByChart) {
    const ch = new Chart(app, chart);
    docs.forEach((obj, i) => new ApiObject(ch, `o${i}`, obj));
  }
}

/**
 * The peer: the same clusters (plain CNPG objects, as our output has them) and, for each grant,
 * cdk8s-plus-28 NetworkPolicies: ingress on the target pods, egress on the client pods (plain
 * Kubernetes NetworkPolicy cannot express the HTTP rules; the L7 grants become L4 ones).
 */
export function buildPeer(app: App, spec: EstateSpec, clusterDocs: Map<string, any[]>, opts: { singleChart?: boolean } = {}): void {
  const charts = new Map<string, Chart>();
  const chartOf = (ns: string) => {
    const key = opts.singleChart ? 'estate' : ns;
    let ch = charts.get(key);
    if (!ch) {
      ch = new Chart(app, key);
      charts.set(key, ch);
      for (const [chartId, docs] of clusterDocs) {
        if (opts.singleChart || chartId === ns) {
          docs.forEach((obj, i) => new ApiObject(ch!, `${chartId}-cnpg${i}`, obj));
        }
      }
    }
    return ch;
  };
  for (const g of spec.grants) {
    const ns = dbNamespace(g.cluster);
    const chart = chartOf(ns);
    const targetLabels: Record<string, string> = g.target === 'db'
      ? { 'cnpg.io/cluster': clusterName(g.cluster), 'cnpg.io/podRole': 'instance' }
      : g.target === 'pooler' ? { 'cnpg.io/poolerName': `${clusterName(g.cluster)}-pooler-rw` } : { app: `api-${g.cluster}` };
    const port = g.target === 'api' ? 8080 : 5432;
    const targetPods = kplus.Pods.select(chart, `${g.id}T`, { labels: targetLabels, namespaces: kplus.Namespaces.select(chart, `${g.id}TN`, { names: [ns] }) });
    const clientPods = g.clientLabels
      ? kplus.Pods.select(chart, `${g.id}C`, { labels: g.clientLabels, namespaces: kplus.Namespaces.select(chart, `${g.id}CN`, { names: [g.clientNs] }) })
      : undefined;
    const clientPeer: kplus.INetworkPolicyPeer = clientPods ?? kplus.Namespaces.select(chart, `${g.id}CNS`, { names: [g.clientNs] });
    new kplus.NetworkPolicy(chart, `${g.id}In`, {
      metadata: { namespace: ns, name: `${g.id.toLowerCase()}-in` },
      selector: targetPods,
      ingress: { rules: [{ peer: clientPeer, ports: [kplus.NetworkPolicyPort.tcp(port)] }] },
    });
    new kplus.NetworkPolicy(chart, `${g.id}Out`, {
      metadata: { namespace: g.clientNs, name: `${g.id.toLowerCase()}-out` },
      selector: clientPods ?? kplus.Pods.all(chart, `${g.id}CA`),
      egress: { rules: [{ peer: targetPods, ports: [kplus.NetworkPolicyPort.tcp(port)] }] },
    });
  }
}

/** Clusters of the estate the benchmark's connectivity scenario looks at: one in this many. */
export const SCENARIO_SAMPLE = 10;

/**
 * A connectivity scenario for the estate (the validation plugin checks it, as `cdk8s synth`
 * would with `scenarios:` in cdk8s.yaml): for one cluster in `SCENARIO_SAMPLE`, a granted
 * client reaches an instance, the pooler and the HTTP API (GET allowed, DELETE refused by the
 * L7 rules), and a pod without a grant is dropped.
 */
export function estateScenario(spec: EstateSpec): string {
  const appCount = spec.appNamespaces.length;
  const namespaces = new Set<string>();
  const endpoints: string[] = [];
  const flows: string[] = [];
  let ip = 0;
  const addr = () => `10.${Math.floor(++ip / 65536) % 256}.${Math.floor(ip / 256) % 256}.${ip % 256}`;
  const endpoint = (name: string, ns: string, labels: Record<string, string>) => {
    namespaces.add(ns);
    const l = Object.entries(labels).map(([k, v]) => `${k}: ${v}`).join(', ');
    endpoints.push(`  ${name}: {namespace: ${ns}, labels: {${l}}, ip: ${addr()}}`);
  };
  for (let c = 0; c < spec.clusters; c += SCENARIO_SAMPLE) {
    const ns = dbNamespace(c);
    const name = clusterName(c);
    const client = (g: number) => ({ name: `svc-${c}-${g}`, ns: spec.appNamespaces[(c + g) % appCount] });
    endpoint(`${name}-1`, ns, { 'cnpg.io/cluster': name, 'cnpg.io/podRole': 'instance' });
    endpoint(`${name}-pooler`, ns, { 'cnpg.io/poolerName': `${name}-pooler-rw` });
    endpoint(`api-${c}`, ns, { app: `api-${c}` });
    for (const g of [0, 5, 8]) {
      endpoint(client(g).name, client(g).ns, { app: client(g).name });
    }
    // in a namespace with grants of pods, not the one granted as a whole (grant 4)
    endpoint(`intruder-${c}`, spec.appNamespaces[(c + 5) % appCount], { app: `intruder-${c}` });
    flows.push(
      `  - {src: ${client(0).name}, dst: ${name}-1, proto: TCP, port: 5432, expect: ALLOW}`,
      `  - {src: ${client(5).name}, dst: ${name}-pooler, proto: TCP, port: 5432, expect: ALLOW}`,
      `  - {src: ${client(8).name}, dst: api-${c}, proto: TCP, port: 8080, http: {method: GET, path: /v1/items}, expect: ALLOW}`,
      `  - {src: ${client(8).name}, dst: api-${c}, proto: TCP, port: 8080, http: {method: DELETE, path: /v1/items}, expect: L7_DENY}`,
      `  - {src: intruder-${c}, dst: ${name}-1, proto: TCP, port: 5432, expect: DROP}`,
    );
  }
  return [
    `title: estate of ${spec.clusters} clusters`,
    'env:',
    '  version: "1.19"',
    'namespaces:',
    ...[...namespaces].sort().map((n) => `  ${n}: {}`),
    'endpoints:',
    ...endpoints,
    'flows:',
    ...flows,
    '',
  ].join('\n');
}
