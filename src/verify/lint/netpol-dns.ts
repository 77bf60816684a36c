/**
 * Egress isolation without DNS: a Kubernetes NetworkPolicy that puts its pods into egress
 * default deny blocks name lookups unless some rule for those pods allows port 53 on UDP and TCP
 * (research notes on NetworkPolicy §E.3). The rules counted are those of the linted
 * NetworkPolicies and Cilium policies that surely select every pod the policy selects (their
 * selector's requirements are a subset of its own, in the same namespace), as far as that can be
 * told from the manifests alone.
 */
import { K8S, NAMESPACE_LABELS_PREFIX, POD_NAMESPACE } from '../../cilium/labels';
import { compileK8sSelector, compileSelector, Requirement, Selector, selectorMatches } from '../identity/labels';
import { Label } from '../model';
import type { Issue } from './finding';
import { peerOf, rulesOf } from './util';

type Proto = 'UDP' | 'TCP';

/** The port names CoreDNS and kube-dns give port 53. */
const DNS_PORT_NAMES = ['dns', 'dns-tcp', 'domain'];
/** Labels the cluster DNS pods carry in common distributions. */
const DNS_POD_LABELS: Record<string, string>[] = [{ 'k8s-app': 'kube-dns' }, { 'k8s-app': 'coredns' }, { 'k8s-app': 'node-local-dns' }, { 'app.kubernetes.io/name': 'coredns' }];

const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);

/** A NetworkPolicy as admitted, with where it came from. */
export interface StoredNetpol {
  readonly stored: any;
  readonly namespace: string;
}

/** A Cilium policy as admitted. */
export interface StoredCilium {
  readonly object: any;
}

interface DnsWorld {
  /** Identity labels of the candidate DNS pods (kube-system, with its namespace labels). */
  readonly dnsPods: Label[][];
}

function dnsWorld(namespaces: readonly any[]): DnsWorld {
  const ks = namespaces.find((n) => n?.metadata?.name === 'kube-system');
  // without the Namespace object, assume the automatic label and the custom `name` label (the
  // name-label check reports the latter on its own)
  const nsLabels: Record<string, string> = ks ? { ...(ks.metadata?.labels ?? {}), 'kubernetes.io/metadata.name': 'kube-system' } : { 'kubernetes.io/metadata.name': 'kube-system', 'name': 'kube-system' };
  const base: Label[] = [
    { source: K8S, key: POD_NAMESPACE, value: 'kube-system' },
    ...Object.entries(nsLabels).map(([key, value]): Label => ({ source: K8S, key: NAMESPACE_LABELS_PREFIX + key, value: String(value) })),
  ];
  return { dnsPods: DNS_POD_LABELS.map((l) => [...base, ...Object.entries(l).map(([key, value]): Label => ({ source: K8S, key, value }))]) };
}

const matchesDns = (sel: Selector, w: DnsWorld) => w.dnsPods.some((labels) => selectorMatches(sel, labels));

function addNamespace(sel: Selector, ns: string): Selector {
  if (sel.reqs.some((r) => r.key === POD_NAMESPACE)) {
    return sel;
  }
  return { reqs: [...sel.reqs, { source: K8S, key: POD_NAMESPACE, op: 'In', values: [ns], fromMatchLabels: true }] };
}

/** A NetworkPolicy peer that may be the cluster DNS pods. */
function npPeerMayBeDns(peer: any, ns: string, w: DnsWorld): boolean {
  if (!peer || typeof peer !== 'object' || peer.ipBlock) {
    return false;
  }
  const pod = compileK8sSelector(peer.podSelector ?? {});
  if (peer.namespaceSelector) {
    const nsSel = compileK8sSelector(peer.namespaceSelector, NAMESPACE_LABELS_PREFIX);
    return matchesDns({ reqs: [...nsSel.reqs, ...pod.reqs] }, w);
  }
  return matchesDns(addNamespace(pod, ns), w);
}

/** Which protocols a port entry opens port 53 for: explicitly (53 or a DNS port name), or as part of a wider range. */
function port53(port: unknown, endPort: unknown, protocol: string): { protos: Proto[]; explicit: boolean } {
  const protos: Proto[] = protocol === 'ANY' || protocol === '' ? ['UDP', 'TCP'] : protocol === 'UDP' || protocol === 'TCP' ? [protocol] : [];
  if (port === undefined || port === null || port === '' || port === 0 || port === '0') {
    return { protos, explicit: false };
  }
  const n = typeof port === 'number' ? port : /^\d+$/.test(String(port)) ? Number(port) : NaN;
  if (Number.isNaN(n)) {
    return DNS_PORT_NAMES.includes(String(port).toLowerCase()) ? { protos, explicit: true } : { protos: [], explicit: false };
  }
  if (n === 53) {
    return { protos, explicit: true };
  }
  const end = typeof endPort === 'number' ? endPort : Number(endPort);
  return Number.isFinite(end) && n < 53 && end >= 53 ? { protos, explicit: false } : { protos: [], explicit: false };
}

/** Protocols on which one NetworkPolicy egress rule allows DNS. */
function npRuleDns(rule: any, ns: string, w: DnsWorld): Set<Proto> {
  const out = new Set<Proto>();
  const peers = list(rule?.to);
  const plausible = peers.length === 0 || peers.some((p) => npPeerMayBeDns(p, ns, w));
  const ports = list(rule?.ports);
  if (ports.length === 0) {
    return plausible ? new Set<Proto>(['UDP', 'TCP']) : out;
  }
  for (const p of ports) {
    const r = port53(p?.port, p?.endPort, String(p?.protocol ?? 'TCP'));
    if (r.explicit || plausible) {
      r.protos.forEach((x) => out.add(x));
    }
  }
  return out;
}

/** Protocols on which one Cilium egress item allows DNS. */
function ciliumItemDns(item: any, ns: string | undefined, w: DnsWorld): Set<Proto> {
  const out = new Set<Proto>();
  const toPorts = list(item?.toPorts);
  const peer = peerOf(item);
  let plausible: boolean;
  if (peer === undefined) {
    // no L3 part: every destination when ports are given, nothing otherwise
    plausible = toPorts.length > 0;
  } else if (Array.isArray(peer.entities)) {
    plausible = peer.entities.some((e: string) => e === 'all' || e === 'cluster');
  } else if (Array.isArray(item?.toEndpoints)) {
    plausible = item.toEndpoints.some((s: any) => {
      const sel = compileSelector(s ?? {});
      return matchesDns(ns ? addNamespace(sel, ns) : sel, w);
    });
  } else {
    plausible = false;
  }
  if (toPorts.length === 0) {
    return plausible && list(item?.icmps).length === 0 ? new Set<Proto>(['UDP', 'TCP']) : out;
  }
  for (const tp of toPorts) {
    for (const p of list(tp?.ports)) {
      const r = port53(p?.port, p?.endPort, String(p?.protocol ?? 'ANY'));
      if (r.explicit || plausible) {
        r.protos.forEach((x) => out.add(x));
      }
    }
  }
  return out;
}

const reqKey = (r: Requirement) => `${r.key}\u0000${r.op}\u0000${[...r.values].sort().join('\u0001')}`;

/**
 * Whether a policy selector surely selects every pod of `subject` in namespace `ns`: each of its
 * requirements is one of the subject's, or a pod-namespace requirement `ns` meets.
 */
function covers(sel: Selector, subject: Selector, ns: string): boolean {
  const have = new Set(subject.reqs.map(reqKey));
  return sel.reqs.every((r) => {
    if (r.key === POD_NAMESPACE && r.source !== 'reserved') {
      return (r.op === 'In' && r.values.includes(ns)) || r.op === 'Exists' || (r.op === 'NotIn' && !r.values.includes(ns));
    }
    return have.has(reqKey(r));
  });
}

/** `dns-udp-only` / `netpol-egress-without-dns` findings of one NetworkPolicy. */
export function netpolDns(np: StoredNetpol, others: readonly StoredNetpol[], cilium: readonly StoredCilium[], namespaces: readonly any[]): Issue[] {
  const spec = np.stored.spec ?? {};
  const egressRules = list(spec.egress);
  const isolated = list(spec.policyTypes).includes('Egress') || egressRules.length > 0;
  if (!isolated) {
    return [];
  }
  const w = dnsWorld(namespaces);
  const subject = compileK8sSelector(spec.podSelector ?? {});
  const protos = new Set<Proto>();
  let udpRule: string | undefined;
  egressRules.forEach((rule, i) => {
    const got = npRuleDns(rule, np.namespace, w);
    got.forEach((x) => protos.add(x));
    if (got.has('UDP') && !got.has('TCP') && udpRule === undefined) {
      udpRule = `spec.egress[${i}]`;
    }
  });
  for (const o of others) {
    if (o === np || o.namespace !== np.namespace || !covers(compileK8sSelector(o.stored.spec?.podSelector ?? {}), subject, np.namespace)) {
      continue;
    }
    list(o.stored.spec?.egress).forEach((rule) => npRuleDns(rule, o.namespace, w).forEach((x) => protos.add(x)));
  }
  for (const c of cilium) {
    const clusterwide = c.object.kind === 'CiliumClusterwideNetworkPolicy';
    const cns = clusterwide ? undefined : c.object.metadata?.namespace || 'default';
    if (!clusterwide && cns !== np.namespace) {
      continue;
    }
    for (const { rule } of rulesOf(c.object)) {
      if (!rule || rule.nodeSelector || !covers(compileSelector(rule.endpointSelector ?? {}), subject, np.namespace)) {
        continue;
      }
      list(rule.egress).forEach((item) => ciliumItemDns(item, cns, w).forEach((x) => protos.add(x)));
    }
  }
  if (protos.has('UDP') && protos.has('TCP')) {
    return [];
  }
  if (protos.has('UDP')) {
    return [{
      path: udpRule ?? (egressRules.length > 0 ? 'spec.egress' : 'spec.policyTypes'),
      severity: 'warning',
      rule: 'dns-udp-only',
      message: 'DNS is allowed on UDP only for the pods this policy selects: answers too large for UDP are retried over TCP, which is then dropped',
      fix: 'allow port 53 on TCP as well: ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]',
    }];
  }
  return [{
    path: egressRules.length > 0 ? 'spec.egress' : 'spec.policyTypes',
    severity: 'warning',
    rule: 'netpol-egress-without-dns',
    message: `the pods this policy selects are egress-isolated, and no egress rule for them (in this policy or another linted policy selecting them) allows port 53 on ${protos.has('TCP') ? 'UDP' : 'UDP and TCP'}: their name lookups fail, so they cannot reach services by name`,
    fix: 'add an egress rule to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}] with ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]',
  }];
}
