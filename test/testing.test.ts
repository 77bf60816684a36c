/**
 * The jest matchers users get from `cdk8s-secured-postgres/testing`.
 */
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  AccessClient, AccessGrant, AccessTarget, CiliumPolicy, HttpPath, HttpRule, Peer, PodSelector, Port, SecuredPostgres,
} from '../src';
import { ciliumMatchers, evaluateTraffic, installCiliumMatchers } from '../src/testing';

installCiliumMatchers();

function shop() {
  const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
  const db = new SecuredPostgres(chart, 'OrdersDb', { name: 'orders-db' });
  const pooler = db.addPooler('Rw');
  new AccessGrant(chart, 'Web', {
    client: AccessClient.pods('web', PodSelector.labels({ app: 'web' }), 'shop'),
    target: AccessTarget.of(db),
  });
  return { chart, db, pooler };
}

const web = { namespace: 'shop', labels: { app: 'web' } };

test('the README example: only the web pods reach the database', () => {
  const { chart, db } = shop();
  expect(chart).toAllowTraffic({ from: web, to: db, port: 5432 });
  expect(chart).toDenyTraffic({ from: web, to: db, port: 8000 });
  expect(chart).toDenyTraffic({ from: { namespace: 'shop', labels: { app: 'other' } }, to: db, port: 5432 });
  expect(chart).toDenyTraffic({ from: 'world:203.0.113.10', to: db, port: 5432 });
  expect(chart).toAllowTraffic({ from: db, to: 'kube-apiserver', port: 6443 });
});

test('constructs, pod names and peers are accepted as ends; .not works', () => {
  const { chart, db, pooler } = shop();
  // instances replicate to each other: db to db means "another instance"
  expect(chart).toAllowTraffic({ from: db, to: db, port: 5432 });
  expect(chart).toAllowTraffic({ from: pooler, to: db, port: 5432 });
  expect(chart).toAllowTraffic({ from: 'shop/orders-db jobs', to: 'shop/orders-db instances', port: 5432 });
  expect(chart).not.toAllowTraffic({ from: 'shop/orders-db jobs', to: db, port: 8000 });
  expect(chart).not.toDenyTraffic({ from: { namespace: 'cnpg-system', labels: { 'app.kubernetes.io/name': 'cloudnative-pg' } }, to: db, port: 8000 });
  expect(chart).toDenyTraffic({ from: { namespace: 'cnpg-system', labels: { 'app.kubernetes.io/name': 'cloudnative-pg' } }, to: db, port: 5432 });
});

test('a cdk8s-plus workload as an end, and UDP', () => {
  const chart = new Chart(Testing.app(), 'app', { namespace: 'apps' });
  const api = new kplus.Deployment(chart, 'api', {
    metadata: { name: 'api' },
    containers: [{ image: 'nginx:1.27', portNumber: 8080 }],
  });
  new CiliumPolicy(chart, 'ApiIngress', { selector: PodSelector.labels({ ...api.matchLabels }) })
    .allowIngress({ peers: [Peer.pods(PodSelector.labels({ app: 'gw' }), 'apps')], ports: [Port.tcp(8080)] });
  expect(chart).toAllowTraffic({ from: { namespace: 'apps', labels: { app: 'gw' } }, to: api, port: 8080 });
  expect(chart).toDenyTraffic({ from: { namespace: 'apps', labels: { app: 'gw' } }, to: api, port: 8080, proto: 'UDP' });
  expect(chart).toDenyTraffic({ from: { namespace: 'apps', labels: { app: 'x' } }, to: api, port: 8080 });
});

test('HTTP requests are checked against L7 rules (L7_DENY counts as denied)', () => {
  const chart = new Chart(Testing.app(), 'l7');
  new CiliumPolicy(chart, 'Health', { namespace: 'backend', selector: PodSelector.labels({ app: 'api' }) }).allowIngress({
    peers: [Peer.pods(PodSelector.labels({ app: 'frontend' }), 'frontend')],
    ports: [Port.tcp(3000)],
    http: [HttpRule.get(HttpPath.exact('/health'))],
  });
  const from = { namespace: 'frontend', labels: { app: 'frontend' } };
  const to = { namespace: 'backend', labels: { app: 'api' } };
  expect(chart).toAllowTraffic({ from, to, port: 3000, http: { method: 'GET', path: '/health' } });
  expect(chart).toDenyTraffic({ from, to, port: 3000, http: { method: 'POST', path: '/health' } });
  expect(evaluateTraffic(chart, { from, to, port: 3000, http: { method: 'GET', path: '/metrics' } }).verdict).toBe('L7_DENY');
});

test('failure messages show the verdict, the reason and the deciding policy', () => {
  const { chart, db } = shop();
  const r = ciliumMatchers.toAllowTraffic.call({ isNot: false }, chart, { from: web, to: db, port: 8000 });
  expect(r.pass).toBe(false);
  const msg = r.message();
  expect(msg).toContain('expected TCP/8000 from pods app=web (shop) to shop/orders-db instances to be allowed, but it is DROP');
  expect(msg).toContain('deciding policy: CiliumNetworkPolicy shop/web-to-orders-db');
  expect(msg).toMatch(/ingress: DROP by CiliumNetworkPolicy shop\/orders-db-from-web/);
  expect(() => expect(chart).toAllowTraffic({ from: web, to: db, port: 8000 })).toThrow(/to be allowed, but it is DROP/);
  const ok = ciliumMatchers.toAllowTraffic.call({ isNot: true }, chart, { from: web, to: db, port: 5432 });
  expect(ok.message()).toContain('not to be allowed, but it is ALLOW');
});

test('unknown ends are reported with the pods the chart has', () => {
  const { chart, db } = shop();
  expect(() => expect(chart).toAllowTraffic({ from: 'shop/nope', to: db, port: 5432 }))
    .toThrow(/unknown from "shop\/nope": the chart has the pods .*shop\/orders-db instances/);
  expect(() => evaluateTraffic(42, { from: web, to: db, port: 5432 })).toThrow(/expected a cdk8s Chart/);
});

test('an App and a list of manifests are accepted too', () => {
  const { chart, db } = shop();
  expect(evaluateTraffic(chart.toJson(), { from: web, to: db, port: 5432 }).verdict).toBe('ALLOW');
  expect(evaluateTraffic(chart.node.root, { from: web, to: db, port: 5432 }).verdict).toBe('ALLOW');
});
