/**
 * Takes a policy manifest the way a cluster does: the kube-apiserver validates it against the
 * CRD schema (rejecting it, or pruning unknown fields), then the Cilium agent validates what
 * was stored and ignores the whole policy if any rule fails.
 */
import { applySchema } from './schema';
import { _CILIUM_POLICY_SCHEMAS } from './schema-data.generated';
import { sanitizePolicy } from './sanitize';

/** What the API server and the agent make of a manifest. */
export interface AdmissionResult {
  /** The manifest as stored by the API server (unknown fields pruned); undefined when rejected. */
  readonly object: any;
  /** Non-empty: the API server rejects the object, it is never created. */
  readonly schemaErrors: string[];
  /** Paths of pruned fields, e.g. `spec.ingress[0].labelSelector`. */
  readonly pruned: string[];
  /** Non-empty: the agent rejects the whole policy; it has no effect at all. */
  readonly agentErrors: string[];
}

/** The policy kinds of the `cilium.io/v2` API. */
export const POLICY_KINDS = ['CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy'];

/** Parses "1.19" (or "v1.19.2") into the minor version; default 19. */
export function minorOf(version: string | undefined): number {
  const m = /^v?1\.(\d+)/.exec(String(version ?? '1.19'));
  return m ? Number(m[1]) : 19;
}

function schemaFor(minor: number): any {
  if (minor >= 19) {
    return _CILIUM_POLICY_SCHEMAS['1.19'];
  }
  const s = JSON.parse(JSON.stringify(_CILIUM_POLICY_SCHEMAS['1.18']));
  if (minor <= 17) {
    // v1.16/v1.17 schemas have no spec-level anyOf and no `log` field
    for (const k of ['spec']) {
      delete s.properties[k].anyOf;
      delete s.properties[k].properties.log;
    }
    delete s.properties.specs.items.anyOf;
    delete s.properties.specs.items.properties.log;
  }
  if (minor <= 16) {
    // v1.16 has no cidrGroupSelector in fromCIDRSet/toCIDRSet items (added in v1.17)
    dropProperty(s, 'cidrGroupSelector');
  }
  return s;
}

function dropProperty(node: any, name: string): void {
  if (!node || typeof node !== 'object') {
    return;
  }
  if (Array.isArray(node)) {
    node.forEach((n) => dropProperty(n, name));
    return;
  }
  if (node.properties && typeof node.properties === 'object' && name in node.properties) {
    delete node.properties[name];
    if (Array.isArray(node.oneOf)) {
      node.oneOf = node.oneOf.filter((b: any) => !(b.required ?? []).includes(name));
    }
  }
  for (const k of Object.keys(node)) {
    dropProperty(node[k], name);
  }
}

// The 1.16-1.18 schemas are edited copies of the stored ones: made once per version, not per policy.
const schemaCache = new Map<number, any>();

/**
 * Admits one CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy manifest for a Cilium version
 * ("1.16" .. "1.19").
 */
export function admitPolicy(manifest: any, version: string, env: { enableL7Proxy?: boolean } = {}): AdmissionResult {
  const minor = minorOf(version);
  if (!manifest || typeof manifest !== 'object') {
    return { object: undefined, schemaErrors: ['not an object'], pruned: [], agentErrors: [] };
  }
  if (manifest.apiVersion !== 'cilium.io/v2') {
    const hint = typeof manifest.apiVersion === 'string' && manifest.apiVersion.startsWith('cilium.io/')
      ? 'the Cilium policy API is cilium.io/v2'
      : 'not a Cilium policy API';
    return { object: undefined, schemaErrors: [`apiVersion: the API server serves no ${manifest.kind ?? 'object'} in ${JSON.stringify(manifest.apiVersion)} (${hint})`], pruned: [], agentErrors: [] };
  }
  if (!POLICY_KINDS.includes(manifest.kind)) {
    return { object: undefined, schemaErrors: [`kind: cilium.io/v2 has no kind ${JSON.stringify(manifest.kind)} among its policies (CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy)`], pruned: [], agentErrors: [] };
  }
  if (!schemaCache.has(minor)) {
    schemaCache.set(minor, schemaFor(minor));
  }
  const metadata = manifest.metadata;
  const res = applySchema(manifest, schemaCache.get(minor));
  const stored = res.value;
  const schemaErrors = [...res.errors];
  if (!metadata || typeof metadata !== 'object' || !metadata.name) {
    schemaErrors.push('metadata.name: required');
  }
  if (schemaErrors.length > 0) {
    return { object: undefined, schemaErrors, pruned: res.pruned, agentErrors: [] };
  }
  const agentErrors = sanitizePolicy(stored, { minor, enableL7Proxy: env.enableL7Proxy, namespaced: manifest.kind === 'CiliumNetworkPolicy' })
    .map((e) => `${e.path}: ${e.message}`);
  return { object: stored, schemaErrors: [], pruned: res.pruned, agentErrors };
}
