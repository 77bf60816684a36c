import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AccessClient, AccessGrant, AccessTarget, CiliumPolicy, PodSelector, Port } from '../src';

/**
 * Two tiers in `default`: pods `app: frontend` may reach pods `app: backend` on 80/TCP;
 * nothing else reaches the backend, and the backend initiates no connection at all (not even
 * DNS). The policies are `cilium.io/v2` objects; transparent encryption (WireGuard) is a Cilium
 * install setting (Helm `encryption.enabled=true`, `encryption.type=wireguard`), not a policy.
 */
export class FrontendBackendExample extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'default' });

    const frontend = workload(this, 'frontend', 80);
    const backend = workload(this, 'backend', 80);

    new AccessGrant(this, 'FrontendToBackend', {
      client: AccessClient.fromWorkload(frontend),
      target: AccessTarget.workload(backend, [Port.tcp(80)]),
    });

    // The backend initiates nothing: egress default deny, no DNS.
    new CiliumPolicy(this, 'BackendNoEgress', {
      name: 'backend-no-egress',
      selector: PodSelector.labels({ app: 'backend' }),
      isolateEgress: true,
    });
  }
}

function workload(scope: Construct, app: string, port: number): kplus.Deployment {
  const d = new kplus.Deployment(scope, app, {
    metadata: { name: app },
    replicas: 2,
    select: false,
    podMetadata: { labels: { app } },
    containers: [{ name: app, image: 'nginx:1.27', portNumber: port, securityContext: { ensureNonRoot: false, readOnlyRootFilesystem: false } }],
  });
  d.select(kplus.LabelSelector.of({ labels: { app } }));
  return d;
}
