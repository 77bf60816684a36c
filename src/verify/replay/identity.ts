/**
 * One end of a Hubble flow (`flow.source` / `flow.destination`, an `Endpoint` of Hubble's
 * flow.proto: `namespace`, `labels` as `<source>:<key>=<value>`, `pod_name`, `identity`,
 * `workloads`) as the engine sees it: a pod (an `EndpointDef` built from the identity labels) or
 * one of the engine's non-pod peers (`world:<ip>`, `host`, `remote-node`, `kube-apiserver`,
 * `health`, `init`, `ingress`, `unmanaged:<ip>`; see identity/peers.ts).
 *
 * Pods: the `k8s:` labels become the endpoint's labels, minus the ones the agent adds itself
 * (`io.kubernetes.pod.namespace` is the namespace, `io.cilium.k8s.policy.serviceaccount` the
 * service account, `io.cilium.k8s.namespace.labels.<k>` the namespace's labels,
 * `io.cilium.k8s.policy.cluster` the cluster); labels of other sources are ignored.
 *
 * Reserved identities: a `reserved:` label decides (`reserved:world`, `-ipv4`, `-ipv6` and CIDR or
 * FQDN identities, whose labels are `cidr:<prefix>` / `fqdn:<pattern>` with `reserved:world`,
 * become `world:<ip>`). An end without labels is read from its numeric identity when that is a
 * reserved one (1..10, `pkg/identity/numericidentity.go`), as in Hubble's printer test
 * `"source":{"identity":4}`.
 */
import { RESERVED_IDENTITIES } from '../../cilium/identities';
import { NAMESPACE_LABELS_PREFIX, POD_NAMESPACE, POLICY_CLUSTER, POLICY_SERVICEACCOUNT } from '../../cilium/labels';
import { parseIp } from '../../cilium/net';

/** A pod's security identity as Hubble reports it. */
export interface PodIdentity {
  readonly kind: 'pod';
  /** Stable key: namespace and every identity label (agent-added ones included), sorted. */
  readonly key: string;
  readonly namespace: string;
  /** The pod's own labels (no source prefix, agent-added labels removed). */
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount?: string;
  /** Labels of the namespace (from `io.cilium.k8s.namespace.labels.*`). */
  readonly namespaceLabels: Readonly<Record<string, string>>;
  readonly cluster?: string;
  /** Numeric identity, when Hubble gave one. */
  readonly identity?: number;
}

/** A non-pod end, in the engine's peer notation. */
export interface PeerIdentity {
  readonly kind: 'peer';
  readonly key: string;
  readonly notation: string;
}

export type EndIdentity = PodIdentity | PeerIdentity;

/** The identity of one end of one flow, with what tells this pod from others of its identity. */
export interface ObservedEnd {
  readonly identity: EndIdentity;
  /** The pod's name (`pod_name`), else its address; for telling a pod from its replicas. */
  readonly instance?: string;
  readonly podName?: string;
  /** The workload Hubble names (`workloads[0].name`, e.g. a Deployment). */
  readonly workload?: string;
}

/** Why an end cannot be replayed. */
export interface UnknownEnd {
  readonly kind: 'unknown';
  readonly reason: string;
}

/**
 * Which reserved label decides when several are present, first wins. The local node hosting the
 * API server carries `reserved:host` and `reserved:kube-apiserver` (notes §3.5); the engine has
 * no peer with both, see `endIdentity`.
 */
const RESERVED_ORDER = ['host', 'kube-apiserver', 'remote-node', 'health', 'init', 'ingress', 'unmanaged', 'world', 'world-ipv4', 'world-ipv6'];

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function peer(notation: string): PeerIdentity {
  return { kind: 'peer', key: `peer:${notation}`, notation };
}

/** The peer notation of a reserved identity name, at address `ip`. */
function reservedPeer(name: string, ip: string | undefined, side: string): PeerIdentity | UnknownEnd {
  switch (name) {
    case 'world':
    case 'world-ipv4':
    case 'world-ipv6':
    case 'unmanaged': {
      const head = name === 'unmanaged' ? 'unmanaged' : 'world';
      if (ip === undefined) return peer(head);
      if (!parseIp(ip)) return { kind: 'unknown', reason: `${side} address ${JSON.stringify(ip)} is not an IP address` };
      return peer(`${head}:${ip}`);
    }
    case 'host':
    case 'kube-apiserver':
    case 'remote-node':
    case 'health':
    case 'init':
    case 'ingress':
      return peer(name);
    default:
      return { kind: 'unknown', reason: `${side} has the reserved identity ${JSON.stringify(name)}, which policies cannot select` };
  }
}


function podIdentity(namespaceField: string | undefined, labels: readonly string[], identity: number | undefined, side: string): PodIdentity | UnknownEnd {
  const own: Record<string, string> = {};
  const nsLabels: Record<string, string> = {};
  let namespace = namespaceField;
  let serviceAccount: string | undefined;
  let cluster: string | undefined;
  const keyed: string[] = [];
  for (const raw of labels) {
    if (!raw.startsWith('k8s:')) continue; // other sources (container:, unspec:) are not in identities
    const body = raw.slice(4);
    const eq = body.indexOf('=');
    const k = eq >= 0 ? body.slice(0, eq) : body;
    const v = eq >= 0 ? body.slice(eq + 1) : '';
    keyed.push(`${k}=${v}`);
    if (k === POD_NAMESPACE) namespace = namespace ?? v;
    else if (k === POLICY_SERVICEACCOUNT) serviceAccount = v;
    else if (k === POLICY_CLUSTER) cluster = v;
    else if (k.startsWith(NAMESPACE_LABELS_PREFIX)) nsLabels[k.slice(NAMESPACE_LABELS_PREFIX.length)] = v;
    else if (!k.startsWith('io.cilium.k8s')) own[k] = v;
  }
  let out: PodIdentity | UnknownEnd;
  if (namespace === undefined) {
    out = { kind: 'unknown', reason: `${side} has pod labels but no namespace` };
  } else {
    keyed.sort();
    out = {
      kind: 'pod',
      key: `pod:${namespace}\u0000${keyed.join('\u0000')}`,
      namespace,
      labels: own,
      serviceAccount,
      namespaceLabels: nsLabels,
      cluster,
      identity,
    };
  }
  return out;
}

/**
 * The engine's view of one end of a flow. `ip` is the end's address (`IP.source` /
 * `IP.destination`); `side` names the end in messages and says which end opened the
 * connection: the local node with the API server on it (`reserved:host` and
 * `reserved:kube-apiserver`) is `host` as the source (host traffic is what allow-localhost is
 * about) and `kube-apiserver` as the destination (what `toEntities: [kube-apiserver]` is about).
 */
export function endIdentity(ep: unknown, ip: string | undefined, side: 'source' | 'destination'): ObservedEnd | UnknownEnd {
  const e = ep && typeof ep === 'object' && !Array.isArray(ep) ? (ep as Record<string, unknown>) : {};
  const labels = Array.isArray(e.labels) ? e.labels.filter((l): l is string => typeof l === 'string') : [];
  const identityRaw = e.identity;
  const identity = typeof identityRaw === 'number' ? identityRaw : typeof identityRaw === 'string' && /^[0-9]+$/.test(identityRaw) ? Number(identityRaw) : undefined;
  const podName = str(e.pod_name) ?? str(e.podName);
  const workloads = Array.isArray(e.workloads) ? e.workloads : [];
  const workload = workloads.length > 0 && workloads[0] && typeof workloads[0] === 'object' ? str((workloads[0] as Record<string, unknown>).name) : undefined;

  const reserved = new Set<string>();
  let cidrOrFqdn = false;
  let k8s = false;
  for (const l of labels) {
    if (l.startsWith('reserved:')) reserved.add(l.slice('reserved:'.length).split('=')[0]);
    else if (l.startsWith('cidr:') || l.startsWith('fqdn:')) cidrOrFqdn = true;
    else if (l.startsWith('k8s:')) k8s = true;
  }
  if (reserved.size > 0 || cidrOrFqdn) {
    if (reserved.has('host') && reserved.has('kube-apiserver')) {
      return { identity: peer(side === 'source' ? 'host' : 'kube-apiserver') };
    }
    const name = RESERVED_ORDER.find((n) => reserved.has(n)) ?? (cidrOrFqdn && reserved.size === 0 ? 'world' : [...reserved][0]);
    const r = reservedPeer(name, ip, side);
    return r.kind === 'unknown' ? r : { identity: r, instance: ip };
  }
  if (k8s) {
    const p = podIdentity(str(e.namespace), labels, identity, side);
    if (p.kind === 'unknown') return p;
    return { identity: p, instance: podName ? `${p.namespace}/${podName}` : ip, podName, workload };
  }
  if (labels.length === 0 && identity !== undefined && identity in RESERVED_IDENTITIES) {
    const r = reservedPeer(RESERVED_IDENTITIES[identity], ip, side);
    return r.kind === 'unknown' ? r : { identity: r, instance: ip };
  }
  if (labels.length > 0) return { kind: 'unknown', reason: `${side} has no k8s: or reserved: label (${labels.slice(0, 3).join(', ')})` };
  return { kind: 'unknown', reason: identity !== undefined ? `${side} identity ${identity} comes without labels` : `${side} has no identity` };
}

/** Whether an `endIdentity` result is a replayable end. */
export function isKnown(e: ObservedEnd | UnknownEnd): e is ObservedEnd {
  return !('kind' in e);
}
