/**
 * The parties of a connectivity report: the pods that the manifests create (workload pod
 * templates, CloudNativePG instances, Jobs and poolers), stand-ins for the pods that the
 * policies name as peers (e.g. `role: backend` in `default`), and probes for "any other pod".
 */
import { workloadPods } from '../verify/intake/pods';
import { EndpointDef } from '../verify/model';

/** A pod (or a group of identical pods) of the report. */
export interface ReportPod extends EndpointDef {
  /** How the report names it (also the engine's endpoint name). */
  readonly name: string;
  /** Where it comes from: `Deployment default/web`, `peer of CiliumNetworkPolicy x`, `probe`. */
  readonly origin: string;
  /** Pods written in the manifests or the scenario, as opposed to stand-ins and probes. */
  readonly declared: boolean;
  /** A stand-in for the pods a policy applies to (its `endpointSelector`), when no declared pod matches. */
  readonly subject?: boolean;
  /** A group of identical pods (a workload's replicas), as derived from a manifest. */
  readonly group?: boolean;
  /** Labels of the (made-up) namespace of a stand-in selected by namespace labels. */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
}

/** The pods the manifests create. `defaultNamespace` is used for objects without one. */
export function podsFromManifests(objects: readonly any[], defaultNamespace = 'default'): ReportPod[] {
  return workloadPods(objects, defaultNamespace).map((p) => ({ ...p, declared: true }));
}

const POD_NS = 'io.kubernetes.pod.namespace';
const NS_LABEL_PREFIX = 'io.cilium.k8s.namespace.labels.';

function stripSource(key: string): string {
  const m = /^(k8s|any|container|unspec):(.*)$/.exec(key);
  return m ? m[2] : key;
}

/**
 * A stand-in pod for a peer selector of a policy, or undefined when the selector cannot be
 * satisfied by a single made-up pod (reserved labels, negative requirements).
 */
function standIn(sel: any, policyNs: string | undefined, origin: string): ReportPod | undefined {
  if (!sel || typeof sel !== 'object') return undefined;
  const labels: Record<string, string> = {};
  let ns: string | undefined;
  const nsLabels: Record<string, string> = {};
  const put = (rawKey: string, value: string): boolean => {
    if (/^reserved:/.test(rawKey)) return false;
    const key = stripSource(rawKey);
    if (key === POD_NS) ns = value;
    else if (key.startsWith(NS_LABEL_PREFIX)) {
      const k = key.slice(NS_LABEL_PREFIX.length);
      if (k === 'kubernetes.io/metadata.name') ns = value;
      else nsLabels[k] = value;
    } else if (key.startsWith('io.cilium.k8s.policy.')) return false;
    else labels[key] = value;
    return true;
  };
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
    if (!put(k, String(v))) return undefined;
  }
  for (const e of sel.matchExpressions ?? []) {
    if (!e || typeof e.key !== 'string') return undefined;
    if (e.operator === 'In' && Array.isArray(e.values) && e.values.length > 0) {
      if (!put(e.key, String([...e.values].sort()[0]))) return undefined;
    } else if (e.operator === 'Exists') {
      // a namespace key with Exists means "any namespace": keep the policy's namespace unset
      if (stripSource(e.key) === POD_NS) { ns = ns ?? '*'; continue; }
      if (!put(e.key, 'any')) return undefined;
    } else {
      return undefined;
    }
  }
  let namespace = ns ?? policyNs;
  if (namespace === '*' || namespace === undefined) namespace = Object.keys(nsLabels).length ? undefined : 'any-namespace';
  if (namespace === undefined) {
    namespace = `ns-${Object.entries(nsLabels).map(([k, v]) => `${k}-${v}`).join('-').replace(/[^a-z0-9-]/gi, '-').toLowerCase()}`;
  }
  const keys = Object.keys(labels).sort();
  const what = keys.length ? `pods ${keys.map((k) => `${k}=${labels[k]}`).join(',')}` : 'any pod';
  const where = Object.keys(nsLabels).length
    ? ` (namespaces ${Object.keys(nsLabels).sort().map((k) => `${k}=${nsLabels[k]}`).join(',')})`
    : ` (${namespace})`;
  return {
    name: `${what}${where}`,
    namespace,
    labels,
    origin,
    declared: false,
    ...(Object.keys(nsLabels).length ? { namespaceLabels: nsLabels } : {}),
  };
}

function* policySpecs(o: any): Generator<any> {
  if (o.spec && typeof o.spec === 'object') yield o.spec;
  if (Array.isArray(o.specs)) for (const s of o.specs) if (s && typeof s === 'object') yield s;
}

/** Whether the object is a Kubernetes NetworkPolicy. */
export function isNetworkPolicy(o: any): boolean {
  return !!o && typeof o === 'object' && o.kind === 'NetworkPolicy' && o.apiVersion === 'networking.k8s.io/v1';
}

/** A NetworkPolicy peer as the Cilium selector the agent makes of it (namespace selectors on namespace labels). */
function networkPolicyPeerSelector(peer: any, policyNs: string): any {
  if (!peer || typeof peer !== 'object' || (!peer.podSelector && !peer.namespaceSelector)) return undefined;
  const matchLabels: Record<string, string> = { ...(peer.podSelector?.matchLabels ?? {}) };
  const matchExpressions: any[] = [...(peer.podSelector?.matchExpressions ?? [])];
  const ns = peer.namespaceSelector;
  if (!ns) {
    matchLabels[POD_NS] = policyNs;
  } else if (Object.keys(ns.matchLabels ?? {}).length === 0 && (ns.matchExpressions ?? []).length === 0) {
    matchExpressions.push({ key: POD_NS, operator: 'Exists' });
  } else {
    for (const [k, v] of Object.entries(ns.matchLabels ?? {})) matchLabels[NS_LABEL_PREFIX + k] = String(v);
    for (const e of ns.matchExpressions ?? []) matchExpressions.push({ ...e, key: NS_LABEL_PREFIX + e?.key });
  }
  return { matchLabels, matchExpressions };
}

/**
 * Each spec of each policy among `objects` as Cilium sees it, with the policy's namespace and a
 * reference to it: Cilium policies as written, NetworkPolicies translated (subject from
 * `podSelector`, peers from `from`/`to`).
 */
function* policySpecsOf(objects: readonly any[]): Generator<{ spec: any; policyNs: string | undefined; ref: string }> {
  for (const o of objects) {
    if (isNetworkPolicy(o)) {
      const policyNs = o.metadata?.namespace || 'default';
      const ref = `NetworkPolicy ${policyNs}/${o.metadata?.name}`;
      const peers = (rules: any, key: string) => (Array.isArray(rules) ? rules : []).flatMap((r: any) => (Array.isArray(r?.[key]) ? r[key] : []))
        .map((p: any) => networkPolicyPeerSelector(p, policyNs)).filter((s: any) => s);
      yield {
        spec: { endpointSelector: o.spec?.podSelector ?? {}, ingress: [{ fromEndpoints: peers(o.spec?.ingress, 'from') }], egress: [{ toEndpoints: peers(o.spec?.egress, 'to') }] },
        policyNs,
        ref,
      };
      continue;
    }
    if (!o || (o.kind !== 'CiliumNetworkPolicy' && o.kind !== 'CiliumClusterwideNetworkPolicy')) continue;
    const clusterwide = o.kind === 'CiliumClusterwideNetworkPolicy';
    const policyNs = clusterwide ? undefined : (o.metadata?.namespace || 'default');
    const ref = `${o.kind} ${policyNs ? `${policyNs}/` : ''}${o.metadata?.name}`;
    for (const spec of policySpecs(o)) yield { spec, policyNs, ref };
  }
}

/** Stand-in pods for the pods the Cilium policies apply to (their `endpointSelector`). */
export function subjectsFromPolicies(objects: readonly any[]): ReportPod[] {
  const out: ReportPod[] = [];
  for (const { spec, policyNs, ref } of policySpecsOf(objects)) {
    const sel = spec.endpointSelector;
    // `{}` selects every pod of the namespace: the "any other pod" probe stands for it
    if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) continue;
    const p = standIn(sel, policyNs, `selected by ${ref}`);
    if (p) out.push({ ...p, subject: true });
  }
  return out;
}

/** Stand-in pods for every pod peer the Cilium policies name. */
export function standInsFromPolicies(objects: readonly any[]): ReportPod[] {
  const out: ReportPod[] = [];
  for (const { spec, policyNs, ref } of policySpecsOf(objects)) {
    const sels: any[] = [];
    for (const r of [...(spec.ingress ?? []), ...(spec.ingressDeny ?? [])]) sels.push(...(r?.fromEndpoints ?? []));
    for (const r of [...(spec.egress ?? []), ...(spec.egressDeny ?? [])]) sels.push(...(r?.toEndpoints ?? []));
    for (const sel of sels) {
      const p = standIn(sel, policyNs, `peer of ${ref}`);
      if (p) out.push(p);
    }
  }
  return out;
}

/** Probes: an unlabelled pod in each namespace, and a pod of a namespace nothing mentions. */
export function probePods(namespaces: readonly string[]): ReportPod[] {
  const out: ReportPod[] = namespaces.map((ns) => ({
    name: `any other pod (${ns})`, namespace: ns, labels: { 'report.cilium-verify/probe': 'other' }, origin: 'probe', declared: false,
  }));
  out.push({ name: 'a pod of another namespace', namespace: 'other-namespace', labels: { 'report.cilium-verify/probe': 'other' }, origin: 'probe', declared: false });
  return out;
}

/** Removes duplicates by name (first wins, a subject stand-in stays a subject) and sorts by namespace, then name. */
export function dedupePods(pods: readonly ReportPod[]): ReportPod[] {
  const seen = new Map<string, ReportPod>();
  for (const p of pods) {
    const prev = seen.get(p.name);
    if (!prev) seen.set(p.name, p);
    else if (p.subject && !prev.declared && !prev.subject) seen.set(p.name, { ...prev, subject: true, origin: p.origin });
  }
  return [...seen.values()].sort((a, b) => (a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
