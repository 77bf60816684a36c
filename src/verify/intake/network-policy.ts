/**
 * The Kubernetes NetworkPolicy front-end: turns an admitted `networking.k8s.io/v1`
 * NetworkPolicy into the normalised rules Cilium makes of it (`pkg/k8s/network_policy.go`
 * `ParseNetworkPolicy`; the research notes in the tests cite each point):
 *
 * - the subject is `podSelector` in the policy's namespace;
 * - every `from`/`to` item is its own allow item with the rule's ports; a rule without peers
 *   (missing or empty `from`/`to`) allows every identity, world and host included;
 * - peers: `podSelector` alone is scoped to the policy's namespace; `namespaceSelector` keys are
 *   namespace labels (`io.cilium.k8s.namespace.labels.*`) and `{}` means every pod of every
 *   namespace; both in one item are ANDed; `ipBlock` is a CIDR rule (never pods);
 * - a direction listed in `policyTypes` without rules is a deny-all (`ingress: [{}]` in Cilium
 *   terms); every direction the policy has puts its subjects in default deny;
 * - Cilium translates the `ingress`/`egress` lists whatever `policyTypes` says
 *   (cilium/cilium#48703), and ports default to TCP, port 0 meaning every port.
 */
import { K8S, NAMESPACE_LABELS_PREFIX, POD_NAMESPACE, POLICY_CLUSTER } from '../../cilium/labels';
import { parseCidr } from '../../cilium/net';
import { isIanaSvcName } from '../../cilium/ports';
import { compileK8sSelector, Selector, selectorAddExpression, selectorAddMatch, selectorHasKey } from '../identity/labels';
import { formatPolicyRef, PolicyRefData } from '../model';
import type { AdmissionCache } from './admission-cache';
import { admitNetworkPolicy } from './network-policy-admit';
import { Dir, DirSections, FrontEndResult, L4Spec, NormItem, NormRule, PeerMatcher, PortRuleSpec, PortSpec } from './rules';

/** The API group and version of the Kubernetes NetworkPolicy this front-end reads. */
export const NETWORK_POLICY_API = 'networking.k8s.io/v1';

/** What the front-end needs to know of the agent. */
export interface NetworkPolicyContext {
  /** Cilium minor version, 16..19. */
  readonly minor: number;
  /** The cluster name peers are scoped to (`policy-default-local-cluster`, v1.18+), or undefined. */
  readonly localCluster?: string;
  /** Admissions shared with other readers of the same objects. */
  readonly admissions?: AdmissionCache;
}

/** Adds the local cluster to a peer selector unless it names a cluster itself. */
function scopeToCluster(sel: Selector, ctx: NetworkPolicyContext): Selector {
  if (ctx.localCluster === undefined || selectorHasKey(sel, K8S, POLICY_CLUSTER)) return sel;
  return selectorAddMatch(sel, K8S, POLICY_CLUSTER, ctx.localCluster);
}

/** `parseNetworkPolicyPeer`: the selector of a peer with `podSelector` and/or `namespaceSelector`. */
function peerSelector(peer: any, namespace: string, ctx: NetworkPolicyContext): Selector | undefined {
  const pod = peer.podSelector;
  const ns = peer.namespaceSelector;
  if (!pod && !ns) return undefined;
  let sel: Selector;
  if (ns) {
    const nsSel = compileK8sSelector(ns, NAMESPACE_LABELS_PREFIX);
    // an empty namespaceSelector selects every namespace: pods only, never non-pod identities
    sel = nsSel.reqs.length === 0 ? selectorAddExpression(nsSel, K8S, POD_NAMESPACE, 'Exists') : nsSel;
    if (pod) sel = { reqs: [...sel.reqs, ...compileK8sSelector(pod).reqs] };
  } else {
    sel = selectorAddMatch(compileK8sSelector(pod), K8S, POD_NAMESPACE, namespace);
  }
  return scopeToCluster(sel, ctx);
}

function portSpec(p: any): PortSpec {
  const proto = typeof p.protocol === 'string' && p.protocol !== '' ? p.protocol : 'TCP';
  if (p.port === undefined || p.port === null) return { proto, port: 0 };
  if (typeof p.port === 'string') {
    return isIanaSvcName(p.port) ? { proto, name: p.port.toLowerCase() } : { proto, invalid: true };
  }
  const n = Number(p.port);
  const end = typeof p.endPort === 'number' && p.endPort > n ? p.endPort : undefined;
  return { proto, port: n, endPort: end };
}

function l4Of(ports: any, path: string): L4Spec {
  if (!Array.isArray(ports) || ports.length === 0) return { kind: 'all' };
  const rules: PortRuleSpec[] = ports.map((p: any, k: number) => ({ path: `${path}.ports[${k}]`, ports: [portSpec(p ?? {})] }));
  return { kind: 'ports', rules };
}

/** The allow items of one `ingress[i]` / `egress[i]` rule: one per peer, or one for every peer. */
function itemsOf(rule: any, dir: Dir, path: string, namespace: string, ctx: NetworkPolicyContext): NormItem[] {
  const r = rule && typeof rule === 'object' ? rule : {};
  const peers: any[] = Array.isArray(r[dir === 'ingress' ? 'from' : 'to']) ? r[dir === 'ingress' ? 'from' : 'to'] : [];
  const l4 = l4Of(r.ports, path);
  // "If this field is empty or missing, this rule matches all sources" (destinations): the wildcard
  if (peers.length === 0) return [{ path, peers: { kind: 'any' }, l4 }];
  return peers.map((peer: any) => {
    const matchers: PeerMatcher[] = [];
    const p = peer && typeof peer === 'object' ? peer : {};
    const sel = peerSelector(p, namespace, ctx);
    if (sel) matchers.push({ kind: 'selector', sel });
    if (p.ipBlock && typeof p.ipBlock === 'object') {
      const cidr = parseCidr(String(p.ipBlock.cidr));
      const except = (Array.isArray(p.ipBlock.except) ? p.ipBlock.except : []).map((x: any) => parseCidr(String(x))).filter((x: any) => x);
      matchers.push(cidr ? { kind: 'cidr', cidr, except } : { kind: 'none' });
    }
    return { path, peers: { kind: 'list', matchers }, l4 };
  });
}

function hasType(types: any, t: string): boolean {
  return Array.isArray(types) && types.includes(t);
}

/** Admits and translates one NetworkPolicy manifest. */
export function networkPolicyRules(obj: any, ctx: NetworkPolicyContext): FrontEndResult {
  const meta = obj.metadata && typeof obj.metadata === 'object' ? obj.metadata : {};
  const namespace = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default';
  const ref: PolicyRefData = { kind: 'NetworkPolicy', namespace, name: typeof meta.name === 'string' && meta.name ? meta.name : '<unnamed>' };
  const subjectOf = (o: any): Selector => selectorAddMatch(compileK8sSelector(o?.spec?.podSelector ?? {}), K8S, POD_NAMESPACE, namespace);
  const res = ctx.admissions ? ctx.admissions.networkPolicy(obj) : admitNetworkPolicy(obj);
  if (res.schemaErrors.length > 0 || res.object === undefined) {
    return {
      rules: [],
      inert: { policy: ref, message: `${formatPolicyRef(ref)} is not created: the API server rejects it: ${res.schemaErrors.join('; ') || 'invalid'}`, subjects: [subjectOf(obj)] },
      notes: [],
    };
  }
  const stored = res.object;
  const spec = stored.spec && typeof stored.spec === 'object' ? stored.spec : {};
  const subject = subjectOf(stored);
  const mk = (dir: Dir): DirSections => {
    const key = dir === 'ingress' ? 'ingress' : 'egress';
    const raw: any[] = Array.isArray(spec[key]) ? spec[key] : [];
    const allow = raw.flatMap((rule, i) => itemsOf(rule, dir, `spec.${key}[${i}]`, namespace, ctx));
    const listed = dir === 'ingress' ? hasType(spec.policyTypes, 'Ingress') || !hasType(spec.policyTypes, 'Egress') : hasType(spec.policyTypes, 'Egress');
    if (allow.length === 0 && listed) {
      // a listed direction without rules: Cilium's deny-all item, `ingress: [{}]`
      allow.push({ path: `spec.policyTypes`, peers: { kind: 'list', matchers: [] }, l4: { kind: 'all' } });
    }
    const hasSection = allow.length > 0;
    // every NetworkPolicy direction is default deny (`DefaultDeny = true` for Kubernetes rules)
    return { allow, deny: [], hasSection, defaultDeny: hasSection };
  };
  const rule: NormRule = { policy: ref, path: 'spec', clusterwide: false, namespace, subject, ingress: mk('ingress'), egress: mk('egress') };
  const notes = res.pruned.length === 0 ? [] : [{
    policy: ref,
    message: `${formatPolicyRef(ref)}: field${res.pruned.length > 1 ? 's' : ''} ${res.pruned.join(', ')} unknown to the API server ${res.pruned.length > 1 ? 'were' : 'was'} dropped`,
    subjects: [subject],
  }];
  return { rules: [rule], notes };
}
