/**
 * What a pruned field does to a policy: the API server drops fields the CRD schema does not
 * have (semantics reference §14.4), and the consequence depends on which field it was.
 */
import { valueAt } from './util';

const KNOWN_FIELDS = ['ingress', 'egress', 'ingressDeny', 'egressDeny', 'endpointSelector', 'nodeSelector', 'enableDefaultDeny', 'description', 'labels', 'log',
  'fromEndpoints', 'toEndpoints', 'fromEntities', 'toEntities', 'fromCIDR', 'toCIDR', 'fromCIDRSet', 'toCIDRSet', 'toFQDNs', 'toServices', 'fromNodes', 'toNodes',
  'fromGroups', 'toGroups', 'fromRequires', 'toRequires', 'toPorts', 'icmps', 'ports', 'port', 'endPort', 'protocol', 'rules', 'http', 'dns', 'kafka', 'l7proto', 'l7',
  'serverNames', 'terminatingTLS', 'originatingTLS', 'listener', 'matchLabels', 'matchExpressions', 'matchName', 'matchPattern', 'k8sService', 'k8sServiceSelector',
  'serviceName', 'namespace', 'selector', 'cidr', 'except', 'cidrGroupRef', 'cidrGroupSelector', 'method', 'path', 'host', 'headers', 'headerMatches', 'authentication',
  'fields', 'family', 'type', 'key', 'operator', 'values'];

export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) {
    d[0][j] = j;
  }
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** The known field a pruned key is most likely a misspelling of. */
function didYouMean(field: string): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of KNOWN_FIELDS) {
    const dist = editDistance(field.toLowerCase(), k.toLowerCase());
    if (dist < bestD && dist <= Math.max(1, Math.min(3, Math.floor(k.length / 3)))) {
      best = k;
      bestD = dist;
    }
  }
  return best === field ? undefined : best;
}

const PEER_FIELDS = ['fromEndpoints', 'toEndpoints', 'fromEntities', 'toEntities', 'fromCIDR', 'toCIDR', 'fromCIDRSet', 'toCIDRSet', 'toFQDNs', 'toServices', 'fromNodes', 'toNodes', 'fromGroups', 'toGroups'];

export function prunedFinding(path: string, stored: any): { message: string; fix: string } {
  const last = path.split('.').pop() ?? path;
  const field = last.replace(/\[\d+\]$/, '');
  const parentPath = path.slice(0, Math.max(0, path.length - last.length - 1));
  const parent = stored ? valueAt(stored, parentPath) : undefined;
  const guess = didYouMean(field);
  const hint = guess ? ` (did you mean "${guess}"?)` : '';
  if (field === 'labelSelector') {
    return {
      message: `"labelSelector" is not a field of a Cilium endpoint selector: the API server prunes it and the selector becomes {}, which in a CiliumNetworkPolicy means every pod of the policy's namespace`,
      fix: 'put matchLabels / matchExpressions directly in the selector; for any namespace add {key: k8s:io.kubernetes.pod.namespace, operator: Exists}',
    };
  }
  if (/Deny\[\d+\]\.toFQDNs$/.test(path) || (path.includes('egressDeny') && field === 'toFQDNs')) {
    return { message: 'toFQDNs is not allowed in egressDeny: it is pruned, leaving a deny rule that denies nothing but still puts the pods into egress default deny', fix: 'deny CIDRs, or allow only the names you need' };
  }
  if (path.includes('Deny') && field === 'rules') {
    return { message: 'deny rules have no L7 part: "rules" is pruned and the deny covers the whole port', fix: 'deny the port, or allow only the requests you want with an allow rule\'s rules.http' };
  }
  const inItem = /(ingress|egress|ingressDeny|egressDeny)\[\d+\]$/.test(parentPath);
  if (inItem && guess === 'toPorts') {
    return { message: `"${field}" is not a field of the schema${hint}: it is pruned, so the item's peers are ${/Deny/.test(parentPath) ? 'denied' : 'allowed'} on every port and protocol`, fix: 'write toPorts' };
  }
  if (inItem && (/^(from|to)[A-Z]/.test(field) || (guess && PEER_FIELDS.includes(guess)))) {
    const deny = /Deny\[\d+\]$/.test(parentPath);
    const peerLeft = parent && PEER_FIELDS.some((k) => Array.isArray(parent[k]));
    const portsLeft = parent && ((parent.toPorts ?? []).length > 0 || (parent.icmps ?? []).length > 0);
    let consequence: string;
    if (peerLeft) {
      consequence = 'the item keeps its other peers only';
    } else if (portsLeft) {
      consequence = deny
        ? 'the item is left with ports only, so it denies those ports from/to every peer'
        : 'the item is left with ports only, so it allows those ports from/to every peer (world, host and other namespaces included)';
    } else {
      consequence = deny ? 'the item is left empty: it denies nothing, but still puts the pods into default deny' : 'the item is left empty: it allows nothing (a deny-all)';
    }
    return { message: `"${field}" is not a peer field of the schema${hint}: it is pruned, and ${consequence}`, fix: guess ? `write ${guess}` : 'use fromEndpoints/toEndpoints, fromEntities/toEntities, fromCIDRSet/toCIDRSet, toFQDNs, toServices' };
  }
  if (/^(spec|specs\[\d+\])$/.test(parentPath) && guess && ['ingress', 'egress', 'ingressDeny', 'egressDeny'].includes(guess)) {
    return { message: `"${field}" is not a field of the schema${hint}: the whole section is pruned, so the policy neither isolates nor allows anything in that direction`, fix: `write ${guess}` };
  }
  if (guess === 'matchLabels' || guess === 'matchExpressions') {
    return { message: `"${field}" is not a selector field${hint}: it is pruned and the selector loses those conditions (an empty selector matches every pod of the policy's namespace)`, fix: `write ${guess}` };
  }
  return { message: `"${field}" is not in the CRD schema${hint}: the API server prunes it silently`, fix: guess ? `write ${guess}` : 'remove the field, or write the one the schema defines' };
}
