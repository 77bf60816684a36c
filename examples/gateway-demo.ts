import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  AccessClient, AccessGrant, AccessTarget, DnsRule, Entity, HttpPath, HttpRule, NamespaceBaseline, Port,
} from '../src';

/**
 * Four services behind a Cilium Gateway: every namespace in ingress and egress default deny
 * with DNS allowed; entry only through the Gateway (entity `ingress`); the backend's API routes
 * filtered at L7; backend → redis; backend → api.marktaguiad.dev:443 by name; nothing else out.
 */
export class GatewayDemoExample extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    for (const ns of ['frontend', 'monitor', 'database']) {
      new NamespaceBaseline(this, `Baseline-${ns}`, { namespace: ns });
    }
    // The backend reaches an API by name: its namespace's DNS goes through Cilium's DNS proxy,
    // which learns the API's addresses. Its grants then leave DNS to the baseline (an L4-only
    // DNS rule of theirs would bypass the proxy rule for the same pods).
    new NamespaceBaseline(this, 'Baseline-backend', { namespace: 'backend', fqdnEgress: [DnsRule.name('api.marktaguiad.dev')] });
    const frontend = workload(this, 'frontend', 'frontend', 80);
    const backend = workload(this, 'backend', 'backend', 3000);
    const monitor = workload(this, 'monitor', 'monitor', 8000);
    const redis = workload(this, 'database', 'redis', 6379);

    const gateway = AccessClient.entity(Entity.INGRESS);
    new AccessGrant(this, 'GatewayToFrontend', { client: gateway, target: AccessTarget.workload(frontend, [Port.tcp(80)]) });
    new AccessGrant(this, 'GatewayToBackend', {
      client: gateway,
      target: AccessTarget.workload(backend, [Port.tcp(3000)]),
      http: [
        HttpRule.get(HttpPath.exact('/api')),
        HttpRule.post(HttpPath.exact('/api/register')),
        HttpRule.post(HttpPath.exact('/api/login')),
        HttpRule.get(HttpPath.exact('/api/profile')),
        HttpRule.get(HttpPath.exact('/api/version')),
        HttpRule.get(HttpPath.exact('/api/users')),
        HttpRule.put(HttpPath.exact('/api/users')),
        HttpRule.delete(HttpPath.exact('/api/users')),
      ],
    });
    new AccessGrant(this, 'GatewayToMonitor', { client: gateway, target: AccessTarget.workload(monitor, [Port.tcp(8000)]) });
    new AccessGrant(this, 'BackendToRedis', { client: AccessClient.fromWorkload(backend), target: AccessTarget.workload(redis, [Port.tcp(6379)]), clientDns: false });
    new AccessGrant(this, 'BackendToApi', { client: AccessClient.fromWorkload(backend), target: AccessTarget.fqdn('api.marktaguiad.dev', [Port.tcp(443)]), clientDns: false });
  }
}

function workload(scope: Construct, namespace: string, app: string, port: number): kplus.Deployment {
  const d = new kplus.Deployment(scope, app, {
    metadata: { name: app, namespace },
    select: false,
    podMetadata: { labels: { app } },
    containers: [{ name: app, image: `${app}:1.0.0`, portNumber: port, securityContext: { ensureNonRoot: false, readOnlyRootFilesystem: false } }],
  });
  d.select(kplus.LabelSelector.of({ labels: { app } }));
  return d;
}
