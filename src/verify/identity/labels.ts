/**
 * Labels, label sources and endpoint selectors as the Cilium agent sees them
 * (semantics reference §3, §4).
 */
import { ANY, isIdentityLabel, K8S, NAMESPACE_LABELS_PREFIX, POD_NAMESPACE, POLICY_CLUSTER, POLICY_SERVICEACCOUNT, RESERVED } from '../../cilium/labels';
import { EndpointDef, Label, NamespaceDef } from '../model';

export { ANY, K8S, NAMESPACE_LABELS_PREFIX, POD_NAMESPACE, POLICY_CLUSTER, POLICY_SERVICEACCOUNT, RESERVED, isIdentityLabel } from '../../cilium/labels';

/** A selector key after `GetExtendedKeyFrom`: source + key. */
export interface SelectorKey {
  readonly source: string;
  readonly key: string;
}

/**
 * Splits a selector key like the agent (`pkg/labels` `GetExtendedKeyFrom`): everything before
 * the first `:` is the source, `$x` is `reserved:x`, no colon means source `any`.
 */
export function parseSelectorKey(raw: string): SelectorKey {
  const str = String(raw);
  let source = '';
  let next = str;
  if (str.startsWith('$')) {
    source = RESERVED;
    next = str.slice(1);
  } else {
    const i = str.indexOf(':');
    if (i >= 0) {
      source = str.slice(0, i);
      next = str.slice(i + 1);
    }
  }
  if (source === '') source = ANY;
  const eq = next.indexOf('=');
  if (eq >= 0) next = next.slice(0, eq);
  return { source, key: next };
}

export function fullKey(k: SelectorKey): string {
  return `${k.source}.${k.key}`;
}

export type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface Requirement {
  readonly source: string;
  readonly key: string;
  readonly op: Operator | 'Invalid';
  readonly values: readonly string[];
  /** True when it came from `matchLabels` (AddMatch overwrites those). */
  readonly fromMatchLabels: boolean;
}

/** A compiled endpoint selector: requirements ANDed. An empty list selects everything. */
export interface Selector {
  readonly reqs: readonly Requirement[];
}

export const WILDCARD_SELECTOR: Selector = { reqs: [] };

/** Compiles a (Cilium/Kubernetes) label selector object. */
export function compileSelector(raw: any): Selector {
  const reqs: Requirement[] = [];
  if (raw && typeof raw === 'object') {
    const ml = raw.matchLabels;
    if (ml && typeof ml === 'object' && !Array.isArray(ml)) {
      for (const k of Object.keys(ml)) {
        const sk = parseSelectorKey(k);
        const v = ml[k] === null || ml[k] === undefined ? '' : String(ml[k]);
        reqs.push({ source: sk.source, key: sk.key, op: 'In', values: [v], fromMatchLabels: true });
      }
    }
    const me = raw.matchExpressions;
    if (Array.isArray(me)) {
      for (const e of me) {
        if (!e || typeof e !== 'object') continue;
        const sk = parseSelectorKey(String(e.key ?? ''));
        const op = ['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator) ? (e.operator as Operator) : 'Invalid';
        const values = Array.isArray(e.values) ? e.values.map((x: any) => String(x)) : [];
        reqs.push({ source: sk.source, key: sk.key, op, values, fromMatchLabels: false });
      }
    }
  }
  return { reqs };
}

/**
 * Compiles a Kubernetes label selector the way the agent translates a NetworkPolicy's
 * (`NewESFromK8sLabelSelector(prefix, ...)`): every key gets source `k8s` and, for namespace
 * selectors, the prefix `io.cilium.k8s.namespace.labels.`; no key is read as `source:key`.
 */
export function compileK8sSelector(raw: any, keyPrefix = ''): Selector {
  const reqs: Requirement[] = [];
  if (raw && typeof raw === 'object') {
    const ml = raw.matchLabels;
    if (ml && typeof ml === 'object' && !Array.isArray(ml)) {
      for (const k of Object.keys(ml)) {
        const v = ml[k] === null || ml[k] === undefined ? '' : String(ml[k]);
        reqs.push({ source: K8S, key: keyPrefix + k, op: 'In', values: [v], fromMatchLabels: true });
      }
    }
    const me = raw.matchExpressions;
    if (Array.isArray(me)) {
      for (const e of me) {
        if (!e || typeof e !== 'object') continue;
        const op = ['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator) ? (e.operator as Operator) : 'Invalid';
        const values = Array.isArray(e.values) ? e.values.map((x: any) => String(x)) : [];
        reqs.push({ source: K8S, key: keyPrefix + String(e.key ?? ''), op, values, fromMatchLabels: false });
      }
    }
  }
  return { reqs };
}

/** `HasKey`: the selector names this exact source.key in matchLabels or matchExpressions. */
export function selectorHasKey(sel: Selector, source: string, key: string): boolean {
  return sel.reqs.some((r) => r.source === source && r.key === key);
}

/** `HasKeyPrefix` on the extended key `source.key`. */
export function selectorHasKeyPrefix(sel: Selector, prefix: string): boolean {
  return sel.reqs.some((r) => `${r.source}.${r.key}`.startsWith(prefix));
}

/** `AddMatch`: sets matchLabels[source.key] = value, overwriting an existing matchLabels entry. */
export function selectorAddMatch(sel: Selector, source: string, key: string, value: string): Selector {
  const reqs = sel.reqs.filter((r) => !(r.fromMatchLabels && r.source === source && r.key === key));
  reqs.push({ source, key, op: 'In', values: [value], fromMatchLabels: true });
  return { reqs };
}

export function selectorAddExpression(sel: Selector, source: string, key: string, op: Operator, values: string[] = []): Selector {
  return { reqs: [...sel.reqs, { source, key, op, values, fromMatchLabels: false }] };
}

function labelHasKey(l: Label, source: string, key: string): boolean {
  if (l.key !== key) return false;
  return source === ANY || source === l.source;
}

function lookup(labels: readonly Label[], source: string, key: string): Label | undefined {
  for (const l of labels) {
    if (labelHasKey(l, source, key)) return l;
  }
  return undefined;
}

/** Kubernetes label-selector semantics over identity labels with Cilium's source rules (§3.2). */
export function selectorMatches(sel: Selector, labels: readonly Label[]): boolean {
  for (const r of sel.reqs) {
    const l = lookup(labels, r.source, r.key);
    switch (r.op) {
      case 'In':
        if (!l || !r.values.includes(l.value)) return false;
        break;
      case 'NotIn':
        if (l && r.values.includes(l.value)) return false;
        break;
      case 'Exists':
        if (!l) return false;
        break;
      case 'DoesNotExist':
        if (l) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A stable text form of a selector, for caching and messages. */
export function selectorText(sel: Selector): string {
  if (sel.reqs.length === 0) return '{}';
  return sel.reqs
    .map((r) => {
      const k = `${r.source}:${r.key}`;
      switch (r.op) {
        case 'In':
          return r.values.length === 1 ? `${k}=${r.values[0]}` : `${k} in (${r.values.join(',')})`;
        case 'NotIn':
          return `${k} notin (${r.values.join(',')})`;
        case 'Exists':
          return `${k}`;
        case 'DoesNotExist':
          return `!${k}`;
        default:
          return `${k} <invalid operator>`;
      }
    })
    .join(',');
}

// ---------------------------------------------------------------------------------------------
// Identity labels of pods (§3.1)

/** Sorted, de-duplicated identity labels and their key. */
export function identityKey(labels: readonly Label[]): string {
  return labels
    .map((l) => `${l.source}:${l.key}=${l.value}`)
    .sort()
    .join(';');
}

/**
 * The identity labels of a pod (§3.1, scenario-format.md "Labels every pod endpoint carries"):
 * its own labels minus `io.cilium.k8s*` keys, the namespace, namespace labels (always with
 * `kubernetes.io/metadata.name`), service account and cluster, all with source k8s, then the
 * default label filter.
 */
export function podIdentityLabels(ep: EndpointDef, ns: NamespaceDef | undefined, clusterName: string): Label[] {
  const m = new Map<string, string>();
  for (const k of Object.keys(ep.labels ?? {})) {
    if (k.startsWith('io.cilium.k8s')) continue;
    m.set(k, String(ep.labels[k]));
  }
  m.set(POD_NAMESPACE, ep.namespace);
  const nsLabels: Record<string, string> = { ...(ns?.labels ?? {}) };
  nsLabels['kubernetes.io/metadata.name'] = ep.namespace;
  for (const k of Object.keys(nsLabels)) {
    m.set(NAMESPACE_LABELS_PREFIX + k, String(nsLabels[k]));
  }
  m.set(POLICY_SERVICEACCOUNT, ep.serviceAccount && ep.serviceAccount !== '' ? ep.serviceAccount : 'default');
  m.set(POLICY_CLUSTER, clusterName);
  const out: Label[] = [];
  for (const [key, value] of m) {
    const l = { source: K8S, key, value };
    if (isIdentityLabel(l)) out.push(l);
  }
  out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return out;
}

export function reservedLabels(...names: string[]): Label[] {
  return names.map((n) => ({ source: RESERVED, key: n, value: '' }));
}
