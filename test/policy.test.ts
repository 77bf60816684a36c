import { ApiObject, App, Chart, Testing } from 'cdk8s';
import {
  CiliumClusterwidePolicy, CiliumPolicy, CiliumPolicyBase, DnsRule, Entity, HttpHeader, HttpPath, HttpRule, IcmpFamily, IcmpType,
  LabelRequirement, Peer, PodSelector, Port, Protocol,
} from '../src';

function chart(namespace = 'default'): Chart {
  return new Chart(Testing.app(), 'test', { namespace });
}

const frontend = PodSelector.labels({ app: 'frontend' });
const backend = PodSelector.labels({ app: 'backend' });

describe('CiliumPolicy | rendering', () => {
  test('peer selectors name their namespace explicitly', () => {
    // GIVEN
    const c = chart();
    const p = new CiliumPolicy(c, 'Backend', { selector: backend });
    // WHEN
    p.allowIngress({ peers: [Peer.pods(frontend, 'default')], ports: [Port.tcp(80)] });
    // THEN
    const [obj] = Testing.synth(c);
    expect(obj.spec.ingress[0].fromEndpoints).toEqual([{ matchLabels: { 'app': 'frontend', 'k8s:io.kubernetes.pod.namespace': 'default' } }]);
    expect(obj.metadata).toEqual({ name: 'backend', namespace: 'default' });
    expect(Testing.synth(c)).toMatchSnapshot();
  });

  test('any-namespace and several-namespace peers use explicit namespace expressions', () => {
    const c = chart();
    const p = new CiliumPolicy(c, 'Db', { selector: backend });
    p.allowIngress({ peers: [Peer.podsInAnyNamespace(PodSelector.labels({ role: 'backend' }))], ports: [Port.tcp(5432)] });
    p.allowIngress({ peers: [Peer.podsInNamespaces(PodSelector.all(), ['b', 'a', 'b'])], ports: [Port.tcp(5432)] });
    const [obj] = Testing.synth(c);
    expect(obj.spec.ingress).toEqual([{
      fromEndpoints: [
        { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['a', 'b'] }] },
        { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }], matchLabels: { role: 'backend' } },
      ],
      toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }],
    }]);
  });

  test('namespace-label peers select across namespaces explicitly', () => {
    const c = chart();
    new CiliumPolicy(c, 'Db', { selector: backend }).allowIngress({ peers: [Peer.podsInNamespacesLabelled(PodSelector.all(), { team: 'a' })], ports: [Port.tcp(1)] });
    const [obj] = Testing.synth(c);
    expect(obj.spec.ingress[0].fromEndpoints[0]).toEqual({
      matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }],
      matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'a' },
    });
  });

  test('isolation renders [{}], never []', () => {
    const c = chart();
    new CiliumPolicy(c, 'DenyAll', { selector: PodSelector.all(), isolateIngress: true, isolateEgress: true });
    const [obj] = Testing.synth(c);
    expect(obj.spec.ingress).toEqual([{}]);
    expect(obj.spec.egress).toEqual([{}]);
    expect(obj.spec.endpointSelector).toEqual({});
  });

  test('a direction without rules or isolation is omitted', () => {
    const c = chart();
    new CiliumPolicy(c, 'P', { selector: backend }).allowEgress({ peers: [Peer.entities(Entity.KUBE_APISERVER)], ports: [Port.tcp(6443)] });
    const [obj] = Testing.synth(c);
    expect(obj.spec.ingress).toBeUndefined();
    expect(obj.spec.egress).toHaveLength(1);
  });

  test('rules of one L3 kind and the same ports are merged; ports are sorted and de-duplicated', () => {
    const c = chart();
    const p = new CiliumPolicy(c, 'P', { selector: backend });
    p.allowIngress({ peers: [Peer.pods(frontend, 'x')], ports: [Port.tcp(443), Port.tcp(80)] });
    p.allowIngress({ peers: [Peer.pods(PodSelector.labels({ app: 'a' }), 'x')], ports: [Port.tcp(80), Port.tcp(443)] });
    p.allowIngress({ peers: [Peer.pods(frontend, 'x')], ports: [Port.tcp(80)] });
    const [obj] = Testing.synth(c);
    expect(obj.spec.ingress).toHaveLength(1);
    expect(obj.spec.ingress[0].fromEndpoints).toHaveLength(2);
    expect(obj.spec.ingress[0].toPorts).toEqual([{ ports: [{ port: '80', protocol: 'TCP' }, { port: '443', protocol: 'TCP' }] }]);
  });

  test('peers of different L3 kinds are split into separate rules', () => {
    const c = chart();
    new CiliumPolicy(c, 'P', { selector: backend }).allowIngress({
      peers: [Peer.pods(frontend, 'x'), Peer.entities(Entity.INGRESS), Peer.cidr('10.10.0.0/16')],
      ports: [Port.tcp(80)],
    });
    const [obj] = Testing.synth(c);
    expect(obj.spec.ingress.map((r: any) => Object.keys(r).filter((k) => k !== 'toPorts'))).toEqual([['fromCIDRSet'], ['fromEndpoints'], ['fromEntities']]);
  });

  test('more than 40 ports are split into several port lists', () => {
    const c = chart();
    const ports = Array.from({ length: 45 }, (_, i) => Port.tcp(1000 + i));
    new CiliumPolicy(c, 'P', { selector: backend }).allowIngress({ peers: [Peer.entities(Entity.CLUSTER)], ports });
    const [obj] = Testing.synth(c);
    expect(obj.spec.ingress[0].toPorts.map((t: any) => t.ports.length)).toEqual([40, 5]);
  });

  test('L7 HTTP rules, ranges, DNS and ICMP render in the CRD shape', () => {
    const c = chart();
    const p = new CiliumPolicy(c, 'P', { selector: backend });
    p.allowIngress({
      peers: [Peer.entities(Entity.INGRESS)],
      ports: [Port.tcp(3000)],
      http: [HttpRule.post('/api/login'), HttpRule.get(HttpPath.prefix('/api')), HttpRule.of({ method: 'GET', path: '/x', headers: [HttpHeader.withValue('X-Key', 'v')] })],
    });
    p.allowIngress({ peers: [Peer.cidr('10.0.0.0/8', ['10.1.0.0/16'])], ports: [Port.tcpRange(8000, 8080)] });
    p.allowIngress({ peers: [Peer.entities(Entity.CLUSTER)], icmps: [IcmpType.echoRequest(), IcmpType.named(IcmpFamily.IPV6, 'EchoRequest')] });
    p.allowEgress({ peers: [Peer.pods(PodSelector.labels({ 'k8s-app': 'kube-dns' }), 'kube-system')], ports: [Port.anyProtocol(53)], dns: [DnsRule.pattern('*.example.com'), DnsRule.name('api.example.com')] });
    p.allowEgress({ peers: [Peer.fqdn('api.example.com')], ports: [Port.tcp(443)] });
    p.allowEgress({ peers: [Peer.service('db', 'data')], ports: [Port.tcp(5432)] });
    p.denyEgress({ peers: [Peer.cidr('169.254.169.254/32')] });
    expect(Testing.synth(c)).toMatchSnapshot();
    const [obj] = Testing.synth(c);
    expect(obj.spec.egress.find((r: any) => r.toFQDNs)).toEqual({ toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] });
    expect(obj.spec.ingress.find((r: any) => r.icmps).icmps).toEqual([{ fields: [{ family: 'IPv4', type: 8 }, { family: 'IPv6', type: 'EchoRequest' }] }]);
    expect(obj.spec.egressDeny).toEqual([{ toCIDRSet: [{ cidr: '169.254.169.254/32' }] }]);
    expect(obj.spec.ingress.find((r: any) => r.fromCIDRSet).toPorts[0].ports[0]).toEqual({ endPort: 8080, port: '8000', protocol: 'TCP' });
  });

  test('rules added after construction are rendered (lazy spec)', () => {
    const c = chart();
    const p = new CiliumPolicy(c, 'P', { selector: backend, isolateEgress: true });
    const before = JSON.stringify(Testing.synth(c));
    p.allowEgress({ peers: [Peer.entities(Entity.WORLD)], ports: [Port.tcp(443)] });
    expect(JSON.stringify(Testing.synth(c))).not.toEqual(before);
    expect(Testing.synth(c)[0].spec.egress[0].toEntities).toEqual(['world']);
  });

  test('the same rules in any order synthesize the same bytes', () => {
    const build = (order: number[]) => {
      const app = Testing.app();
      const c = new Chart(app, 'test', { namespace: 'default' });
      const p = new CiliumPolicy(c, 'P', { selector: backend });
      const rules = [
        () => p.allowIngress({ peers: [Peer.pods(frontend, 'a')], ports: [Port.tcp(80)] }),
        () => p.allowIngress({ peers: [Peer.entities(Entity.INGRESS, Entity.CLUSTER)], ports: [Port.udp(53), Port.tcp(80)] }),
        () => p.allowEgress({ peers: [Peer.cidr('10.0.0.0/8'), Peer.cidr('192.168.0.0/16')], ports: [Port.tcp(443)] }),
        () => p.allowIngress({ peers: [Peer.pods(PodSelector.labels({ b: '1', a: '2' }), 'b')], ports: [Port.tcp(81)] }),
      ];
      order.forEach((i) => rules[i]());
      return app.synthYaml();
    };
    expect(build([0, 1, 2, 3])).toEqual(build([3, 2, 1, 0]));
    expect(build([0, 1, 2, 3])).toEqual(build([2, 0, 3, 1]));
  });

  test('descriptions say what the policy allows', () => {
    const c = chart();
    new CiliumPolicy(c, 'P', { selector: backend }).allowIngress({ peers: [Peer.pods(frontend, 'default')], ports: [Port.tcp(80)] });
    expect(Testing.synth(c)[0].spec.description).toEqual('pods app=backend in namespace default: allow ingress from app=frontend in namespace default on TCP/80');
  });

  test('default names are readable and at most 63 characters', () => {
    const c = chart();
    const long = new CiliumPolicy(c, 'AVeryLongConstructIdThatKeepsGoingAndGoingAndGoingForeverAndEver', { selector: backend, isolateIngress: true });
    const short = new CiliumPolicy(c, 'DatabaseIngress', { selector: backend, isolateIngress: true });
    expect(short.name).toEqual('database-ingress');
    expect(long.name.length).toBeLessThanOrEqual(63);
    expect(long.name).toMatch(/^a-very-long-construct-id-.*-[0-9a-f]{8}$/);
  });

  test('enableDefaultDeny is rendered when set', () => {
    const c = chart();
    new CiliumPolicy(c, 'P', { selector: backend, ingressDefaultDeny: false }).allowIngress({ peers: [Peer.anyPeer()], ports: [Port.tcp(80)] });
    const [obj] = Testing.synth(c);
    expect(obj.spec.enableDefaultDeny).toEqual({ ingress: false });
    expect(obj.spec.ingress).toEqual([{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }]);
  });
});

describe('CiliumClusterwidePolicy |', () => {
  test('has no namespace even in a namespaced chart, and scopes its subject', () => {
    const c = chart('apps');
    new CiliumClusterwidePolicy(c, 'Dns', { selector: PodSelector.all(), namespaces: ['b', 'a'] })
      .allowEgress({ peers: [Peer.pods(PodSelector.labels({ 'k8s-app': 'kube-dns' }), 'kube-system')], ports: [Port.anyProtocol(53)] });
    const [obj] = Testing.synth(c);
    expect(obj.kind).toEqual('CiliumClusterwideNetworkPolicy');
    expect(obj.metadata.namespace).toBeUndefined();
    expect(obj.spec.endpointSelector).toEqual({ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['a', 'b'] }] });
  });

  test('an all-endpoints policy with ingress rules is refused unless health endpoints are accepted', () => {
    const app = Testing.app();
    const c = new Chart(app, 'test');
    new CiliumClusterwidePolicy(c, 'All', { selector: PodSelector.all(), isolateIngress: true });
    expect(() => app.synth()).toThrow(/selects the cilium-health endpoints/);
    const app2 = Testing.app();
    const c2 = new Chart(app2, 'test');
    new CiliumClusterwidePolicy(c2, 'All', { selector: PodSelector.all(), isolateIngress: true, allowSelectingHealthEndpoints: true });
    expect(() => app2.synth()).not.toThrow();
  });
});

describe('CiliumPolicy | validation', () => {
  const peer = Peer.pods(frontend, 'default');
  test.each<[string, (p: CiliumPolicy) => void, RegExp]>([
    ['port out of range', (p) => p.allowIngress({ peers: [peer], ports: [Port.tcp(70000)] }), /\[test\/P\] ingress rule 0 port: port 70000 is outside 1\.\.65535; use a port between 1 and 65535/],
    ['negative port', (p) => p.allowIngress({ peers: [peer], ports: [Port.tcp(-1)] }), /port -1 is outside/],
    ['inverted range', (p) => p.allowIngress({ peers: [peer], ports: [Port.tcpRange(90, 80)] }), /end port 80 is not above start port 90/],
    ['range end out of range', (p) => p.allowIngress({ peers: [peer], ports: [Port.tcpRange(90, 70000)] }), /end port 70000 is outside/],
    ['bad named port', (p) => p.allowIngress({ peers: [peer], ports: [Port.named('Not_A_Name')] }), /named port "Not_A_Name" is not an IANA service name/],
    ['HTTP on UDP', (p) => p.allowIngress({ peers: [peer], ports: [Port.udp(80)], http: [HttpRule.get('/')] }), /HTTP rules on UDP\/80: L7 rules apply to TCP only/],
    ['HTTP on ANY', (p) => p.allowIngress({ peers: [peer], ports: [Port.anyProtocol(80)], http: [HttpRule.get('/')] }), /protocol ANY is rejected too/],
    ['HTTP on port 0', (p) => p.allowIngress({ peers: [peer], ports: [Port.allPorts(Protocol.TCP)], http: [HttpRule.get('/')] }), /HTTP rules on TCP\/all \(every port\)/],
    ['HTTP without ports', (p) => p.allowIngress({ peers: [peer], http: [HttpRule.get('/')] }), /HTTP rules without ports/],
    ['DNS on ingress', (p) => p.allowIngress({ peers: [peer], ports: [Port.anyProtocol(53)], dns: [DnsRule.anyName()] }), /DNS rules on ingress/],
    ['DNS without ports', (p) => p.allowEgress({ peers: [peer], dns: [DnsRule.anyName()] }), /DNS rules without ports/],
    ['DNS on a range', (p) => p.allowEgress({ peers: [peer], ports: [Port.range(Protocol.ANY, 53, 54)], dns: [DnsRule.anyName()] }), /DNS rules on the port range ANY\/53-54/],
    ['bad DNS name', (p) => p.allowEgress({ peers: [peer], ports: [Port.anyProtocol(53)], dns: [DnsRule.name('bad name')] }), /DNS name "bad name" is not accepted/],
    ['HTTP and DNS together', (p) => p.allowEgress({ peers: [peer], ports: [Port.tcp(53)], dns: [DnsRule.anyName()], http: [HttpRule.get('/')] }), /both HTTP and DNS rules/],
    ['invalid regex', (p) => p.allowIngress({ peers: [peer], ports: [Port.tcp(80)], http: [HttpRule.get('*')] }), /"\*" is not a valid regular expression/],
    ['lookahead regex', (p) => p.allowIngress({ peers: [peer], ports: [Port.tcp(80)], http: [HttpRule.get('/(?!admin).*')] }), /lookaround assertions, which RE2 does not support/],
    ['backreference regex', (p) => p.allowIngress({ peers: [peer], ports: [Port.tcp(80)], http: [HttpRule.get('/(a)\\1')] }), /backreferences/],
    ['path without slash', (p) => p.allowIngress({ peers: [peer], ports: [Port.tcp(80)], http: [HttpRule.get('api')] }), /does not start with "\/"/],
    ['bad header name', (p) => p.allowIngress({ peers: [peer], ports: [Port.tcp(80)], http: [HttpRule.of({ headers: [HttpHeader.present('bad header')] })] }), /"bad header" is not an HTTP header name/],
    ['no peers', (p) => p.allowIngress({ peers: [], ports: [Port.tcp(80)] }), /no peer given; name the peers, or use Peer.anyPeer\(\)/],
    ['empty selector', (p) => p.allowIngress({ peers: [Peer.pods(PodSelector.labels({}), 'default')] }), /the pod selector is empty, which would select every pod; .*PodSelector.all\(\)/],
    ['invalid label key', (p) => p.allowIngress({ peers: [Peer.pods(PodSelector.labels({ 'bad key': 'x' }), 'default')] }), /label key "bad key" is not a valid Kubernetes label key/],
    ['invalid label value', (p) => p.allowIngress({ peers: [Peer.pods(PodSelector.labels({ app: 'bad value!' }), 'default')] }), /label value "bad value!" of key "app"/],
    ['filtered label key', (p) => p.allowIngress({ peers: [Peer.pods(PodSelector.labels({ 'pod-template-hash': 'abc' }), 'default')] }), /dropped by Cilium from security identities/],
    ['In without values', (p) => p.allowIngress({ peers: [Peer.pods(PodSelector.labels({ a: 'b' }, [LabelRequirement.in('x', [])]), 'default')] }), /In requirement on "x" has no values/],
    ['bad namespace', (p) => p.allowIngress({ peers: [Peer.pods(frontend, 'Bad_NS')] }), /namespace "Bad_NS" is not a valid namespace name/],
    ['CIDR without prefix', (p) => p.allowIngress({ peers: [Peer.cidr('10.0.0.1')] }), /"10.0.0.1" is not a CIDR prefix; write it with a prefix length, e.g. "10.0.0.1\/32"/],
    ['except outside CIDR', (p) => p.allowIngress({ peers: [Peer.cidr('10.0.0.0/16', ['10.1.0.0/24'])] }), /"10.1.0.0\/24" is not inside "10.0.0.0\/16"/],
    ['FQDN on ingress', (p) => p.allowIngress({ peers: [Peer.fqdn('a.example.com')] }), /can only be an egress destination/],
    ['bad FQDN', (p) => p.allowEgress({ peers: [Peer.fqdn('a b')] }), /"a b" is not a DNS name Cilium accepts/],
    ['bad FQDN pattern', (p) => p.allowEgress({ peers: [Peer.fqdnPattern('*.exa$mple.com')] }), /is not a DNS pattern Cilium accepts/],
    ['FQDN deny', (p) => p.denyEgress({ peers: [Peer.fqdn('a.example.com')] }), /cannot be denied: toFQDNs is not in the deny schema/],
    ['service without namespace', (p) => p.allowEgress({ peers: [Peer.service('db', '')] }), /namespace "" is not a valid namespace name/],
    ['ports and ICMP together', (p) => p.allowIngress({ peers: [peer], ports: [Port.tcp(1)], icmps: [IcmpType.echoRequest()] }), /both ports and ICMP types/],
    ['bad ICMP type', (p) => p.allowIngress({ peers: [peer], icmps: [IcmpType.of(IcmpFamily.IPV4, 300)] }), /ICMP type 300 is outside 0\.\.255/],
    ['L4 allow shadowing L7 for the same peer', (p) => {
      p.allowIngress({ peers: [peer], ports: [Port.tcp(80)], http: [HttpRule.get('/')] });
      p.allowIngress({ peers: [peer], ports: [Port.tcp(80)] });
    }, /an L4-only allow for app=frontend in namespace default on TCP\/80 would shadow the L7 rules/],
    ['L4 allow from any peer shadowing L7', (p) => {
      p.allowIngress({ peers: [peer], ports: [Port.tcp(80)], http: [HttpRule.get('/')] });
      p.allowIngress({ peers: [Peer.anyPeer()], ports: [Port.tcpRange(1, 1000)] });
    }, /an L4-only allow for any peer on TCP\/80 would shadow/],
    ['L3-only allow shadowing L7', (p) => {
      p.allowIngress({ peers: [Peer.entities(Entity.CLUSTER)] });
      p.allowIngress({ peers: [peer], ports: [Port.tcp(80)], http: [HttpRule.get('/')] });
    }, /entities cluster on TCP\/80 would shadow/],
  ])('%s is refused with the path, value and fix', (_name, act, message) => {
    const c = chart();
    const p = new CiliumPolicy(c, 'P', { selector: backend });
    expect(() => act(p)).toThrow(message);
  });

  test('world-ipv4 entities are refused', () => {
    expect(() => Entity.of('world-ipv4')).toThrow(/not in the CiliumNetworkPolicy CRD's entity enum/);
    expect(() => Entity.of('bogus')).toThrow(/unknown Cilium entity "bogus"; accepted: all, world/);
    expect(Entity.of('kube-apiserver')).toBe(Entity.KUBE_APISERVER);
  });

  test('an empty subject selector is refused', () => {
    expect(() => new CiliumPolicy(chart(), 'P', { selector: PodSelector.labels({}) })).toThrow(/\[test\/P\] selector: the pod selector is empty/);
  });

  test('a policy without a namespace is refused', () => {
    const c = new Chart(Testing.app(), 'test');
    expect(() => new CiliumPolicy(c, 'P', { selector: backend })).toThrow(/\[test\/P\] namespace: no namespace given and the chart has none; set the namespace prop/);
  });

  test('an invalid name is refused', () => {
    expect(() => new CiliumPolicy(chart(), 'P', { selector: backend, name: 'Bad_Name' })).toThrow(/name: "Bad_Name" is not a valid object name/);
  });

  test('a policy without rules fails at synth', () => {
    const app = Testing.app();
    new CiliumPolicy(new Chart(app, 'test', { namespace: 'x' }), 'P', { selector: backend });
    expect(() => app.synth()).toThrow(/the policy has no rules; the agent rejects such a policy/);
  });

  test('FQDN egress without a DNS-proxy rule fails at synth', () => {
    const app = new App({ outdir: Testing.app().outdir });
    const c = new Chart(app, 'test', { namespace: 'x' });
    new CiliumPolicy(c, 'P', { selector: backend }).allowEgress({ peers: [Peer.fqdn('api.example.com')], ports: [Port.tcp(443)] });
    expect(() => app.synth()).toThrow(/egress to FQDN "api.example.com" never works/);
  });

  test('FQDN egress with a DNS rule for the same pods in another policy passes', () => {
    const app = Testing.app();
    const c = new Chart(app, 'test', { namespace: 'x' });
    new CiliumPolicy(c, 'P', { selector: backend }).allowEgress({ peers: [Peer.fqdn('api.example.com')], ports: [Port.tcp(443)] });
    new CiliumPolicy(c, 'Dns', { selector: PodSelector.all() }).allowEgress({
      peers: [Peer.pods(PodSelector.labels({ 'k8s-app': 'kube-dns' }), 'kube-system')],
      ports: [Port.anyProtocol(53)],
      dns: [DnsRule.pattern('*.example.com')],
    });
    expect(() => app.synth()).not.toThrow();
  });

  test('FQDN egress with the DNS proxy managed elsewhere passes', () => {
    const app = Testing.app();
    const c = new Chart(app, 'test', { namespace: 'x' });
    new CiliumPolicy(c, 'P', { selector: backend, dnsProxyManagedElsewhere: true }).allowEgress({ peers: [Peer.fqdn('api.example.com')], ports: [Port.tcp(443)] });
    expect(() => app.synth()).not.toThrow();
  });
});

describe('HttpPath |', () => {
  test('exact escapes regex characters, prefix matches the path and below only', () => {
    expect(HttpPath.exact('/api/v1.0')).toEqual('/api/v1\\.0');
    const prefix = new RegExp(`^(?:${HttpPath.prefix('/api')})$`);
    expect(['/api', '/api/', '/api/users'].every((p) => prefix.test(p))).toBe(true);
    expect(prefix.test('/apix')).toBe(false);
    expect(new RegExp(`^(?:${HttpPath.exactWithQuery('/a')})$`).test('/a?x=1')).toBe(true);
  });
});

describe('CiliumPolicy | instanceof', () => {
  test('instanceof tells policies apart from other API objects and from each other', () => {
    const chart = Testing.chart();
    const ns = new CiliumPolicy(chart, 'Ns', { namespace: 'shop', selector: PodSelector.labels({ app: 'a' }), isolateIngress: true });
    const cw = new CiliumClusterwidePolicy(chart, 'Cw', { selector: PodSelector.labels({ app: 'a' }), isolateIngress: true });
    const other = new ApiObject(chart, 'Cm', { apiVersion: 'v1', kind: 'ConfigMap' });
    expect(ns instanceof CiliumPolicy).toBe(true);
    expect(ns instanceof CiliumPolicyBase).toBe(true);
    expect(ns instanceof CiliumClusterwidePolicy).toBe(false);
    expect(cw instanceof CiliumClusterwidePolicy).toBe(true);
    expect(cw instanceof CiliumPolicy).toBe(false);
    expect(other instanceof CiliumPolicy).toBe(false);
    expect(other instanceof CiliumPolicyBase).toBe(false);
    // cdk8s's own check still holds for policies
    expect(ns instanceof ApiObject).toBe(true);
    expect(ApiObject.isApiObject(cw)).toBe(true);
    expect((null as unknown) instanceof CiliumPolicy).toBe(false);
  });
});

describe('PodSelector | rendering with the namespace label', () => {
  test('the namespace label joins the selector\'s labels in sorted order, and replaces one of the same key', () => {
    const keysOf = (p: Peer) => {
      const c = chart();
      new CiliumPolicy(c, 'P', { selector: backend }).allowIngress({ peers: [p], ports: [Port.tcp(80)] });
      return Testing.synth(c)[0].spec.ingress[0].fromEndpoints[0].matchLabels;
    };
    const labels = keysOf(Peer.pods(PodSelector.labels({ zone: 'z', app: 'web', 'app.kubernetes.io/name': 'w' }), 'shop'));
    expect(Object.entries(labels)).toEqual([
      ['app', 'web'], ['app.kubernetes.io/name', 'w'], ['k8s:io.kubernetes.pod.namespace', 'shop'], ['zone', 'z'],
    ]);
    const replaced = keysOf(Peer.pods(PodSelector.labels({ 'app': 'web', 'k8s:io.kubernetes.pod.namespace': 'other' }), 'shop'));
    expect(replaced).toEqual({ 'app': 'web', 'k8s:io.kubernetes.pod.namespace': 'shop' });
  });
});
