/**
 * The classic Kubernetes NetworkPolicy mistakes (research notes on NetworkPolicy §E, sources
 * cited in test/verify/lint-netpol.test.ts): `ingress: []` read as "allow all", two peers ORed
 * where one AND peer was meant, namespaces matched by a `name` label nobody sets, pod labels in a
 * namespaceSelector, and named ports on egress.
 */
import type { Issue } from './finding';

const DIRS: { dir: 'ingress' | 'egress'; type: string; peers: 'from' | 'to' }[] = [
  { dir: 'ingress', type: 'Ingress', peers: 'from' },
  { dir: 'egress', type: 'Egress', peers: 'to' },
];

const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);

/** Every peer of a stored NetworkPolicy with its path. */
export function peersOf(spec: any): { peer: any; path: string; dir: 'ingress' | 'egress' }[] {
  const out: { peer: any; path: string; dir: 'ingress' | 'egress' }[] = [];
  for (const { dir, peers } of DIRS) {
    list(spec?.[dir]).forEach((rule: any, i: number) => list(rule?.[peers]).forEach((peer: any, j: number) => {
      if (peer && typeof peer === 'object') {
        out.push({ peer, path: `spec.${dir}[${i}].${peers}[${j}]`, dir });
      }
    }));
  }
  return out;
}

/** `ingress: []` / `egress: []` written out: a deny-all when the direction is listed, nothing otherwise. */
function emptyRules(raw: any, stored: any): Issue[] {
  const out: Issue[] = [];
  const types: string[] = list(stored.spec?.policyTypes);
  const written = Array.isArray(raw?.spec?.policyTypes) && raw.spec.policyTypes.length > 0;
  for (const { dir, type } of DIRS) {
    if (!Array.isArray(raw?.spec?.[dir]) || raw.spec[dir].length !== 0) {
      continue;
    }
    if (types.includes(type)) {
      out.push({
        path: `spec.${dir}`,
        severity: 'warning',
        rule: 'netpol-empty-rules',
        message: `${dir}: [] is no rule at all and policyTypes ${written ? '' : '(defaulted) '}lists ${type}: the policy denies all ${dir} of the pods it selects${dir === 'egress' ? ', DNS included' : ''}`,
        fix: `if a deny-all is meant, leave ${dir} out and keep ${type} in policyTypes, which says it plainly; if allow-all was meant, write ${dir}: [{}]`,
      });
    } else {
      out.push({
        path: `spec.${dir}`,
        severity: 'warning',
        rule: 'netpol-empty-rules',
        message: `${dir}: [] with policyTypes ${JSON.stringify(types)}${written ? '' : ' (defaulted: without egress rules a policy is Ingress-only)'} has no effect: the policy does not restrict ${dir} at all`,
        fix: `to deny all ${dir}, list ${type} in policyTypes; for no restriction, leave ${dir} out`,
      });
    }
  }
  return out;
}

/** `- namespaceSelector: ...` and `- podSelector: ...` as two items of one list: an OR. */
function orByAccident(stored: any): Issue[] {
  const out: Issue[] = [];
  const ns = stored.metadata?.namespace || 'default';
  for (const { dir, peers } of DIRS) {
    list(stored.spec?.[dir]).forEach((rule: any, i: number) => {
      const items = list(rule?.[peers]);
      const nsOnly = items.map((p, j) => (p?.namespaceSelector && !p.podSelector && !p.ipBlock ? j : -1)).filter((j) => j >= 0);
      const podOnly = items.map((p, j) => (p?.podSelector && !p.namespaceSelector && !p.ipBlock ? j : -1)).filter((j) => j >= 0);
      if (nsOnly.length === 0 || podOnly.length === 0) {
        return;
      }
      const a = `${peers}[${nsOnly[0]}]`;
      const b = `${peers}[${podOnly[0]}]`;
      const verb = dir === 'ingress' ? 'admits connections from' : 'allows connections to';
      out.push({
        path: `spec.${dir}[${i}].${peers}`,
        severity: 'warning',
        rule: 'netpol-or-by-accident',
        message: `${a} has only a namespaceSelector and ${b} only a podSelector: they are two peers, ORed. The rule ${verb} every pod of the namespaces ${a} selects, whatever its labels, and, separately, the pods matching ${b} in the policy's own namespace "${ns}"`,
        fix: `if only the pods matching the podSelector in the selected namespaces are meant, write one peer with both selectors: "- namespaceSelector: {...}" followed by "  podSelector: {...}" (no "-" before podSelector)`,
      });
    });
  }
  return out;
}

/** namespaceSelectors on a `name` label (not set by Kubernetes) or on a pod label. */
function namespaceLabels(stored: any, namespaces: readonly any[]): Issue[] {
  const out: Issue[] = [];
  const nsLabels = namespaces.map((n) => (n?.metadata?.labels && typeof n.metadata.labels === 'object' ? n.metadata.labels : {}));
  const someNamespaceHas = (key: string, value?: string) => nsLabels.some((l) => key in l && (value === undefined || String(l[key]) === value));
  for (const { peer, path } of peersOf(stored.spec)) {
    const sel = peer.namespaceSelector;
    if (!sel || typeof sel !== 'object') {
      continue;
    }
    const ml = sel.matchLabels && typeof sel.matchLabels === 'object' ? sel.matchLabels : {};
    const byName = 'name' in ml ? String(ml.name) : undefined;
    if ((byName !== undefined && !someNamespaceHas('name', byName)) || (byName === undefined && list(sel.matchExpressions).some((e) => e?.key === 'name') && !someNamespaceHas('name'))) {
      const v = byName ?? '<namespace>';
      out.push({
        path: `${path}.namespaceSelector`,
        severity: 'warning',
        rule: 'netpol-namespace-name-label',
        message: `this namespaceSelector matches a label "name", which Kubernetes does not set on namespaces: unless someone labels the namespace${byName !== undefined ? ` "${byName}"` : 's'} with name=${v}, it selects no namespace and the peer matches nothing`,
        fix: `select the namespace by the label the API server sets on every namespace: kubernetes.io/metadata.name: ${v}`,
      });
    }
    if ('k8s-app' in ml && !someNamespaceHas('k8s-app', String(ml['k8s-app']))) {
      out.push({
        path: `${path}.namespaceSelector.matchLabels`,
        severity: 'warning',
        rule: 'netpol-namespace-selector-pod-label',
        message: `k8s-app: ${ml['k8s-app']} is a pod label, but a namespaceSelector matches namespace labels: no namespace carries it, so the peer matches nothing`,
        fix: `select the namespace by name and the pods by label in one peer: namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}} with podSelector: {matchLabels: {k8s-app: ${ml['k8s-app']}}}`,
      });
    }
  }
  return out;
}

/** Named ports in egress rules: resolved against every pod's container ports. */
function egressNamedPorts(stored: any): Issue[] {
  const out: Issue[] = [];
  list(stored.spec?.egress).forEach((rule: any, i: number) => {
    const toIpBlock = list(rule?.to).some((p) => p?.ipBlock);
    list(rule?.ports).forEach((p: any, k: number) => {
      if (typeof p?.port !== 'string') {
        return;
      }
      out.push({
        path: `spec.egress[${i}].ports[${k}].port`,
        severity: 'warning',
        rule: 'netpol-egress-named-port',
        message: `named port "${p.port}" on egress is looked up in the container ports of the destination pods; where pods give "${p.port}" different numbers, Cilium skips the name ("duplicate named ports", cilium/cilium#24779, #30003) and the rule allows nothing on it${toIpBlock ? '; and an ipBlock destination has no pods, so the name never matches there' : ''}`,
        fix: `write the number the destination listens on (port: <number>, protocol: ${p.protocol ?? 'TCP'})`,
      });
    });
  });
  return out;
}

/** The classic mistakes of one NetworkPolicy: `raw` as written, `stored` as admitted. */
export function netpolMistakes(raw: any, stored: any, namespaces: readonly any[]): Issue[] {
  return [...emptyRules(raw, stored), ...orByAccident(stored), ...namespaceLabels(stored, namespaces), ...egressNamedPorts(stored)];
}
