/**
 * The workload objects of an estate that policies refer to: Services (for `toServices`),
 * their Endpoints, and Namespaces (for namespace labels).
 */
import { PolicyManifest, ServiceDef } from '../model';

/** Services, Endpoints and Namespaces found among manifests (used for toServices and namespace labels). */
export function workloadObjects(manifests: readonly PolicyManifest[]): {
  services: ServiceDef[];
  namespaces: Record<string, { labels: Record<string, string> }>;
} {
  const services: ServiceDef[] = [];
  const namespaces: Record<string, { labels: Record<string, string> }> = {};
  const endpointIps = new Map<string, string[]>();
  for (const m of manifests) {
    const o = m.object;
    if (!o || typeof o !== 'object' || o.apiVersion !== 'v1') continue;
    const meta = o.metadata ?? {};
    if (o.kind === 'Endpoints' && typeof meta.name === 'string') {
      const ips: string[] = [];
      for (const s of Array.isArray(o.subsets) ? o.subsets : []) {
        for (const a of Array.isArray(s?.addresses) ? s.addresses : []) if (a && typeof a.ip === 'string') ips.push(a.ip);
      }
      endpointIps.set(`${meta.namespace ?? 'default'}/${meta.name}`, ips);
    }
  }
  for (const m of manifests) {
    const o = m.object;
    if (!o || typeof o !== 'object' || o.apiVersion !== 'v1') continue;
    const meta = o.metadata ?? {};
    if (typeof meta.name !== 'string') continue;
    if (o.kind === 'Service') {
      const ns = typeof meta.namespace === 'string' ? meta.namespace : 'default';
      const sel = o.spec && o.spec.selector && typeof o.spec.selector === 'object' ? o.spec.selector : undefined;
      services.push({
        name: meta.name,
        namespace: ns,
        selector: sel,
        labels: meta.labels ?? {},
        endpoints: sel ? undefined : endpointIps.get(`${ns}/${meta.name}`) ?? [],
      });
    } else if (o.kind === 'Namespace') {
      const labels: Record<string, string> = {};
      for (const k of Object.keys(meta.labels ?? {})) labels[k] = String(meta.labels[k]);
      namespaces[meta.name] = { labels };
    }
  }
  return { services, namespaces };
}
