/**
 * What the API server makes of a Kubernetes NetworkPolicy manifest, as lint findings: an
 * apiVersion that does not serve NetworkPolicy, schema and validation errors (the object is never
 * created), and pruned fields with what their loss does to the policy. Admission itself is
 * src/verify/intake/network-policy-admit.ts (research notes on NetworkPolicy §B, §C).
 */
import type { AdmissionCache } from '../intake/admission-cache';
import { AdmissionResult } from '../intake/admit';
import { admitNetworkPolicy } from '../intake/network-policy-admit';
import type { Issue } from './finding';
import { netpolPrunedFinding } from './netpol-pruned';

/** The API group and version that serve NetworkPolicy. */
export const NETWORK_POLICY_API = 'networking.k8s.io/v1';

/** Whether an object is a Kubernetes NetworkPolicy (any version of the groups that had one). */
export function isNetworkPolicy(o: any): boolean {
  return o?.kind === 'NetworkPolicy' && typeof o.apiVersion === 'string' && /^(networking\.k8s\.io|extensions)\//.test(o.apiVersion);
}

/** Admission findings of one NetworkPolicy, and the object as stored (undefined when refused). */
export function netpolAdmission(manifest: any, admissions?: AdmissionCache): { issues: Issue[]; res: AdmissionResult; manifest: any } {
  const issues: Issue[] = [];
  let m = manifest;
  if (m.apiVersion !== NETWORK_POLICY_API) {
    const why = admitNetworkPolicy(m).schemaErrors.find((e) => e.startsWith('apiVersion:'));
    issues.push({
      path: 'apiVersion',
      severity: 'error',
      rule: 'unknown-api-version',
      message: `${(why ?? `apiVersion: ${m.apiVersion} does not serve NetworkPolicy`).replace(/^apiVersion:\s*/, '').replace(/; use networking\.k8s\.io\/v1$/, '')}: the API server refuses the object, so the policy is never created (the other findings for this object assume ${NETWORK_POLICY_API})`,
      fix: `use apiVersion: ${NETWORK_POLICY_API}`,
    });
    // lint the rest as if it were networking.k8s.io/v1, so that every mistake shows in one pass
    m = { ...m, apiVersion: NETWORK_POLICY_API };
  }
  const res = admissions && m === manifest ? admissions.networkPolicy(m) : admitNetworkPolicy(m);
  for (const e of res.schemaErrors) {
    const i = e.indexOf(': ');
    const path = i > 0 ? e.slice(0, i) : '';
    const why = i > 0 ? e.slice(i + 2) : e;
    issues.push({
      path,
      severity: 'error',
      rule: 'schema',
      message: `the API server rejects the object (${why}), so the policy is never created: the pods it was meant to protect stay open`,
      fix: 'fix the field to match networking.k8s.io/v1 NetworkPolicy (kubectl apply --dry-run=server shows the same error)',
    });
  }
  for (const p of res.pruned) {
    const { message, fix } = netpolPrunedFinding(p, res.object);
    issues.push({ path: p, severity: 'error', rule: 'pruned-field', message, fix });
  }
  return { issues, res, manifest: m };
}
