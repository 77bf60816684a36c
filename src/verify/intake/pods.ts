/**
 * The pods that manifests create or show: workload pod templates (Deployments, StatefulSets,
 * DaemonSets, ReplicaSets, Jobs, CronJobs), CloudNativePG instances, Jobs and poolers, and running
 * Pods of a live cluster (one per workload). The report, the jest matchers and the Hubble replay
 * read them.
 */
import { isIdentityLabel } from '../../cilium/labels';
import { EndpointDef } from '../model';

/** A pod, or a group of identical pods (a workload's replicas). */
export interface WorkloadPod extends EndpointDef {
  /** Where it comes from: `Deployment default/web`, `Pods shop/web-1, shop/web-2`. */
  readonly origin: string;
  /** A group of identical pods, as derived from a manifest. */
  readonly group?: boolean;
}

const WORKLOAD_KINDS: Record<string, (o: any) => any> = {
  Deployment: (o) => o.spec?.template,
  StatefulSet: (o) => o.spec?.template,
  DaemonSet: (o) => o.spec?.template,
  ReplicaSet: (o) => o.spec?.template,
  Job: (o) => o.spec?.template,
  CronJob: (o) => o.spec?.jobTemplate?.spec?.template,
};

function strMap(m: any): Record<string, string> {
  const out: Record<string, string> = {};
  if (!m || typeof m !== 'object') return out;
  for (const k of Object.keys(m).sort()) {
    if (typeof m[k] === 'string' || typeof m[k] === 'number' || typeof m[k] === 'boolean') out[k] = String(m[k]);
  }
  return out;
}

function namedPortsOf(podSpec: any): Record<string, string> {
  const out: Record<string, string> = {};
  const containers = [...(podSpec?.containers ?? []), ...(podSpec?.initContainers ?? [])];
  for (const c of containers) {
    for (const p of c?.ports ?? []) {
      if (p && typeof p.name === 'string' && typeof p.containerPort === 'number') {
        out[p.name] = `${p.containerPort}/${typeof p.protocol === 'string' ? p.protocol : 'TCP'}`;
      }
    }
  }
  return out;
}

/**
 * Running pods (a live cluster's `kubectl get pods -o yaml`), one report pod per workload: pods
 * of the same owner with the same identity labels, service account and named ports behave the
 * same. Host-network pods are not Cilium endpoints (they are the node: `host` / `remote-node`),
 * and finished pods hold no identity.
 */
function livePods(pods: readonly any[], defaultNamespace: string): WorkloadPod[] {
  const groups = new Map<string, { base: string; ns: string; pods: any[]; labels: Record<string, string>; sa?: string; namedPorts: Record<string, string> }>();
  for (const o of pods) {
    if (o.spec?.hostNetwork === true) continue;
    if (o.status?.phase === 'Succeeded' || o.status?.phase === 'Failed') continue;
    const ns = typeof o.metadata?.namespace === 'string' && o.metadata.namespace ? o.metadata.namespace : defaultNamespace;
    const name = typeof o.metadata?.name === 'string' ? o.metadata.name : '<unnamed>';
    const labels = strMap(o.metadata?.labels);
    const owner = (Array.isArray(o.metadata?.ownerReferences) ? o.metadata.ownerReferences : []).find((r: any) => r && r.controller) ?? o.metadata?.ownerReferences?.[0];
    let base = typeof owner?.name === 'string' ? owner.name : name;
    // a Deployment's ReplicaSet is named <deployment>-<pod-template-hash>
    const hash = labels['pod-template-hash'];
    if (owner?.kind === 'ReplicaSet' && hash && base.endsWith(`-${hash}`)) base = base.slice(0, -hash.length - 1);
    const identity = Object.keys(labels).filter((k) => isIdentityLabel({ source: 'k8s', key: k })).map((k) => `${k}=${labels[k]}`).join(',');
    const sa = typeof o.spec?.serviceAccountName === 'string' ? o.spec.serviceAccountName : undefined;
    const namedPorts = namedPortsOf(o.spec);
    const key = JSON.stringify([ns, base, identity, sa ?? '', namedPorts]);
    const g = groups.get(key);
    if (g) g.pods.push(o);
    else groups.set(key, { base, ns, pods: [o], labels, sa, namedPorts });
  }
  const out: WorkloadPod[] = [];
  const taken = new Set<string>();
  for (const g of [...groups.values()].sort((a, b) => cmpStr(`${a.ns}/${a.base}`, `${b.ns}/${b.base}`))) {
    const names = g.pods.map((p) => String(p.metadata?.name)).sort();
    let name = `${g.ns}/${g.base}`;
    if (taken.has(name)) name = `${g.ns}/${names[0]}`;
    taken.add(name);
    const ips = g.pods.map((p) => p.status?.podIP).filter((ip: any) => typeof ip === 'string').sort();
    out.push({
      name,
      namespace: g.ns,
      labels: g.labels,
      serviceAccount: g.sa,
      namedPorts: g.namedPorts,
      ...(ips.length ? { ip: ips[0] } : {}),
      origin: `Pod${names.length > 1 ? 's' : ''} ${names.map((n) => `${g.ns}/${n}`).join(', ')}`,
      group: true,
    });
  }
  return out;
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The pods the manifests create. `defaultNamespace` is used for objects without one. */
export function workloadPods(objects: readonly any[], defaultNamespace = 'default'): WorkloadPod[] {
  const out: WorkloadPod[] = livePods(objects.filter((o) => o && typeof o === 'object' && o.kind === 'Pod' && o.apiVersion === 'v1'), defaultNamespace);
  for (const o of objects) {
    if (!o || typeof o !== 'object' || typeof o.kind !== 'string') continue;
    const ns = typeof o.metadata?.namespace === 'string' && o.metadata.namespace ? o.metadata.namespace : defaultNamespace;
    const name = typeof o.metadata?.name === 'string' ? o.metadata.name : '<unnamed>';
    const tmpl = WORKLOAD_KINDS[o.kind];
    if (tmpl && (o.apiVersion === 'v1' || o.apiVersion === 'apps/v1' || o.apiVersion === 'batch/v1')) {
      const t = tmpl(o);
      if (!t) continue;
      out.push({
        name: `${ns}/${name}`,
        namespace: ns,
        labels: strMap(t.metadata?.labels),
        serviceAccount: typeof t.spec?.serviceAccountName === 'string' ? t.spec.serviceAccountName : undefined,
        namedPorts: namedPortsOf(t.spec),
        origin: `${o.kind} ${ns}/${name}`,
          group: true,
      });
      continue;
    }
    if (typeof o.apiVersion === 'string' && o.apiVersion.startsWith('postgresql.cnpg.io/')) {
      const inherited = strMap(o.spec?.inheritedMetadata?.labels);
      if (o.kind === 'Cluster') {
        out.push({
          name: `${ns}/${name} instances`,
          namespace: ns,
          labels: { ...inherited, 'cnpg.io/cluster': name, 'cnpg.io/podRole': 'instance' },
          serviceAccount: name,
          namedPorts: { 'postgresql': '5432/TCP', 'status': '8000/TCP', 'metrics': '9187/TCP' },
          origin: `CNPG Cluster ${ns}/${name}`,
              group: true,
        });
        out.push({
          name: `${ns}/${name} jobs`,
          namespace: ns,
          labels: { ...inherited, 'cnpg.io/cluster': name, 'cnpg.io/jobRole': 'initdb' },
          serviceAccount: name,
          origin: `CNPG Cluster ${ns}/${name} (bootstrap and join Jobs)`,
              group: true,
        });
      } else if (o.kind === 'Pooler') {
        const cluster = typeof o.spec?.cluster?.name === 'string' ? o.spec.cluster.name : undefined;
        out.push({
          name: `${ns}/${name} pooler`,
          namespace: ns,
          labels: {
            ...strMap(o.spec?.template?.metadata?.labels),
            'cnpg.io/poolerName': name,
            'cnpg.io/podRole': 'pooler',
            ...(cluster ? { 'cnpg.io/cluster': cluster } : {}),
          },
          serviceAccount: name,
          namedPorts: { pgbouncer: '5432/TCP', metrics: '9127/TCP' },
          origin: `CNPG Pooler ${ns}/${name}`,
              group: true,
        });
      }
    }
  }
  return out;
}

/**
 * The named container ports of a pod known only by its labels (a pod of a Hubble flow): those of
 * the workloads of its namespace whose pod labels it carries, when they agree; undefined when
 * none matches or they disagree.
 */
export function namedPortsByLabels(namespace: string, labels: Readonly<Record<string, string>>, pods: readonly WorkloadPod[]): Record<string, string> | undefined {
  let found: string | undefined;
  for (const p of pods) {
    if (p.namespace !== namespace || !p.namedPorts || Object.keys(p.namedPorts).length === 0) continue;
    const keys = Object.keys(p.labels);
    if (keys.length === 0 || !keys.every((k) => labels[k] === p.labels[k])) continue;
    const text = JSON.stringify(p.namedPorts);
    if (found !== undefined && found !== text) return undefined;
    found = text;
  }
  return found === undefined ? undefined : JSON.parse(found);
}
