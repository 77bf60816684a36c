/**
 * Label facts of the Cilium agent that the policy layer and the verifier both rely on
 * (semantics reference §3.1): label sources, the keys the agent adds to a pod's identity, and
 * the default label filter (`pkg/labelsfilter`).
 */

/** Label source of Kubernetes pod labels. */
export const K8S = 'k8s';
/** Selector source that matches a label of any source. */
export const ANY = 'any';
/** Label source of reserved identities (`reserved:host`, ...). */
export const RESERVED = 'reserved';

/** The namespace key the agent adds to every pod identity. */
export const POD_NAMESPACE = 'io.kubernetes.pod.namespace';
/** Prefix of the namespace's own labels in a pod identity. */
export const NAMESPACE_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
/** The cluster name key (`cluster.name`). */
export const POLICY_CLUSTER = 'io.cilium.k8s.policy.cluster';
/** The service account key. */
export const POLICY_SERVICEACCOUNT = 'io.cilium.k8s.policy.serviceaccount';

interface LabelPrefix {
  readonly ignore: boolean;
  readonly source?: string;
  readonly re: RegExp;
}

function lp(expr: string, source?: string): LabelPrefix {
  const ignore = expr.startsWith('!');
  const body = ignore ? expr.slice(1) : expr;
  return { ignore, source, re: new RegExp(`^(?:${body})`) };
}

function quote(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `pkg/labelsfilter/filter.go` `defaultLabelPrefixCfg`. Keys match at their start. */
const DEFAULT_LABEL_PREFIXES: readonly LabelPrefix[] = [
  lp('.*', RESERVED),
  lp(quote(POD_NAMESPACE)),
  lp(quote('io.cilium.k8s.namespace.labels')),
  lp(quote('app.kubernetes.io')),
  lp(quote(POLICY_CLUSTER)),
  lp('!io\\.kubernetes'),
  lp('!kubernetes\\.io'),
  lp('!statefulset\\.kubernetes\\.io/pod-name'),
  lp('!apps\\.kubernetes\\.io/pod-index'),
  lp('!batch\\.kubernetes\\.io/job-completion-index'),
  lp('!batch\\.kubernetes\\.io/controller-uid'),
  lp('!.*beta\\.kubernetes\\.io'),
  lp('!k8s\\.io'),
  lp('!pod-template-generation'),
  lp('!pod-template-hash'),
  lp('!controller-revision-hash'),
  lp('!controller-uid'),
  lp('!annotation.*'),
  lp('!etcd_node'),
  lp('!topology\\.kubernetes\\.io'),
];

/**
 * Whether the default label filter keeps a label (source, key) in security identities: the
 * longest matching include wins over a shorter matching ignore.
 */
export function isIdentityLabel(l: { readonly source: string; readonly key: string }): boolean {
  let included = 0;
  let ignored = 0;
  for (const p of DEFAULT_LABEL_PREFIXES) {
    if (p.source !== undefined && p.source !== l.source) continue;
    const m = p.re.exec(l.key);
    if (!m) continue;
    const len = m[0].length;
    if (p.ignore) {
      if (ignored === 0 || len < ignored) ignored = len;
    } else if (len > included) {
      included = len;
    }
  }
  return ignored === 0 || included > ignored;
}
