/**
 * What a pruned field does to a Kubernetes NetworkPolicy. The API server decodes the manifest
 * into the Go types and drops every field they do not have (unless the client asks for strict
 * field validation); the consequence depends on which field it was, read from the stored object
 * (research notes on NetworkPolicy §B; admission in src/verify/intake/network-policy-admit.ts).
 */
import { editDistance } from './pruned';
import { valueAt } from './util';

/** The fields each place of a NetworkPolicy has, by the path of the place. */
function fieldsAt(parentPath: string): string[] {
  if (parentPath === '') {
    return ['apiVersion', 'kind', 'metadata', 'spec'];
  }
  if (parentPath === 'metadata') {
    return ['name', 'namespace', 'labels', 'annotations'];
  }
  if (parentPath === 'spec') {
    return ['podSelector', 'policyTypes', 'ingress', 'egress'];
  }
  if (/^spec\.ingress\[\d+\]$/.test(parentPath)) {
    return ['from', 'ports'];
  }
  if (/^spec\.egress\[\d+\]$/.test(parentPath)) {
    return ['to', 'ports'];
  }
  if (/\.(from|to)\[\d+\]$/.test(parentPath)) {
    return ['podSelector', 'namespaceSelector', 'ipBlock'];
  }
  if (/\.ports\[\d+\]$/.test(parentPath)) {
    return ['port', 'endPort', 'protocol'];
  }
  if (/\.ipBlock$/.test(parentPath)) {
    return ['cidr', 'except'];
  }
  if (/(podSelector|namespaceSelector)$/.test(parentPath)) {
    return ['matchLabels', 'matchExpressions'];
  }
  if (/\.matchExpressions\[\d+\]$/.test(parentPath)) {
    return ['key', 'operator', 'values'];
  }
  return [];
}

/** The field of that place a pruned key is most likely a misspelling of. */
function didYouMean(field: string, parentPath: string): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of fieldsAt(parentPath)) {
    const dist = editDistance(field.toLowerCase(), k.toLowerCase());
    if (dist < bestD && dist <= Math.max(1, Math.min(3, Math.floor(k.length / 3)))) {
      best = k;
      bestD = dist;
    }
  }
  return best === field ? undefined : best;
}

function isEmptySelector(sel: any): boolean {
  return !sel || typeof sel !== 'object' || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
}

/**
 * Message and fix for a pruned NetworkPolicy field. `path` is the field's path in the manifest;
 * `stored` is the object as the API server keeps it (undefined when it rejects the object).
 */
export function netpolPrunedFinding(path: string, stored: any): { message: string; fix: string } {
  const last = path.split('.').pop() ?? path;
  const field = last.replace(/\[\d+\]$/, '');
  const parentPath = path.slice(0, Math.max(0, path.length - last.length - 1));
  const parent = stored ? valueAt(stored, parentPath) : undefined;
  const guess = didYouMean(field, parentPath);
  const hint = guess ? ` (did you mean "${guess}"?)` : '';
  const write = guess ? `write "${guess}" instead of "${field}"` : 'remove the field, or write the one networking.k8s.io/v1 NetworkPolicy defines';
  const ns = stored?.metadata?.namespace ? `namespace "${stored.metadata.namespace}"` : 'the namespace of the request (with kubectl, the context\'s namespace, usually "default")';
  const notField = `"${field}" is not a field of ${parentPath || 'the object'}${hint}: the API server drops it`;
  const types: string[] = Array.isArray(stored?.spec?.policyTypes) ? stored.spec.policyTypes : [];

  if (parentPath === 'metadata') {
    if (guess === 'namespace') {
      return { message: `${notField}, so the policy is created in ${ns} and selects the pods there, not those of the namespace meant`, fix: write };
    }
    return { message: `${notField}; the policy's rules are not affected`, fix: write };
  }
  if (parentPath === 'spec') {
    if (guess === 'podSelector' && isEmptySelector(stored?.spec?.podSelector)) {
      return { message: `${notField}, and the policy's podSelector is {}: it selects (and isolates) every pod of ${ns}`, fix: write };
    }
    if (guess === 'ingress' || guess === 'egress') {
      const type = guess === 'ingress' ? 'Ingress' : 'Egress';
      const consequence = !stored
        ? 'its rules are lost'
        : types.includes(type)
          ? `the rules are lost while policyTypes lists ${type}, so the policy denies all ${guess} of the pods it selects`
          : `the rules are lost and policyTypes (${JSON.stringify(types)}) has no ${type}, so the policy does not restrict ${guess} at all`;
      return { message: `${notField}: ${consequence}`, fix: write };
    }
    if (guess === 'policyTypes') {
      return { message: `${notField}, and policyTypes is defaulted from the rules present${stored ? ` to ${JSON.stringify(types)}` : ''}: a direction without rules is then not isolated`, fix: write };
    }
    return { message: `${notField}; the rules are read without it`, fix: write };
  }
  const rule = /^spec\.(ingress|egress)\[\d+\]$/.exec(parentPath);
  if (rule) {
    const dir = rule[1];
    const peersKey = dir === 'ingress' ? 'from' : 'to';
    if (guess === peersKey || guess === 'from' || guess === 'to' || (!guess && /^(from|to)/i.test(field))) {
      const peersLeft = parent && Array.isArray(parent[peersKey]) && parent[peersKey].length > 0;
      const portsLeft = parent && Array.isArray(parent.ports) && parent.ports.length > 0;
      const who = dir === 'ingress' ? 'from every source' : 'to every destination';
      const consequence = peersLeft
        ? `the rule keeps its ${peersKey} list`
        : `the rule has no ${peersKey} left, so it allows ${dir} ${who} (every pod of every namespace, the nodes, the world) ${portsLeft ? 'on its ports' : 'on every port'}`;
      return { message: `${notField}: ${consequence}`, fix: `write "${peersKey}" instead of "${field}"` };
    }
    if (guess === 'ports' || guess === 'port') {
      return { message: `${notField}: the rule allows its peers on every port and protocol`, fix: write };
    }
    return { message: `${notField}; the rule is read without it`, fix: write };
  }
  if (/\.(from|to)\[\d+\]$/.test(parentPath)) {
    if (guess === 'podSelector' || guess === 'namespaceSelector' || guess === 'ipBlock') {
      const p = parent ?? {};
      let consequence: string;
      if (p.namespaceSelector && !p.podSelector) {
        consequence = 'the peer is left with its namespaceSelector: it matches every pod of the namespaces selected';
      } else if (p.podSelector && !p.namespaceSelector) {
        consequence = `the peer is left with its podSelector: it matches those pods in the policy's own namespace only`;
      } else if (p.ipBlock || (p.podSelector && p.namespaceSelector)) {
        consequence = 'the peer keeps its other fields only';
      } else {
        consequence = 'the peer is left empty, which the API server rejects';
      }
      return { message: `${notField}: ${consequence}`, fix: write };
    }
    return { message: `${notField}; the peer is read without it`, fix: write };
  }
  if (/\.ports\[\d+\]$/.test(parentPath)) {
    if (guess === 'port' || guess === 'ports') {
      return { message: `${notField}: the entry has no port left, so it covers every port of its protocol (${parent?.protocol ?? 'TCP'})`, fix: write };
    }
    if (guess === 'endPort') {
      return { message: `${notField}: only port ${parent?.port ?? '?'} is covered, not the range`, fix: write };
    }
    if (guess === 'protocol') {
      return { message: `${notField}: the protocol defaults to TCP`, fix: write };
    }
    return { message: `${notField}; the port entry is read without it`, fix: write };
  }
  if (/\.ipBlock$/.test(parentPath) && guess === 'except') {
    return { message: `${notField}: nothing is excepted, the rule covers the whole cidr ${parent?.cidr ?? ''}`.trimEnd(), fix: write };
  }
  const selector = /(podSelector|namespaceSelector)$/.exec(parentPath);
  if (selector && (guess === 'matchLabels' || guess === 'matchExpressions')) {
    let consequence: string;
    if (!isEmptySelector(parent)) {
      consequence = 'the selector loses those conditions';
    } else if (parentPath === 'spec.podSelector') {
      consequence = 'the policy\'s podSelector is left empty: it selects (and isolates) every pod of the namespace';
    } else if (selector[1] === 'namespaceSelector') {
      consequence = 'the namespaceSelector is left empty, which selects every namespace';
    } else {
      consequence = 'the podSelector is left empty, which matches every pod (of the policy\'s namespace, or of the namespaces selected)';
    }
    return { message: `${notField}: ${consequence}`, fix: write };
  }
  return { message: `${notField} silently`, fix: write };
}
