import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  AccessClient, AccessGrant, AccessTarget, CiliumPolicy, DnsRule, DnsServer, NamespaceBaseline, Peer, PodSelector, Port,
} from '../src';
import { parseScenarioObject, runScenario } from '../src/verify';

function byName(objs: any[], name: string): any {
  const o = objs.find((x) => x.metadata.name === name);
  if (!o) {
    throw new Error(`no object ${name} in ${objs.map((x) => x.metadata.name).join(', ')}`);
  }
  return o;
}

const KUBE_DNS = { matchLabels: { 'k8s-app': 'kube-dns', 'k8s:io.kubernetes.pod.namespace': 'kube-system' } };

describe('NamespaceBaseline | defaults', () => {
  test('denies ingress and egress for every pod and allows DNS on port 53, UDP and TCP, without the proxy', () => {
    // GIVEN
    const chart = new Chart(Testing.app(), 'test');
    // WHEN
    new NamespaceBaseline(chart, 'B', { namespace: 'frontend' });
    // THEN
    const objs = Testing.synth(chart);
    expect(objs).toMatchSnapshot();
    expect(objs.map((o) => o.metadata.name)).toEqual(['frontend-allow-dns', 'frontend-default-deny']);
    const deny = byName(objs, 'frontend-default-deny');
    // Cilium's deny-all: a section with one empty rule, not an empty list
    expect(deny.spec).toEqual({
      description: 'every pod of namespace frontend: default deny for ingress and egress; traffic is allowed only by other policies',
      endpointSelector: {},
      ingress: [{}],
      egress: [{}],
    });
    const dns = byName(objs, 'frontend-allow-dns');
    expect(dns.metadata.namespace).toBe('frontend');
    expect(dns.spec.egress).toEqual([{ toEndpoints: [KUBE_DNS], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }]);
    expect(dns.spec.description).toBe('every pod of namespace frontend: may query DNS (k8s-app=kube-dns in kube-system on port 53, UDP and TCP)');
  });

  test('takes the chart namespace when none is given', () => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'shop' });
    const b = new NamespaceBaseline(chart, 'B');
    expect(b.namespace).toBe('shop');
    expect(Testing.synth(chart).map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['shop/shop-allow-dns', 'shop/shop-default-deny']);
  });
});

describe('NamespaceBaseline | DNS proxy', () => {
  test('dnsVisibility sends every query through the proxy, every name admitted', () => {
    const chart = new Chart(Testing.app(), 'test');
    new NamespaceBaseline(chart, 'B', { namespace: 'backend', dnsVisibility: true });
    const dns = byName(Testing.synth(chart), 'backend-allow-dns');
    expect(dns.spec.egress[0].toPorts).toEqual([{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }]);
    expect(dns.spec.description).toMatch(/through the DNS proxy, every name$/);
  });

  test('fqdnEgress adds the DNS-proxy rule that a hand-written FQDN policy needs', () => {
    // GIVEN an FQDN egress policy with no DNS rule of its own
    const app = Testing.app();
    const chart = new Chart(app, 'test');
    const api = new CiliumPolicy(chart, 'Api', { namespace: 'backend', selector: PodSelector.labels({ app: 'backend' }) });
    api.allowEgress({ peers: [Peer.fqdn('api.marktaguiad.dev')], ports: [Port.tcp(443)] });
    expect(() => app.synth()).toThrow(/egress to FQDN "api.marktaguiad.dev" never works/);
    // WHEN the namespace baseline declares the FQDN egress
    new NamespaceBaseline(chart, 'B', { namespace: 'backend', fqdnEgress: [DnsRule.name('api.marktaguiad.dev')] });
    // THEN synthesis passes, and every name stays resolvable through the proxy
    expect(() => app.synth()).not.toThrow();
    expect(byName(Testing.synth(chart), 'backend-allow-dns').spec.egress[0].toPorts[0].rules).toEqual({ dns: [{ matchPattern: '*' }] });
  });

  test('restrictDnsNames admits only the listed names', () => {
    const chart = new Chart(Testing.app(), 'test');
    new NamespaceBaseline(chart, 'B', {
      namespace: 'backend',
      fqdnEgress: [DnsRule.name('api.marktaguiad.dev'), DnsRule.pattern('*.*.svc.cluster.local')],
      restrictDnsNames: true,
    });
    const dns = byName(Testing.synth(chart), 'backend-allow-dns');
    expect(dns.spec.egress[0].toPorts[0].rules).toEqual({ dns: [{ matchName: 'api.marktaguiad.dev' }, { matchPattern: '*.*.svc.cluster.local' }] });
    expect(dns.spec.description).toMatch(/through the DNS proxy, only api.marktaguiad.dev, \*\.\*\.svc\.cluster\.local$/);
  });

  test('other DNS servers', () => {
    const chart = new Chart(Testing.app(), 'test');
    new NamespaceBaseline(chart, 'B', { namespace: 'x', dnsServers: [DnsServer.openShift()] });
    expect(byName(Testing.synth(chart), 'x-allow-dns').spec.egress).toEqual([{
      toEndpoints: [{ matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default', 'k8s:io.kubernetes.pod.namespace': 'openshift-dns' } }],
      toPorts: [{ ports: [{ port: '5353', protocol: 'ANY' }] }],
    }]);
  });
});

describe('NamespaceBaseline | switches', () => {
  test('keeping egress open and DNS off leaves ingress default deny only', () => {
    const chart = new Chart(Testing.app(), 'test');
    new NamespaceBaseline(chart, 'B', { namespace: 'x', denyEgress: false, allowDns: false });
    const objs = Testing.synth(chart);
    expect(objs).toHaveLength(1);
    expect(objs[0].spec.egress).toBeUndefined();
    expect(objs[0].spec.ingress).toEqual([{}]);
    expect(objs[0].spec.description).toMatch(/default deny for ingress;/);
  });

  test('keeping ingress open', () => {
    const chart = new Chart(Testing.app(), 'test');
    new NamespaceBaseline(chart, 'B', { namespace: 'x', denyIngress: false });
    const deny = byName(Testing.synth(chart), 'x-default-deny');
    expect(deny.spec.ingress).toBeUndefined();
    expect(deny.spec.egress).toEqual([{}]);
  });

  test('allowWithinNamespace keeps the namespace open to itself', () => {
    const chart = new Chart(Testing.app(), 'test');
    new NamespaceBaseline(chart, 'B', { namespace: 'x', allowWithinNamespace: true });
    const within = byName(Testing.synth(chart), 'x-allow-within-namespace');
    const ns = [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'x' } }];
    expect(within.spec.ingress).toEqual([{ fromEndpoints: ns }]);
    expect(within.spec.egress).toEqual([{ toEndpoints: ns }]);
  });

  test('grants open paths through the baseline, on both sides', () => {
    const chart = new Chart(Testing.app(), 'test');
    new NamespaceBaseline(chart, 'Frontend', { namespace: 'frontend' });
    new NamespaceBaseline(chart, 'Backend', { namespace: 'backend' });
    const web = new kplus.Deployment(chart, 'web', { metadata: { namespace: 'frontend' }, containers: [{ image: 'i', portNumber: 80 }] });
    const api = new kplus.Deployment(chart, 'api', { metadata: { namespace: 'backend' }, containers: [{ image: 'i', portNumber: 3000 }] });
    new AccessGrant(chart, 'G', { client: AccessClient.fromWorkload(web), target: AccessTarget.workload(api, [Port.tcp(3000)]) });
    const names = Testing.synth(chart).filter((o) => o.kind === 'CiliumNetworkPolicy').map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(names).toEqual([
      // sorted by namespace, then name
      'backend/api-from-web', 'backend/backend-allow-dns', 'backend/backend-default-deny',
      'frontend/frontend-allow-dns', 'frontend/frontend-default-deny', 'frontend/web-to-api',
    ]);
  });
});

describe('NamespaceBaseline | bad input', () => {
  test('no namespace', () => {
    expect(() => new NamespaceBaseline(new Chart(Testing.app(), 't'), 'B')).toThrow(/^\[t\/B\] namespace: no namespace given and the chart has none; set the namespace prop$/);
  });

  test('an invalid namespace name', () => {
    expect(() => new NamespaceBaseline(new Chart(Testing.app(), 't'), 'B', { namespace: 'Bad' }))
      .toThrow(/^\[t\/B\] namespace: namespace "Bad" is not a valid namespace name; a namespace is a DNS label/);
  });

  test('every switch off', () => {
    expect(() => new NamespaceBaseline(new Chart(Testing.app(), 't'), 'B', { namespace: 'x', denyIngress: false, denyEgress: false, allowDns: false }))
      .toThrow(/^\[t\/B\] denyIngress\/denyEgress\/allowDns: every switch is off, the baseline would render nothing/);
  });

  test('DNS options with DNS off', () => {
    expect(() => new NamespaceBaseline(new Chart(Testing.app(), 't'), 'B', { namespace: 'x', allowDns: false, dnsVisibility: true }))
      .toThrow(/^\[t\/B\] allowDns: DNS is turned off but fqdnEgress, dnsVisibility or restrictDnsNames asks for DNS rules/);
  });

  test('restrictDnsNames without names', () => {
    expect(() => new NamespaceBaseline(new Chart(Testing.app(), 't'), 'B', { namespace: 'x', restrictDnsNames: true }))
      .toThrow(/^\[t\/B\] restrictDnsNames: no name is listed in fqdnEgress, so every query would be refused/);
  });
});

describe('NamespaceBaseline | DNS with the verifier', () => {
  function verdicts(clientDns: boolean): string[] {
    const app = Testing.app();
    const chart = new Chart(app, 'test');
    new NamespaceBaseline(chart, 'B', {
      namespace: 'backend',
      fqdnEgress: [DnsRule.name('api.example.com'), DnsRule.pattern('*.*.svc.cluster.local')],
      restrictDnsNames: true,
    });
    new AccessGrant(chart, 'Api', {
      client: AccessClient.podsInNamespace(PodSelector.labels({ app: 'backend' }), 'backend'),
      target: AccessTarget.fqdn('api.example.com', [Port.tcp(443)]),
      clientDns,
    });
    const scenario = parseScenarioObject({
      endpoints: {
        backend: { namespace: 'backend', labels: { app: 'backend' } },
        'kube-dns': { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
      },
      dns: { 'api.example.com': ['203.0.113.10'] },
      flows: [
        { src: 'backend', dst: 'kube-dns', proto: 'UDP', port: 53, dns: 'api.example.com' },
        { src: 'backend', dst: 'kube-dns', proto: 'UDP', port: 53, dns: 'redis.database.svc.cluster.local' },
        { src: 'backend', dst: 'kube-dns', proto: 'UDP', port: 53, dns: 'evil.example.com' },
        { src: 'backend', dst: 'world:203.0.113.10', proto: 'TCP', port: 443 },
        { src: 'backend', dst: 'world:203.0.113.10', proto: 'TCP', port: 80 },
      ],
    });
    if (clientDns) {
      // the grant's DNS rule (every name) would merge with the baseline's and admit every name
      expect(() => app.synth()).toThrow(/\[test\/Api\] clientDns: the grant allows the client's DNS queries, which widens the DNS name restriction of test\/B \(namespace backend\) to every name; set clientDns: false on this grant/);
      return [];
    }
    expect(() => app.synth()).not.toThrow();
    return runScenario(scenario, Testing.synth(chart)).outcomes.map((o) => o.result.verdict);
  }

  test('restrictDnsNames refuses other names, and FQDN egress works through it', () => {
    expect(verdicts(false)).toEqual(['ALLOW', 'ALLOW', 'L7_DENY', 'ALLOW', 'DROP']);
  });

  test('a grant adding its own DNS rule would widen the restriction: synthesis refuses it', () => {
    expect(verdicts(true)).toEqual([]);
  });

  test('the refusal does not depend on declaration order, and names only grants of the restricted namespace', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'test');
    const grant = (id: string, ns: string) => new AccessGrant(chart, id, {
      client: AccessClient.podsInNamespace(PodSelector.labels({ app: 'backend' }), ns),
      target: AccessTarget.fqdn('api.example.com', [Port.tcp(443)]),
    });
    grant('Before', 'backend');
    grant('Elsewhere', 'frontend');
    new NamespaceBaseline(chart, 'B', { namespace: 'backend', fqdnEgress: [DnsRule.name('api.example.com')], restrictDnsNames: true });
    new NamespaceBaseline(chart, 'F', { namespace: 'frontend', fqdnEgress: [DnsRule.name('api.example.com')] });
    grant('After', 'backend');
    let message = '';
    try {
      app.synth();
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/\[test\/Before\] clientDns: .*test\/B \(namespace backend\)/);
    expect(message).toMatch(/\[test\/After\] clientDns: .*test\/B \(namespace backend\)/);
    expect(message).not.toMatch(/Elsewhere|test\/F/);
    expect(message.match(/\] clientDns:/g)).toHaveLength(2);
  });
});
