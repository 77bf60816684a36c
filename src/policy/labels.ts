import { isDns1123Label, isDns1123Subdomain, isQualifiedName, isValidLabelValue } from '../cilium/k8s-names';
import { isIdentityLabel } from '../cilium/labels';
import { _CheckedOnce, _Problem } from './errors';

/** Label sources a selector key may name explicitly. */
const SOURCES = ['k8s', 'any', 'reserved'];

/** @internal */
export function _stripSource(key: string): { source?: string; name: string } {
  const i = key.indexOf(':');
  if (i > 0 && SOURCES.includes(key.slice(0, i))) {
    return { source: key.slice(0, i), name: key.slice(i + 1) };
  }
  return { name: key };
}

/**
 * Whether the agent's default label filter drops the key from security identities (the
 * verifier's implementation of `pkg/labelsfilter`).
 *
 * @internal
 */
export function _isFilteredLabelKey(key: string): boolean {
  return !isIdentityLabel({ source: 'k8s', key: _stripSource(key).name });
}

/** @internal */
export function _checkLabelKey(field: string, key: string): _Problem[] {
  return LABEL_KEYS.problems(field, key);
}

function checkLabelKey(field: string, key: string): _Problem[] {
  const { source, name } = _stripSource(key);
  if (source === 'reserved') {
    return [{ field, problem: `label key "${key}" selects a reserved identity`, fix: 'use Peer.entities(...) for reserved identities' }];
  }
  const slash = name.lastIndexOf('/');
  const prefix = slash >= 0 ? name.slice(0, slash) : undefined;
  const local = slash >= 0 ? name.slice(slash + 1) : name;
  if (prefix !== undefined && isDns1123Subdomain(prefix).length > 0) {
    return [{ field, problem: `label key "${key}" has an invalid prefix "${prefix}"`, fix: 'a prefix is a lower-case DNS subdomain of at most 253 characters, e.g. "app.kubernetes.io/name"' }];
  }
  if (isQualifiedName(local).length > 0) {
    return [{
      field,
      problem: `label key "${key}" is not a valid Kubernetes label key`,
      fix: 'a key name is 1-63 characters of [A-Za-z0-9-_.] starting and ending with an alphanumeric, optionally prefixed by "<dns-subdomain>/"',
    }];
  }
  if (_isFilteredLabelKey(key)) {
    return [{
      field,
      problem: `label key "${key}" is dropped by Cilium from security identities, so a selector on it never matches`,
      fix: 'select on an application label such as "app" or "app.kubernetes.io/name" instead',
    }];
  }
  return [];
}

/** Label keys repeat across selectors: each distinct key is checked once (one of the construction fixes, bench/RESULTS.md §4). */
const LABEL_KEYS = new _CheckedOnce(checkLabelKey);

/** @internal */
export function _checkLabelValue(field: string, key: string, value: string): _Problem[] {
  if (typeof value !== 'string' || isValidLabelValue(value).length > 0) {
    return [{
      field,
      problem: `label value "${value}" of key "${key}" is not a valid Kubernetes label value`,
      fix: 'a value is at most 63 characters of [A-Za-z0-9-_.], starting and ending with an alphanumeric (or empty)',
    }];
  }
  return [];
}

/** @internal */
export function _checkNamespaceName(field: string, ns: string): _Problem[] {
  if (typeof ns !== 'string' || isDns1123Label(ns).length > 0) {
    return [{ field, problem: `namespace "${ns}" is not a valid namespace name`, fix: 'a namespace is a DNS label: 1-63 lower-case alphanumerics or "-", starting and ending with an alphanumeric' }];
  }
  return [];
}

/** @internal */
export function _isDnsLabel(s: string): boolean {
  return isDns1123Label(s).length === 0;
}
