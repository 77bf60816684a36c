import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  CiliumPolicy, DnsRule, Entity, HttpPath, HttpRule, Peer, PodSelector, Port,
} from '../src';

/**
 * The small policies of the gateway-demo write-up, written so that Cilium enforces what the
 * write-up meant: L7 `GET /health` from the frontend to the API, ingress from a CIDR, ingress
 * only from inside the cluster, egress to the API server, and DNS queries for one name.
 */
export class PolicyLayerExample extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    const kubeDns = Peer.pods(PodSelector.labels({ 'k8s-app': 'kube-dns' }), 'kube-system');

    // L7: only GET /health from frontend/app=frontend to backend/app=api on 3000.
    new CiliumPolicy(this, 'ApiHealthFromFrontend', {
      namespace: 'backend',
      selector: PodSelector.labels({ app: 'api' }),
    }).allowIngress({
      peers: [Peer.pods(PodSelector.labels({ app: 'frontend' }), 'frontend')],
      ports: [Port.tcp(3000)],
      http: [HttpRule.get(HttpPath.exact('/health'))],
    });

    // Ingress from the office network only.
    new CiliumPolicy(this, 'ApiFromOffice', {
      namespace: 'backend',
      selector: PodSelector.labels({ app: 'api' }),
    }).allowIngress({ peers: [Peer.cidr('10.10.0.0/16')], ports: [Port.tcp(3000)] });

    // Ingress only from inside the cluster.
    new CiliumPolicy(this, 'MonitorFromCluster', {
      namespace: 'monitor',
      selector: PodSelector.labels({ app: 'monitor' }),
    }).allowIngress({ peers: [Peer.entities(Entity.CLUSTER)], ports: [Port.tcp(8000)] });

    // Egress to the Kubernetes API server (post-DNAT port), and DNS for that one name only.
    const egress = new CiliumPolicy(this, 'BackendToApiServer', {
      namespace: 'backend',
      selector: PodSelector.labels({ app: 'api' }),
    });
    egress.allowEgress({ peers: [Peer.entities(Entity.KUBE_APISERVER)], ports: [Port.tcp(6443), Port.tcp(443)] });
    egress.allowEgress({
      peers: [kubeDns],
      ports: [Port.anyProtocol(53)],
      dns: [DnsRule.name('api.marktaguiad.dev')],
    });
  }
}
