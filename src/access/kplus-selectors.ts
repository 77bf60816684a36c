/**
 * cdk8s-plus-28 selectors read back as this library's `PodSelector` and namespace: what
 * `AccessClient.fromWorkload()` / `fromPods()` / `allPodsOf()` and `AccessTarget.workload()`
 * are built from; and the other way, pods of ours as a cdk8s-plus-28 pod selector.
 */
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { _inputError } from '../policy/errors';
import { LabelOperator, LabelRequirement, PodSelector } from '../policy/selector';

/**
 * Reads a cdk8s-plus-28 `LabelSelector` back. Its labels and expressions are private: the only
 * read-back is the `@internal` `_toKube()`, so this is the one place that calls it (pinned by a
 * unit test).
 *
 * @internal
 */
export function _kplusLabelSelector(sel: kplus.LabelSelector): { labels: { [k: string]: string }; expressions: LabelRequirement[] } {
  const toKube = (sel as any)._toKube;
  if (typeof toKube !== 'function') {
    throw new Error('cdk8s-plus-28 LabelSelector has no _toKube(): this cdk8s-plus version is not supported; select the pods with PodSelector instead');
  }
  const kube = toKube.call(sel) as { matchLabels?: { [k: string]: string }; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  return { labels: { ...(kube.matchLabels ?? {}) }, expressions: (kube.matchExpressions ?? []).map(_fromKubeRequirement) };
}

/** @internal */
export function _fromKplusSelector(sel: kplus.LabelSelector): PodSelector {
  const k = _kplusLabelSelector(sel);
  return PodSelector.of({ labels: k.labels, expressions: k.expressions });
}

/**
 * The pods of a cdk8s-plus-28 pod selector (workload, Pod, Pods) and their one namespace.
 *
 * @internal
 */
export function _kplusPods(pods: kplus.IPodSelector, field: string): { selector: PodSelector; namespace: string } {
  const cfg = pods.toPodSelectorConfig();
  // Workloads: their own pod selector (public API); Pod and Pods: the cdk8s-plus selector.
  // Workloads that select their pods (Deployment, StatefulSet, DaemonSet): their own selector,
  // public API. Jobs, CronJobs, Pods and Pods.select: the cdk8s-plus selector (for workloads,
  // the `cdk8s.io/metadata.addr` label cdk8s-plus puts on the pod template).
  const own = pods instanceof kplus.Workload && (Object.keys(pods.matchLabels).length > 0 || pods.matchExpressions.length > 0);
  const selector = own
    ? PodSelector.of({ labels: (pods as kplus.Workload).matchLabels, expressions: (pods as kplus.Workload).matchExpressions.map(_fromKubeRequirement) })
    : _fromKplusSelector(cfg.labelSelector);
  if (cfg.namespaces?.labelSelector && !cfg.namespaces.labelSelector.isEmpty()) {
    throw _inputError(pods, `${field} namespace`, 'the pods select their namespaces by label, so their namespace cannot be determined', 'select the namespace by name (Namespaces.select(scope, id, { names: [...] })), or use AccessClient.namespacesLabelled()');
  }
  const names = cfg.namespaces?.names ?? [];
  if (names.length > 1) {
    throw _inputError(pods, `${field} namespace`, `the pods span several namespaces (${names.join(', ')})`, 'grant each namespace separately');
  }
  const ns = names[0] ?? (pods as any).metadata?.namespace ?? Chart.of(pods).namespace;
  if (!ns) {
    throw _inputError(pods, `${field} namespace`, 'the namespace of the pods cannot be determined (no metadata.namespace, no namespace selected by name and no chart namespace)', 'set the workload\'s metadata.namespace, or create its chart with a namespace');
  }
  return { selector, namespace: ns };
}

function _fromKubeRequirement(e: { key: string; operator: string; values?: string[] }): LabelRequirement {
  switch (e.operator as LabelOperator) {
    case LabelOperator.IN: return LabelRequirement.in(e.key, e.values ?? []);
    case LabelOperator.NOT_IN: return LabelRequirement.notIn(e.key, e.values ?? []);
    case LabelOperator.EXISTS: return LabelRequirement.exists(e.key);
    case LabelOperator.DOES_NOT_EXIST: return LabelRequirement.doesNotExist(e.key);
    default: throw new Error(`label selector requirement on "${e.key}": unknown operator "${e.operator}"; use In, NotIn, Exists or DoesNotExist`);
  }
}

/**
 * Pods of ours (`selector` in `namespace`) as a cdk8s-plus-28 pod selector: what
 * `SecuredPostgres` and `Pooler` give `connections.allowTo()` and `NetworkPolicy` peers.
 *
 * @internal
 */
export function _toKplusPodSelectorConfig(selector: PodSelector, namespace: string): kplus.PodSelectorConfig {
  return {
    labelSelector: kplus.LabelSelector.of({ labels: { ...selector.matchLabels } }),
    namespaces: { names: [namespace] },
  };
}
