/**
 * A live cluster's objects (`kubectl get cnp,ccnp,netpol,ciliumcidrgroups,ns,pods,svc -A -o yaml`)
 * as the report's input: Pods become the report's pods, Namespaces give namespace labels, and
 * CiliumNetworkPolicies, Kubernetes NetworkPolicies and CiliumCIDRGroups are evaluated together.
 */
import * as path from 'path';
import { connectivityReport, readManifests } from '../../src/report';
import { podsFromManifests } from '../../src/report/workloads';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'live-cluster', 'cluster.yaml');

describe('a live cluster dump', () => {
  const objects = readManifests([FIXTURE]).map((o) => o.object);
  const report = connectivityReport({ objects, sources: ['cluster.yaml'] });
  const flow = (src: string, dst: string, port: number) => report.matrix.flows.find((f) => f.src === src && f.dst === dst && f.port === port)!;

  test('running pods become one report pod per workload; host-network and finished pods are not endpoints', () => {
    const pods = podsFromManifests(objects);
    expect(pods.map((p) => [p.name, p.origin])).toEqual([
      ['cnpg-system/cnpg-controller-manager', 'Pod cnpg-system/cnpg-controller-manager-7d8f9c6b4-abcde'],
      ['gateway/envoy', 'Pod gateway/envoy-5b7c9d4f6-qq8rt'],
      ['shop/orders-db', 'Pod shop/orders-db-1'],
      // two replicas of one Deployment: one identity, one report pod
      ['shop/web', 'Pods shop/web-6c9f7d8b5d-2xk4p, shop/web-6c9f7d8b5d-8mzqv'],
    ]);
    const web = pods.find((p) => p.name === 'shop/web')!;
    expect(web).toMatchObject({ serviceAccount: 'web', namedPorts: { http: '8080/TCP' }, ip: '10.0.1.17' });
  });

  test('a NetworkPolicy and a CiliumNetworkPolicy decide together, each named with its rule', () => {
    // NetworkPolicy peer with namespaceSelector AND podSelector, on the named port http (8080)
    expect(flow('gateway/envoy', 'shop/web', 8080).result.verdict).toBe('ALLOW');
    expect(flow('gateway/envoy', 'shop/web', 8080).result.ingress?.policy).toEqual({ kind: 'NetworkPolicy', namespace: 'shop', name: 'web-from-gateway' });
    expect(flow('gateway/envoy', 'shop/web', 8080).result.ingress?.rule).toBe('spec.ingress[0]');
    // the namespace-wide NetworkPolicy default deny refuses everything else to web
    expect(flow('cnpg-system/cnpg-controller-manager', 'shop/web', 8080).result.verdict).toBe('DROP');
    // the CNP allows web to the database, the operator to the status port
    expect(flow('shop/web', 'shop/orders-db', 5432).result.verdict).toBe('ALLOW');
    expect(flow('cnpg-system/cnpg-controller-manager', 'shop/orders-db', 8000).result.verdict).toBe('ALLOW');
    expect(flow('gateway/envoy', 'shop/orders-db', 5432).result.verdict).toBe('DROP');
  });

  test('the CiliumCIDRGroup a policy references is resolved and probed', () => {
    const f = flow('shop/web', '198.51.100.0/24 (198.51.100.1)', 443);
    expect(f.result.verdict).toBe('ALLOW');
    expect(f.result.egress?.rule).toBe('spec.egress[0]');
    expect(flow('shop/web', 'the internet (world)', 443).result.verdict).toBe('DROP');
  });

  test('the report (snapshot)', () => {
    expect(report.markdown).toMatchSnapshot();
  });
});
