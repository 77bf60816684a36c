/**
 * Admission of Kubernetes NetworkPolicy objects (placeholder: defaulting only; the API server's
 * schema and validation follow).
 */
import { AdmissionResult } from './admit';

/** What the API server makes of a NetworkPolicy manifest. */
export function admitNetworkPolicy(manifest: any): AdmissionResult {
  if (!manifest || typeof manifest !== 'object') return { object: undefined, schemaErrors: ['not an object'], pruned: [], agentErrors: [] };
  if (manifest.apiVersion !== 'networking.k8s.io/v1') {
    return { object: undefined, schemaErrors: [`apiVersion: ${JSON.stringify(manifest.apiVersion)} does not serve NetworkPolicy; use networking.k8s.io/v1`], pruned: [], agentErrors: [] };
  }
  const o = JSON.parse(JSON.stringify(manifest));
  const spec = o.spec && typeof o.spec === 'object' ? o.spec : (o.spec = {});
  for (const dir of ['ingress', 'egress']) {
    for (const r of Array.isArray(spec[dir]) ? spec[dir] : []) {
      for (const p of Array.isArray(r?.ports) ? r.ports : []) if (p && p.protocol === undefined) p.protocol = 'TCP';
    }
  }
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    spec.policyTypes = ['Ingress', ...(Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Egress'] : [])];
  }
  return { object: o, schemaErrors: [], pruned: [], agentErrors: [] };
}
