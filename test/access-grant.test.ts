import { App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  AccessClient, AccessGrant, AccessTarget, Entity, GRANT_WARNING, HttpPath, HttpRule, NamespaceBaseline, PodSelector, Port, SecuredPostgres,
} from '../src';

function deployment(scope: Construct, id: string, app: string, port: number, namespace?: string): kplus.Deployment {
  const d = new kplus.Deployment(scope, id, {
    metadata: namespace ? { namespace } : undefined,
    select: false,
    podMetadata: { labels: { app } },
    containers: [{ image: 'img:1', portNumber: port }],
  });
  d.select(kplus.LabelSelector.of({ labels: { app } }));
  return d;
}

function byName(objs: any[], name: string): any {
  const o = objs.find((x) => x.metadata.name === name);
  if (!o) {
    throw new Error(`no object ${name} in ${objs.map((x) => x.metadata.name).join(', ')}`);
  }
  return o;
}

describe('AccessGrant | both sides', () => {
  test('a workload client gets egress (and DNS) and the target gets ingress', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const web = deployment(chart, 'web', 'web', 8080);
    const api = deployment(chart, 'api', 'api', 3000);
    // WHEN
    new AccessGrant(chart, 'WebToApi', { client: AccessClient.fromWorkload(web), target: AccessTarget.workload(api, [Port.tcp(3000)]) });
    // THEN
    const objs = Testing.synth(chart);
    const ingress = byName(objs, 'api-from-web');
    expect(ingress.spec.endpointSelector).toEqual({ matchLabels: { app: 'api' } });
    expect(ingress.spec.ingress).toEqual([{
      fromEndpoints: [{ matchLabels: { 'app': 'web', 'k8s:io.kubernetes.pod.namespace': 'apps' } }],
      toPorts: [{ ports: [{ port: '3000', protocol: 'TCP' }] }],
    }]);
    const egress = byName(objs, 'web-to-api');
    expect(egress.spec.egress).toHaveLength(2);
    expect(egress.spec.egress[1].toPorts[0].rules).toEqual({ dns: [{ matchPattern: '*' }] });
    expect(objs.filter((o) => o.kind.startsWith('Cilium'))).toMatchSnapshot();
  });

  test('a SecuredPostgres target opens 5432 on its instances', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'default' });
    const db = new SecuredPostgres(chart, 'Db', { name: 'cluster-example' });
    new AccessGrant(chart, 'Backend', { client: AccessClient.pods('backend', PodSelector.labels({ role: 'backend' }), 'default'), target: AccessTarget.of(db) });
    const objs = Testing.synth(chart);
    const ingress = byName(objs, 'cluster-example-from-backend');
    expect(ingress.spec.endpointSelector.matchLabels).toEqual({ 'cnpg.io/cluster': 'cluster-example', 'cnpg.io/podRole': 'instance' });
    expect(ingress.spec.ingress[0].toPorts).toEqual([{ ports: [{ port: '5432', protocol: 'TCP' }] }]);
  });

  test.each<[string, () => AccessClient, any]>([
    ['role=backend in any namespace', () => AccessClient.podsInAnyNamespace('backend', PodSelector.labels({ role: 'backend' })),
      { fromEndpoints: [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }], matchLabels: { role: 'backend' } }] }],
    ['every pod of namespace backend', () => AccessClient.allPodsOfNamespace('backend'),
      { fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'backend' } }] }],
    ['the cluster entity', () => AccessClient.entity(Entity.CLUSTER), { fromEntities: ['cluster'] }],
    ['a CIDR', () => AccessClient.cidr('10.0.0.0/8', ['10.1.0.0/16']), { fromCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] }] }],
    ['namespaces by label', () => AccessClient.namespacesLabelled('team-a', { team: 'a' }),
      { fromEndpoints: [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }], matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'a' } }] }],
  ])('client %s renders as the target\'s peer', (_n, client, peer) => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'default' });
    const db = new SecuredPostgres(chart, 'Db', { name: 'cluster-example' });
    new AccessGrant(chart, 'G', { client: client(), target: AccessTarget.of(db) });
    const ingress = Testing.synth(chart).find((o) => o.metadata.name.startsWith('cluster-example-from-'));
    expect(ingress.spec.ingress).toEqual([{ ...peer, toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }]);
  });

  test('clients whose egress is managed elsewhere get no egress policy', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const web = deployment(chart, 'web', 'web', 8080);
    const api = deployment(chart, 'api', 'api', 3000);
    new AccessGrant(chart, 'G', { client: AccessClient.fromWorkload(web), target: AccessTarget.workload(api, [Port.tcp(3000)]), clientEgressManagedElsewhere: true });
    expect(Testing.synth(chart).filter((o) => o.kind === 'CiliumNetworkPolicy').map((o) => o.metadata.name)).toEqual(['api-from-web']);
  });

  test('an FQDN target adds the DNS-proxy rule on the client and passes synth validation', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'test', { namespace: 'apps' });
    const web = deployment(chart, 'web', 'web', 8080);
    new AccessGrant(chart, 'G', { client: AccessClient.fromWorkload(web), target: AccessTarget.fqdn('api.example.com', [Port.tcp(443)]) });
    const egress = byName(Testing.synth(chart), 'web-to-api-example-com');
    expect(egress.spec.egress).toContainEqual({ toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('AccessGrant | merging and determinism', () => {
  test('grants between the same client and target merge, duplicates collapse', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const web = deployment(chart, 'web', 'web', 8080);
    const api = deployment(chart, 'api', 'api', 3000);
    new AccessGrant(chart, 'A', { client: AccessClient.fromWorkload(web), target: AccessTarget.workload(api, [Port.tcp(3000)]) });
    new AccessGrant(chart, 'B', { client: AccessClient.fromWorkload(web), target: AccessTarget.workload(api, [Port.tcp(3000)]) });
    new AccessGrant(chart, 'C', { client: AccessClient.fromWorkload(web), target: AccessTarget.workload(api, [Port.tcp(3001)]) });
    const objs = Testing.synth(chart).filter((o) => o.kind === 'CiliumNetworkPolicy');
    expect(objs.map((o) => o.metadata.name)).toEqual(['api-from-web', 'web-to-api']);
    expect(objs[0].spec.ingress[0].toPorts[0].ports.map((p: any) => p.port)).toEqual(['3000', '3001']);
  });

  test('the same grants declared in any order synthesize byte-identical YAML', () => {
    const build = (order: number[]) => {
      const app = new App({ outdir: Testing.app().outdir });
      const chart = new Chart(app, 'test', { namespace: 'apps' });
      const web = deployment(chart, 'web', 'web', 8080);
      const api = deployment(chart, 'api', 'api', 3000);
      const worker = deployment(chart, 'worker', 'worker', 9000);
      const grants = [
        () => new AccessGrant(chart, 'G0', { client: AccessClient.fromWorkload(web), target: AccessTarget.workload(api, [Port.tcp(3000)]) }),
        () => new AccessGrant(chart, 'G1', { client: AccessClient.fromWorkload(worker), target: AccessTarget.workload(api, [Port.tcp(3000)]) }),
        () => new AccessGrant(chart, 'G2', { client: AccessClient.entity(Entity.INGRESS), target: AccessTarget.workload(web, [Port.tcp(8080)]) }),
        () => new AccessGrant(chart, 'G3', { client: AccessClient.fromWorkload(api), target: AccessTarget.workload(worker, [Port.tcp(9000)]) }),
      ];
      order.forEach((i) => grants[i]());
      return app.synthYaml();
    };
    const reference = build([0, 1, 2, 3]);
    expect(build([3, 2, 1, 0])).toEqual(reference);
    expect(build([1, 3, 0, 2])).toEqual(reference);
  });
});

describe('AccessGrant | bad input', () => {
  test('a grant to itself is refused', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const web = deployment(chart, 'web', 'web', 8080);
    expect(() => new AccessGrant(chart, 'Self', { client: AccessClient.fromWorkload(web), target: AccessTarget.workload(web, [Port.tcp(8080)]) }))
      .toThrow(/\[test\/Self\] client: the client and the target are the same pods \(app=web in apps\); a grant connects two different sets of pods/);
  });

  test('an empty client selector is refused', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const api = deployment(chart, 'api', 'api', 3000);
    expect(() => new AccessGrant(chart, 'G', { client: AccessClient.pods('x', PodSelector.labels({}), 'apps'), target: AccessTarget.workload(api, [Port.tcp(3000)]) }))
      .toThrow(/the pod selector is empty, which would select every pod/);
  });

  test('L7 rules towards PostgreSQL are refused', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'default' });
    const db = new SecuredPostgres(chart, 'Db', { name: 'pg' });
    expect(() => new AccessGrant(chart, 'G', { client: AccessClient.allPodsOfNamespace('apps'), target: AccessTarget.of(db), http: [HttpRule.get('/')] }))
      .toThrow(/\[test\/G\] http: HTTP rules towards the PostgreSQL target "pg"; Cilium has no PostgreSQL L7 parser/);
  });

  test('L7 on a non-TCP port is refused', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const api = deployment(chart, 'api', 'api', 3000);
    expect(() => new AccessGrant(chart, 'G', { client: AccessClient.entity(Entity.INGRESS), target: AccessTarget.workload(api, [Port.udp(3000)]), http: [HttpRule.get('/')] }))
      .toThrow(/HTTP rules on UDP\/3000: L7 rules apply to TCP only/);
  });

  test('a port the target does not expose gives a warning', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const api = deployment(chart, 'api', 'api', 3000);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const g = new AccessGrant(chart, 'G', { client: AccessClient.entity(Entity.INGRESS), target: AccessTarget.workload(api, [Port.tcp(4000)]) });
    expect(g.node.metadata.filter((m) => m.type === GRANT_WARNING).map((m) => m.data)).toEqual([
      '[test/G] ports: TCP/4000 is not exposed by the target "api" (exposed: TCP/3000); the grant opens it anyway, check the port',
    ]);
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  test('a client whose namespace cannot be determined is refused', () => {
    const chart = new Chart(Testing.app(), 'test');
    const web = deployment(chart, 'web', 'web', 8080);
    expect(() => AccessClient.fromWorkload(web)).toThrow(/\[test\/web\] client namespace: the namespace of the client pods cannot be determined/);
  });

  test('an FQDN pattern Cilium would reject is refused', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const web = deployment(chart, 'web', 'web', 8080);
    expect(() => new AccessGrant(chart, 'G', { client: AccessClient.fromWorkload(web), target: AccessTarget.fqdnPattern('*.exa mple.com', [Port.tcp(443)]) }))
      .toThrow(/"\*\.exa mple\.com" is not a DNS pattern Cilium accepts/);
  });

  test('an egress-only target needs a client with nameable pods', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    expect(() => new AccessGrant(chart, 'G', { client: AccessClient.entity(Entity.WORLD), target: AccessTarget.fqdn('a.example.com', [Port.tcp(443)]) }))
      .toThrow(/an egress-only target \(a-example-com\) needs a client whose pods can be named/);
  });

  test('a target without ports is refused', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    expect(() => new AccessGrant(chart, 'G', { client: AccessClient.entity(Entity.INGRESS), target: AccessTarget.pods('x', PodSelector.labels({ a: 'b' }), 'apps', []) }))
      .toThrow(/\[test\/G\] ports: no port given/);
  });

  test('HTTP paths are validated as RE2', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const api = deployment(chart, 'api', 'api', 3000);
    expect(() => new AccessGrant(chart, 'G', { client: AccessClient.anyone(), target: AccessTarget.workload(api, [Port.tcp(3000)]), http: [HttpRule.get(HttpPath.exact('/a') + '(?=x)')] }))
      .toThrow(/lookaround assertions/);
  });
});

describe('NamespaceBaseline |', () => {
  test('denies both directions and allows DNS through the proxy', () => {
    const chart = new Chart(Testing.app(), 'test');
    new NamespaceBaseline(chart, 'B', { namespace: 'frontend' });
    const objs = Testing.synth(chart);
    expect(objs).toMatchSnapshot();
    expect(byName(objs, 'frontend-default-deny').spec).toMatchObject({ endpointSelector: {}, ingress: [{}], egress: [{}] });
    expect(byName(objs, 'frontend-allow-dns').spec.egress[0].toPorts[0]).toEqual({ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } });
  });

  test('switches keep directions open', () => {
    const chart = new Chart(Testing.app(), 'test');
    new NamespaceBaseline(chart, 'B', { namespace: 'x', denyEgress: false, allowDns: false });
    const [deny] = Testing.synth(chart);
    expect(deny.spec.egress).toBeUndefined();
    expect(deny.spec.ingress).toEqual([{}]);
  });

  test('bad input is refused', () => {
    expect(() => new NamespaceBaseline(new Chart(Testing.app(), 't'), 'B')).toThrow(/\[t\/B\] namespace: no namespace given/);
    expect(() => new NamespaceBaseline(new Chart(Testing.app(), 't'), 'B', { namespace: 'Bad' })).toThrow(/namespace "Bad" is not a valid namespace name/);
    expect(() => new NamespaceBaseline(new Chart(Testing.app(), 't'), 'B', { namespace: 'x', denyIngress: false, denyEgress: false, allowDns: false }))
      .toThrow(/every switch is off/);
  });
});
