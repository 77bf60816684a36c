/**
 * Admission results kept for a set of manifest objects that several tools read: the validation
 * plugin lints the objects of a synthesis and evaluates the same objects for its report, and
 * each policy is admitted (schema, pruning, agent checks) once for both. The caller owns the
 * cache and must not change the objects while it uses it.
 */
import { AdmissionResult, admitPolicy, minorOf } from './admit';
import { admitNetworkPolicy } from './network-policy-admit';

/** Admissions of manifest objects, by object and setting. */
export class AdmissionCache {
  private readonly cilium = new WeakMap<object, Map<string, AdmissionResult>>();
  private readonly k8s = new WeakMap<object, AdmissionResult>();

  /** `admitPolicy`, once per object, version and L7-proxy setting. */
  public policy(manifest: any, version: string, env: { enableL7Proxy?: boolean } = {}): AdmissionResult {
    if (!manifest || typeof manifest !== 'object') return admitPolicy(manifest, version, env);
    const key = `${minorOf(version)}|${env.enableL7Proxy !== false}`;
    let byKey = this.cilium.get(manifest);
    if (!byKey) this.cilium.set(manifest, (byKey = new Map()));
    let res = byKey.get(key);
    if (!res) byKey.set(key, (res = admitPolicy(manifest, version, env)));
    return res;
  }

  /** `admitNetworkPolicy`, once per object. */
  public networkPolicy(manifest: any): AdmissionResult {
    if (!manifest || typeof manifest !== 'object') return admitNetworkPolicy(manifest);
    let res = this.k8s.get(manifest);
    if (!res) this.k8s.set(manifest, (res = admitNetworkPolicy(manifest)));
    return res;
  }
}
