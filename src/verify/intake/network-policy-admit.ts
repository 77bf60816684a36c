/**
 * Takes a Kubernetes `networking.k8s.io/v1` NetworkPolicy manifest the way the API server does on
 * create: decode into the Go types (the pinned OpenAPI schema: types, unknown fields dropped as for
 * a client without strict field validation), default (`pkg/apis/networking/v1/defaults.go`), then
 * validate (`ValidateNetworkPolicy`). Defaulting runs before validation there too; no default can
 * make a valid object invalid or the reverse, so the order only matters for what is stored.
 */
import { AdmissionResult } from './admit';
import { _K8S_NETWORK_POLICY_SCHEMA } from './k8s-schema-data.generated';
import { validateNetworkPolicy } from './network-policy-validation';
import { applySchema } from './schema';

const API_VERSION = 'networking.k8s.io/v1';
const KIND = 'NetworkPolicy';

/** Earlier API versions that no longer (or never) serve NetworkPolicy, and what to say about them. */
const OTHER_VERSIONS: { readonly [apiVersion: string]: string } = {
  'extensions/v1beta1': 'extensions/v1beta1 NetworkPolicy is not served since Kubernetes 1.16; use networking.k8s.io/v1',
  'networking.k8s.io/v1beta1': 'networking.k8s.io/v1beta1 never served NetworkPolicy (only Ingress and IngressClass); use networking.k8s.io/v1',
};

/**
 * The fields of `metav1.ObjectMeta` and their JSON types ('' = not checked here: timestamps,
 * owner references, managed fields). Anything else under metadata is dropped by the decoder.
 */
const OBJECT_META: { readonly [field: string]: 'string' | 'integer' | 'map' | 'array' | '' } = {
  name: 'string',
  generateName: 'string',
  namespace: 'string',
  selfLink: 'string',
  uid: 'string',
  resourceVersion: 'string',
  generation: 'integer',
  creationTimestamp: '',
  deletionTimestamp: '',
  deletionGracePeriodSeconds: 'integer',
  labels: 'map',
  annotations: 'map',
  ownerReferences: 'array',
  finalizers: 'array',
  managedFields: 'array',
};

function reject(schemaErrors: string[], pruned: string[] = []): AdmissionResult {
  return { object: undefined, schemaErrors, pruned, agentErrors: [] };
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** Decodes `metadata` into `metav1.ObjectMeta`: unknown fields dropped, types checked. */
function decodeMetadata(meta: unknown, pruned: string[], errors: string[]): Record<string, any> {
  if (meta === undefined || meta === null) {
    return {};
  }
  if (typeof meta !== 'object' || Array.isArray(meta)) {
    errors.push(`metadata: must be of type object, got ${typeName(meta)}`);
    return {};
  }
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(meta as Record<string, any>)) {
    const p = `metadata.${k}`;
    const type = OBJECT_META[k];
    if (type === undefined) {
      pruned.push(p);
      continue;
    }
    if (v === null || v === undefined) {
      continue;
    }
    if (type === 'string' && typeof v !== 'string') {
      errors.push(`${p}: must be of type string, got ${typeName(v)} ${JSON.stringify(v)}`);
    } else if (type === 'integer' && !Number.isInteger(v)) {
      errors.push(`${p}: must be of type integer, got ${typeName(v)} ${JSON.stringify(v)}`);
    } else if (type === 'array' && !Array.isArray(v)) {
      errors.push(`${p}: must be of type array, got ${typeName(v)}`);
    } else if (type === 'map') {
      if (typeof v !== 'object' || Array.isArray(v)) {
        errors.push(`${p}: must be a map of strings, got ${typeName(v)}`);
      } else {
        for (const [mk, mv] of Object.entries(v)) {
          if (typeof mv !== 'string') {
            errors.push(`${p}.${mk}: must be of type string, got ${typeName(mv)} ${JSON.stringify(mv)} (quote it in YAML)`);
          }
        }
      }
    }
    out[k] = structuredClone(v);
  }
  return out;
}

/** `SetDefaults_NetworkPolicyPort` and `SetDefaults_NetworkPolicy` (pkg/apis/networking/v1/defaults.go). */
function setDefaults(np: Record<string, any>): void {
  const spec = np.spec;
  for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
    for (const port of rule?.ports ?? []) {
      if (port && port.protocol === undefined) {
        port.protocol = 'TCP';
      }
    }
  }
  if (!spec.policyTypes || spec.policyTypes.length === 0) {
    // any policy that does not specify policyTypes implies at least Ingress
    spec.policyTypes = (spec.egress ?? []).length !== 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

/**
 * What the API server makes of a NetworkPolicy manifest: schema + pruning (unknown fields dropped,
 * as a client without strict field validation), Go validation (ValidateNetworkPolicy), then
 * defaulting (ports[].protocol TCP, spec.policyTypes). `object` is the stored object (undefined
 * when rejected); schemaErrors: "path: message" for every reason the API server refuses the write;
 * pruned: paths of dropped unknown fields; agentErrors: reasons the Cilium agent would fail to
 * parse an admitted object (none expected for valid input; kept for symmetry).
 */
export function admitNetworkPolicy(manifest: any): AdmissionResult {
  if (!manifest || typeof manifest !== 'object' || Array.isArray(manifest)) {
    return reject(['not an object']);
  }
  const { apiVersion, kind } = manifest;
  if (apiVersion !== API_VERSION) {
    const known = kind === KIND || kind === undefined ? OTHER_VERSIONS[apiVersion] : undefined;
    return reject([`apiVersion: ${known ?? `the API server serves no ${kind ?? KIND} in ${JSON.stringify(apiVersion)}; NetworkPolicy is ${API_VERSION}`}`]);
  }
  if (kind !== KIND) {
    return reject([`kind: ${JSON.stringify(kind)} is not ${KIND} (this admission takes ${API_VERSION} ${KIND} objects only)`]);
  }
  const pruned: string[] = [];
  const errors: string[] = [];
  const metadata = decodeMetadata(manifest.metadata, pruned, errors);
  const res = applySchema({ ...manifest, metadata: undefined }, _K8S_NETWORK_POLICY_SCHEMA, { builtin: true });
  pruned.push(...res.pruned);
  errors.push(...res.errors);
  if (errors.length > 0) {
    // the request body does not decode: nothing is validated or stored
    return reject(errors, pruned);
  }
  const stored: Record<string, any> = { ...res.value, metadata };
  if (stored.status !== undefined) {
    stored.status = structuredClone(stored.status);
  }
  setDefaults(stored);
  const invalid = validateNetworkPolicy(stored);
  if (invalid.length > 0) {
    return reject(invalid, pruned);
  }
  return { object: stored, schemaErrors: [], pruned, agentErrors: [] };
}
