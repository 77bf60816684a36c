import { App, Chart, Cron, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  AccessClient, AccessGrant, AccessTarget, DnsRule, Entity, GRANT_WARNING, HttpPath, HttpRule, NamespaceBaseline, PodSelector, Port, SecuredPostgres,
} from '../src';
import { _kplusLabelSelector } from '../src/access/kplus-selectors';

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
    // DNS on port 53 (UDP and TCP), without the DNS proxy: the target is not reached by name
    expect(egress.spec.egress[1]).toEqual({
      toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }],
      toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }],
    });
    expect(egress.spec.description).toBe('pods app=web in namespace apps: allow egress to app=api in namespace apps on TCP/3000; allow egress to k8s-app=kube-dns in namespace kube-system on ANY/53');
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
    ['anyone (said, not omitted)', () => AccessClient.anyone(), { fromEntities: ['all'] }],
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

describe('AccessGrant | order independence', () => {
  function permutations<T>(xs: T[]): T[][] {
    if (xs.length <= 1) {
      return [xs];
    }
    return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
  }

  test('every order of a mixed set of grants (merges, duplicates, FQDN, L7, entities) synthesizes the same YAML', () => {
    const build = (order: number[]) => {
      const app = new App({ outdir: Testing.app().outdir });
      const chart = new Chart(app, 'demo');
      new NamespaceBaseline(chart, 'Frontend', { namespace: 'frontend' });
      new NamespaceBaseline(chart, 'Backend', { namespace: 'backend' });
      const web = deployment(chart, 'web', 'web', 80, 'frontend');
      const api = deployment(chart, 'api', 'api', 3000, 'backend');
      const redis = deployment(chart, 'redis', 'redis', 6379, 'database');
      const grants: (() => void)[] = [
        () => new AccessGrant(chart, 'G0', { client: AccessClient.entity(Entity.INGRESS), target: AccessTarget.workload(api, [Port.tcp(3000)]), http: [HttpRule.get(HttpPath.exact('/api'))] }),
        () => new AccessGrant(chart, 'G1', { client: AccessClient.entity(Entity.INGRESS), target: AccessTarget.workload(api, [Port.tcp(3000)]), http: [HttpRule.post(HttpPath.exact('/api/login'))] }),
        () => new AccessGrant(chart, 'G2', { client: AccessClient.fromWorkload(api), target: AccessTarget.workload(redis, [Port.tcp(6379)]) }),
        () => new AccessGrant(chart, 'G3', { client: AccessClient.fromWorkload(api), target: AccessTarget.fqdn('api.example.com', [Port.tcp(443)]) }),
        () => new AccessGrant(chart, 'G4', { client: AccessClient.fromWorkload(web), target: AccessTarget.workload(api, [Port.tcp(3000)]) }),
        () => new AccessGrant(chart, 'G5', { client: AccessClient.fromWorkload(api), target: AccessTarget.workload(redis, [Port.tcp(6379)]) }),
      ];
      order.forEach((i) => grants[i]());
      return app.synthYaml();
    };
    const all = permutations([0, 1, 2, 3, 4, 5]);
    expect(all).toHaveLength(720);
    const reference = build(all[0]);
    const differing = all.filter((_order, i) => i % 7 === 0 || i === all.length - 1).filter((order) => build(order) !== reference);
    expect(differing).toEqual([]);
    // and the policies come out sorted by namespace, then name
    const names = Testing.synth(((): Chart => {
      const app = new App({ outdir: Testing.app().outdir });
      const chart = new Chart(app, 'demo');
      const api = deployment(chart, 'api', 'api', 3000, 'backend');
      const redis = deployment(chart, 'redis', 'redis', 6379, 'database');
      new AccessGrant(chart, 'B', { client: AccessClient.fromWorkload(api), target: AccessTarget.workload(redis, [Port.tcp(6379)]) });
      new AccessGrant(chart, 'A', { client: AccessClient.entity(Entity.INGRESS), target: AccessTarget.workload(api, [Port.tcp(3000)]) });
      return chart;
    })()).filter((o) => o.kind === 'CiliumNetworkPolicy').map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(names).toEqual(['backend/api-from-ingress', 'backend/api-to-redis', 'database/redis-from-api']);
  }, 30_000);
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
      .toThrow(/^\[test\/G\] client peer selector: the pod selector is empty, which would select every pod; give labels, or write PodSelector.all\(\) when every pod is meant$/);
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
      .toThrow(/\[test\/G\] http: HTTP rules on UDP\/3000: Cilium applies L7 rules to TCP ports only \(not UDP, SCTP or ANY\); open the port with Port.tcp\(\)/);
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
    expect(() => AccessClient.fromWorkload(web)).toThrow(/\[test\/web\] client namespace: the namespace of the pods cannot be determined \(no metadata.namespace, no namespace selected by name and no chart namespace\); set the workload's metadata.namespace/);
  });

  test('an FQDN pattern Cilium would reject is refused', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const web = deployment(chart, 'web', 'web', 8080);
    expect(() => new AccessGrant(chart, 'G', { client: AccessClient.fromWorkload(web), target: AccessTarget.fqdnPattern('*.exa mple.com', [Port.tcp(443)]) }))
      .toThrow(/^\[test\/G\] target fqdn pattern: "\*\.exa mple\.com" is not a DNS pattern Cilium accepts; use letters, digits/);
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

describe('AccessClient | cdk8s-plus-28 adapters', () => {
  test('the LabelSelector adapter reads labels and expressions back (pins cdk8s-plus _toKube())', () => {
    // GIVEN a cdk8s-plus selector, whose labels are private
    const sel = kplus.LabelSelector.of({ labels: { app: 'web' }, expressions: [kplus.LabelExpression.in('tier', ['a', 'b']), kplus.LabelExpression.exists('x')] });
    // THEN the adapter gives them back
    const k = _kplusLabelSelector(sel);
    expect(k.labels).toEqual({ app: 'web' });
    expect(k.expressions.map((e) => [e.key, e.operator, e.values])).toEqual([['tier', 'In', ['a', 'b']], ['x', 'Exists', undefined]]);
    expect(_kplusLabelSelector(kplus.LabelSelector.of()).labels).toEqual({});
  });

  test.each<[string, (c: Construct) => kplus.IPodSelector]>([
    ['Deployment', (c) => new kplus.Deployment(c, 'w', { containers: [{ image: 'i', portNumber: 80 }] })],
    ['StatefulSet', (c) => new kplus.StatefulSet(c, 'w', { containers: [{ image: 'i', portNumber: 80 }] })],
    ['DaemonSet', (c) => new kplus.DaemonSet(c, 'w', { containers: [{ image: 'i', portNumber: 80 }] })],
    ['Job', (c) => new kplus.Job(c, 'w', { containers: [{ image: 'i', portNumber: 80 }] })],
    ['CronJob', (c) => new kplus.CronJob(c, 'w', { schedule: Cron.daily(), containers: [{ image: 'i', portNumber: 80 }] })],
    ['Pod', (c) => new kplus.Pod(c, 'w', { containers: [{ image: 'i', portNumber: 80 }] })],
  ])('a %s client is selected by the label cdk8s-plus puts on its pods', (_kind, make) => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const w = make(chart);
    const api = deployment(chart, 'api', 'api', 3000);
    // WHEN
    new AccessGrant(chart, 'G', { client: AccessClient.fromWorkload(w), target: AccessTarget.workload(api, [Port.tcp(3000)]) });
    // THEN the selector is the pod template's address label, in both policies
    const objs = Testing.synth(chart);
    const addr = (w as any).podMetadata.getLabel(kplus.Pod.ADDRESS_LABEL);
    expect(addr).toMatch(/^test-w-c8/);
    expect(byName(objs, 'w-to-api').spec.endpointSelector).toEqual({ matchLabels: { [kplus.Pod.ADDRESS_LABEL]: addr } });
    expect(byName(objs, 'api-from-w').spec.ingress[0].fromEndpoints).toEqual([{ matchLabels: { [kplus.Pod.ADDRESS_LABEL]: addr, 'k8s:io.kubernetes.pod.namespace': 'apps' } }]);
  });

  test('a workload in its own namespace is a cross-namespace client', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const web = deployment(chart, 'web', 'web', 8080, 'frontend');
    const api = deployment(chart, 'api', 'api', 3000);
    new AccessGrant(chart, 'G', { client: AccessClient.fromWorkload(web), target: AccessTarget.workload(api, [Port.tcp(3000)]) });
    const objs = Testing.synth(chart);
    expect(byName(objs, 'web-to-api').metadata.namespace).toBe('frontend');
    expect(byName(objs, 'api-from-web').spec.ingress[0].fromEndpoints).toEqual([{ matchLabels: { 'app': 'web', 'k8s:io.kubernetes.pod.namespace': 'frontend' } }]);
  });

  test('Pods.select with a namespace named is a client in that namespace, named after its labels', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const api = deployment(chart, 'api', 'api', 3000);
    const pods = kplus.Pods.select(chart, 'Backends', { labels: { role: 'backend' }, namespaces: kplus.Namespaces.select(chart, 'Ns', { names: ['backend'] }) });
    new AccessGrant(chart, 'G', { client: AccessClient.fromPods(pods), target: AccessTarget.workload(api, [Port.tcp(3000)]) });
    const objs = Testing.synth(chart);
    expect(byName(objs, 'role-backend-to-api').metadata.namespace).toBe('backend');
    expect(byName(objs, 'api-from-role-backend').spec.ingress[0].fromEndpoints).toEqual([{ matchLabels: { 'role': 'backend', 'k8s:io.kubernetes.pod.namespace': 'backend' } }]);
  });

  test('Pods.all() is an empty selector and refused; every pod is spelled allPodsOfNamespace()', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const api = deployment(chart, 'api', 'api', 3000);
    const all = kplus.Pods.all(chart, 'All');
    expect(() => new AccessGrant(chart, 'G', { client: AccessClient.fromPods(all), target: AccessTarget.workload(api, [Port.tcp(3000)]) }))
      .toThrow(/^\[test\/G\] client peer selector: the pod selector is empty, which would select every pod; give labels, or write PodSelector.all\(\) when every pod is meant$/);
  });

  test('Pods selecting namespaces by label have no namespace to put their egress in', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const pods = kplus.Pods.select(chart, 'P', { labels: { a: 'b' }, namespaces: kplus.Namespaces.select(chart, 'Ns', { labels: { team: 'x' } }) });
    expect(() => AccessClient.fromPods(pods)).toThrow(/\[test\/P\] client namespace: the pods select their namespaces by label, so their namespace cannot be determined; select the namespace by name/);
    const two = kplus.Pods.select(chart, 'Q', { labels: { a: 'b' }, namespaces: kplus.Namespaces.select(chart, 'Ns2', { names: ['x', 'y'] }) });
    expect(() => AccessClient.fromPods(two)).toThrow(/\[test\/Q\] client namespace: the pods span several namespaces \(x, y\); grant each namespace separately/);
  });

  test('a Namespace or Namespaces.select gives every pod of those namespaces', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'default' });
    const db = new SecuredPostgres(chart, 'Db', { name: 'pg' });
    const ns = new kplus.Namespace(chart, 'Backend', { metadata: { name: 'backend' } });
    new AccessGrant(chart, 'A', { client: AccessClient.allPodsOf(ns), target: AccessTarget.of(db) });
    new AccessGrant(chart, 'B', { client: AccessClient.allPodsOf(kplus.Namespaces.select(chart, 'Teams', { labels: { team: 'a' } })), target: AccessTarget.of(db) });
    new AccessGrant(chart, 'C', { client: AccessClient.allPodsOf(kplus.Namespaces.select(chart, 'Two', { names: ['y', 'x'] })), target: AccessTarget.of(db) });
    const objs = Testing.synth(chart);
    expect(byName(objs, 'pg-from-ns-backend').spec.ingress[0].fromEndpoints).toEqual([{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'backend' } }]);
    expect(byName(objs, 'pg-from-ns-team-a').spec.ingress[0].fromEndpoints).toEqual([{
      matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }],
      matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'a' },
    }]);
    expect(byName(objs, 'pg-from-ns-x-y').spec.ingress[0].fromEndpoints).toEqual([{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['x', 'y'] }] }]);
    // one namespace gets an egress rule that opens the path without isolating the namespace;
    // several namespaces, or namespaces by label, get none (a CNP lives in one namespace)
    const egress = objs.filter((o) => o.metadata.name.includes('-to-'));
    expect(egress.map((o) => [o.metadata.namespace, o.metadata.name])).toEqual([['backend', 'ns-backend-to-pg']]);
    expect(egress[0].spec.enableDefaultDeny).toEqual({ egress: false });
    expect(egress[0].spec.endpointSelector).toEqual({});
    expect(egress[0].spec.description).toMatch(/^every pod of namespace backend: allow egress to cnpg.io\/cluster=pg,cnpg.io\/podRole=instance in namespace default on TCP\/5432/);
    expect(() => AccessClient.allPodsOf(kplus.Namespaces.all(chart, 'All'))).toThrow(/\[test\/All\] client namespaces: the namespace selector is empty, which would select every namespace/);
  });

  test('podsInNamespace names the client after its selector', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'default' });
    const db = new SecuredPostgres(chart, 'Db', { name: 'cluster-example' });
    new AccessGrant(chart, 'G', { client: AccessClient.podsInNamespace(PodSelector.labels({ role: 'backend' }), 'default'), target: AccessTarget.of(db) });
    const names = Testing.synth(chart).filter((o) => o.kind === 'CiliumNetworkPolicy').map((o) => o.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['cluster-example-from-role-backend', 'role-backend-to-cluster-example']));
  });
});

describe('AccessGrant | options', () => {
  test('HTTP rules given with the target apply to every grant that names none', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const api = deployment(chart, 'api', 'api', 3000);
    new AccessGrant(chart, 'G', { client: AccessClient.entity(Entity.INGRESS), target: AccessTarget.workload(api, [Port.tcp(3000)], [HttpRule.get(HttpPath.prefix('/api'))]) });
    expect(byName(Testing.synth(chart), 'api-from-ingress').spec.ingress[0].toPorts[0].rules).toEqual({ http: [{ method: 'GET', path: '/api(/.*)?' }] });
  });

  test('clientDns: false leaves DNS to another policy, and an FQDN target then needs one', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'test', { namespace: 'apps' });
    const web = deployment(chart, 'web', 'web', 8080);
    const api = deployment(chart, 'api', 'api', 3000);
    new AccessGrant(chart, 'G', { client: AccessClient.fromWorkload(web), target: AccessTarget.workload(api, [Port.tcp(3000)]), clientDns: false });
    expect(byName(Testing.synth(chart), 'web-to-api').spec.egress).toHaveLength(1);
    new AccessGrant(chart, 'F', { client: AccessClient.fromWorkload(web), target: AccessTarget.fqdn('api.example.com', [Port.tcp(443)]), clientDns: false });
    expect(() => app.synth()).toThrow(/egress to FQDN "api.example.com" never works/);
  });

  test('an egress-only target with the client egress managed elsewhere is refused', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const web = deployment(chart, 'web', 'web', 8080);
    expect(() => new AccessGrant(chart, 'G', { client: AccessClient.fromWorkload(web), target: AccessTarget.cidr('192.0.2.0/24', [Port.tcp(443)]), clientEgressManagedElsewhere: true }))
      .toThrow(/\[test\/G\] clientEgressManagedElsewhere: the target cidr-192-0-2-0-24 is egress-only, so the grant would render nothing/);
  });

  test('HTTP rules towards an FQDN are enforced on the client\'s egress', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const web = deployment(chart, 'web', 'web', 8080);
    new AccessGrant(chart, 'G', { client: AccessClient.fromWorkload(web), target: AccessTarget.fqdn('api.example.com', [Port.tcp(80)]), http: [HttpRule.get(HttpPath.prefix('/v1'))] });
    expect(byName(Testing.synth(chart), 'web-to-api-example-com').spec.egress).toContainEqual({
      toFQDNs: [{ matchName: 'api.example.com' }],
      toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/v1(/.*)?' }] } }],
    });
  });

  test('CIDR and entity targets render on the client only', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    const web = deployment(chart, 'web', 'web', 8080);
    new AccessGrant(chart, 'A', { client: AccessClient.fromWorkload(web), target: AccessTarget.cidr('192.0.2.0/24', [Port.tcp(443)], ['192.0.2.128/25']) });
    new AccessGrant(chart, 'K', { client: AccessClient.fromWorkload(web), target: AccessTarget.entity(Entity.KUBE_APISERVER, [Port.tcp(6443)]) });
    const objs = Testing.synth(chart).filter((o) => o.kind === 'CiliumNetworkPolicy');
    expect(objs.map((o) => o.metadata.name)).toEqual(['web-to-cidr-192-0-2-0-24', 'web-to-kube-apiserver']);
    expect(objs[0].spec.egress).toContainEqual({ toCIDRSet: [{ cidr: '192.0.2.0/24', except: ['192.0.2.128/25'] }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] });
    expect(objs[1].spec.egress).toContainEqual({ toEntities: ['kube-apiserver'], toPorts: [{ ports: [{ port: '6443', protocol: 'TCP' }] }] });
  });
});

describe('AccessGrant | the smaller policies of the gateway-demo write-up', () => {
  test('L7 GET /health from frontend/app=frontend to backend/app=api on 3000', () => {
    const chart = new Chart(Testing.app(), 'test');
    new AccessGrant(chart, 'Health', {
      client: AccessClient.podsInNamespace(PodSelector.labels({ app: 'frontend' }), 'frontend'),
      target: AccessTarget.pods('api', PodSelector.labels({ app: 'api' }), 'backend', [Port.tcp(3000)], [HttpRule.get(HttpPath.exact('/health'))]),
    });
    const objs = Testing.synth(chart);
    expect(byName(objs, 'api-from-app-frontend').spec.ingress).toEqual([{
      fromEndpoints: [{ matchLabels: { 'app': 'frontend', 'k8s:io.kubernetes.pod.namespace': 'frontend' } }],
      toPorts: [{ ports: [{ port: '3000', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/health' }] } }],
    }]);
    // the client's egress stays L4: requests pass the proxy once, at the target
    expect(byName(objs, 'app-frontend-to-api').spec.egress[0].toPorts).toEqual([{ ports: [{ port: '3000', protocol: 'TCP' }] }]);
  });

  test('ingress from CIDR 10.10.0.0/16, and only from the cluster entity', () => {
    const chart = new Chart(Testing.app(), 'test');
    const target = AccessTarget.pods('api', PodSelector.labels({ app: 'api' }), 'backend', [Port.tcp(3000)]);
    new AccessGrant(chart, 'Cidr', { client: AccessClient.cidr('10.10.0.0/16'), target });
    new AccessGrant(chart, 'Cluster', { client: AccessClient.entity(Entity.CLUSTER), target });
    const objs = Testing.synth(chart);
    expect(byName(objs, 'api-from-cidr-10-10-0-0-16').spec.ingress[0].fromCIDRSet).toEqual([{ cidr: '10.10.0.0/16' }]);
    expect(byName(objs, 'api-from-cluster').spec.ingress[0].fromEntities).toEqual(['cluster']);
  });

  test('DNS queries limited to one name', () => {
    const chart = new Chart(Testing.app(), 'test');
    new NamespaceBaseline(chart, 'B', { namespace: 'backend', fqdnEgress: [DnsRule.name('api.example.com')], restrictDnsNames: true });
    expect(byName(Testing.synth(chart), 'backend-allow-dns').spec.egress[0].toPorts[0].rules).toEqual({ dns: [{ matchName: 'api.example.com' }] });
  });
});
