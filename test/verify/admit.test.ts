import { admitPolicy } from '../../src/verify/intake/admit';

const cnp = (spec: any, extra: any = {}) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'default' }, spec, ...extra });

describe('admission | API server (CRD schema, pruning)', () => {
  test('a valid policy is stored unchanged', () => {
    const m = cnp({ endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'a' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] });
    const r = admitPolicy(m, '1.19');
    expect(r).toEqual({ object: m, schemaErrors: [], pruned: [], agentErrors: [] });
  });

  test('unknown fields are pruned (a labelSelector key widens the peer to {})', () => {
    const r = admitPolicy(cnp({ endpointSelector: {}, ingress: [{ fromEndpoints: [{ labelSelector: { matchLabels: { app: 'a' } } }] }] }), '1.19');
    expect(r.pruned).toEqual(['spec.ingress[0].fromEndpoints[0].labelSelector']);
    expect(r.object.spec.ingress[0].fromEndpoints).toEqual([{}]);
  });

  test('a misspelled peer field is pruned, leaving a deny-all item', () => {
    const r = admitPolicy(cnp({ endpointSelector: {}, ingress: [{ fromEndpoint: [{}] }] }), '1.19');
    expect(r.pruned).toEqual(['spec.ingress[0].fromEndpoint']);
    expect(r.object.spec.ingress).toEqual([{}]);
  });

  test.each([
    ['an integer port', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: 80 }] }] }] }, /port: must be of type string/],
    ['a lower-case protocol', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'tcp' }] }] }] }, /"tcp" is not one of/],
    ['a bare IP in toCIDR', { endpointSelector: {}, egress: [{ toCIDR: ['10.0.0.1'] }] }, /is not a CIDR/],
    ['world-ipv4', { endpointSelector: {}, egress: [{ toEntities: ['world-ipv4'] }] }, /"world-ipv4" is not one of/],
    ['more than 40 ports', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: Array.from({ length: 41 }, (_, i) => ({ port: String(i + 1) })) }] }] }, /at most 40 items/],
    ['no selector', { ingress: [{}] }, /exactly one of endpointSelector, nodeSelector/],
    ['no section (v1.18+ anyOf)', { endpointSelector: {} }, /at least one of ingress, ingressDeny, egress, egressDeny/],
  ])('the API server rejects %s', (_n, spec, msg) => {
    const r = admitPolicy(cnp(spec), '1.19');
    expect(r.object).toBeUndefined();
    expect(r.schemaErrors.join('\n')).toMatch(msg);
  });

  test('an object without sections is accepted by the v1.17 schema', () => {
    const r = admitPolicy(cnp({ endpointSelector: {} }), '1.17');
    expect(r.schemaErrors).toEqual([]);
    expect(r.agentErrors).toEqual([]);
  });

  test('per-version schemas: log is pruned before 1.18, cidrGroupSelector before 1.17', () => {
    const withLog = cnp({ endpointSelector: {}, ingress: [{}], log: { value: 'audit' } });
    expect(admitPolicy(withLog, '1.18').pruned).toEqual([]);
    expect(admitPolicy(withLog, '1.17').pruned).toEqual(['spec.log']);
    const group = cnp({ endpointSelector: {}, egress: [{ toCIDRSet: [{ cidrGroupSelector: { matchLabels: { team: 'a' } } }] }] });
    expect(admitPolicy(group, '1.17')).toMatchObject({ schemaErrors: [], pruned: [] });
    const r16 = admitPolicy(group, '1.16');
    expect(r16.pruned).toEqual(['spec.egress[0].toCIDRSet[0].cidrGroupSelector']);
    // what is left matches no branch of the oneOf: the API server rejects the object
    expect(r16.schemaErrors.join()).toMatch(/toCIDRSet\[0\]: must have exactly one of cidr, cidrGroupRef \(has 0\)/);
  });

  test('kinds and apiVersions that do not exist are not created', () => {
    expect(admitPolicy({ ...cnp({ endpointSelector: {}, ingress: [{}] }), apiVersion: 'cilium.io/v1alpha1' }, '1.19').schemaErrors[0]).toMatch(/the Cilium policy API is cilium.io\/v2/);
    expect(admitPolicy({ apiVersion: 'cilium.io/v2', kind: 'CiliumConfig', metadata: { name: 'x' } }, '1.19').schemaErrors[0]).toMatch(/no kind "CiliumConfig"/);
  });
});

describe('admission | agent (Sanitize)', () => {
  test.each<[string, any, RegExp, string]>([
    ['ingress: [] alone (v1.18+)', { endpointSelector: {}, ingress: [] }, /at least one of Ingress, IngressDeny, Egress, EgressDeny/, 'proxy'],
    ['two L3 kinds in one rule', { endpointSelector: {}, ingress: [{ fromEndpoints: [{}], fromCIDR: ['10.0.0.0/8'] }] }, /combining fromEndpoints and fromCIDR/, 'proxy'],
    ['HTTP on ANY', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80' }], rules: { http: [{}] } }] }] }, /L7 rules can only apply to TCP/, 'proxy'],
    ['L7 on port 0', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '0', protocol: 'TCP' }], rules: { http: [{}] } }] }] }, /port is 0/, 'proxy'],
    ['DNS on ingress', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*' }] } }] }] }, /DNS rules are not allowed on ingress/, 'proxy'],
    ['DNS without ports', { endpointSelector: {}, egress: [{ toPorts: [{ rules: { dns: [{ matchPattern: '*' }] } }] }] }, /port 53 must be specified/, 'proxy'],
    ['DNS with a range', { endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: '53', endPort: 54 }], rules: { dns: [{ matchPattern: '*' }] } }] }] }, /do not support port ranges/, 'proxy'],
    ['an out-of-range port', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '99999' }] }] }] }, /unable to parse port "99999"/, 'proxy'],
    ['except outside the CIDR', { endpointSelector: {}, egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] }] }] }, /does not contain exclude CIDR prefix/, 'proxy'],
    ['an invalid HTTP regex', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ path: '*' }] } }] }] }, /invalid regular expression/, 'proxy'],
    ['ports with ICMPs', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80' }] }], icmps: [{ fields: [{ type: 8 }] }] }] }, /ICMPs block may only be present without ToPorts/, 'proxy'],
    ['a nodeSelector in a CNP', { nodeSelector: {}, ingress: [{}] }, /cannot have NodeSelector/, 'proxy'],
    ['L7 without the L7 proxy', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{}] } }] }] }, /L7 proxy is not enabled/, 'noproxy'],
  ])('the agent rejects %s', (_n, spec, msg, flag) => {
    const r = admitPolicy(cnp(spec), '1.19', { enableL7Proxy: flag !== 'noproxy' });
    expect(r.schemaErrors).toEqual([]);
    expect(r.agentErrors.join('\n')).toMatch(msg);
  });

  test.each<[string, string, any, RegExp]>([
    ['CiliumNetworkPolicy', 'serverNames with HTTP rules but no terminatingTLS', { endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], serverNames: ['a.example'], rules: { http: [{}] } }] }] }, /ServerNames are not allowed with L7 rules without TLS termination/],
    ['CiliumNetworkPolicy', 'a listener on ingress', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], listener: { envoyConfig: { name: 'e' }, name: 'l' } }] }] }, /listener is not allowed on ingress/],
    ['CiliumNetworkPolicy', 'a listener with L7 rules', { endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], listener: { envoyConfig: { name: 'e' }, name: 'l' }, rules: { http: [{}] } }] }] }, /listener is not allowed with L7 rules/],
    ['CiliumNetworkPolicy', 'fromNodes (needs enable-node-selector-labels)', { endpointSelector: {}, ingress: [{ fromNodes: [{ matchLabels: { a: 'b' } }] }] }, /enable-node-selector-labels/],
    ['CiliumNetworkPolicy', 'a missing port (optional in the v1.19 CRD)', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ protocol: 'TCP' }] }] }] }, /port must be specified/],
    ['CiliumNetworkPolicy', 'In with no values', { endpointSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] }, ingress: [{}] }, /values must be non-empty/],
    ['CiliumClusterwideNetworkPolicy', 'a host policy with HTTP on ingress', { nodeSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{}] } }] }] }, /host policies support L7 DNS rules on egress only/],
  ])('the agent rejects (%s) %s', (kind, _n, spec, msg) => {
    const r = admitPolicy({ ...cnp(spec), kind, metadata: kind === 'CiliumNetworkPolicy' ? { name: 'p', namespace: 'default' } : { name: 'p' } }, '1.19');
    expect(r.schemaErrors).toEqual([]);
    expect(r.agentErrors.join('\n')).toMatch(msg);
  });

  test.each<[string, string, any, RegExp]>([
    ['CiliumNetworkPolicy', 'a headerMatch without a name', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ headerMatches: [{ value: 'x' }] }] } }] }] }, /headerMatches\[0\]\.name: required field missing/],
    ['CiliumNetworkPolicy', 'l7 without l7proto', { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { l7: [{ k: 'v' }] } }] }] }, /must have exactly one of http, kafka, dns, l7proto \(has 0\)/],
    ['CiliumNetworkPolicy', 'two L7 types in one item', { endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{}], kafka: [{ topic: 't' }] } }] }] }, /must have exactly one of http, kafka, dns, l7proto \(has 2\)/],
    ['CiliumNetworkPolicy', 'a matchName and a matchPattern in one toFQDNs item', { endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: 'a.example', matchPattern: '*.example' }] }] }, /toFQDNs\[0\]: must have exactly one of matchName, matchPattern/],
  ])('the CRD already rejects (%s) %s', (_kind, _n, spec, msg) => {
    const r = admitPolicy(cnp(spec), '1.19');
    expect(r.object).toBeUndefined();
    expect(r.schemaErrors.join('\n')).toMatch(msg);
  });

  test('toServices with toPorts is rejected at 1.16 and accepted from 1.17', () => {
    const spec = { endpointSelector: {}, egress: [{ toServices: [{ k8sService: { serviceName: 'db', namespace: 'x' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }] };
    expect(admitPolicy(cnp(spec), '1.16').agentErrors.join()).toMatch(/Combining ToServices and ToPorts/);
    expect(admitPolicy(cnp(spec), '1.17').agentErrors).toEqual([]);
  });

  test('deny sections are validated from 1.18 only', () => {
    const spec = { endpointSelector: {}, ingressDeny: [{ fromEndpoints: [{}], fromEntities: ['world'] }] };
    expect(admitPolicy(cnp(spec), '1.17').agentErrors).toEqual([]);
    expect(admitPolicy(cnp(spec), '1.18').agentErrors.join()).toMatch(/combining/);
  });

  test('a CIDR with leading zeros passes the API server and is rejected by the agent', () => {
    const r = admitPolicy(cnp({ endpointSelector: {}, egress: [{ toCIDR: ['010.0.0.0/8'] }] }), '1.19');
    expect(r.schemaErrors).toEqual([]);
    expect(r.agentErrors.join()).toMatch(/unable to parse CIDR "010.0.0.0\/8"/);
  });

  test('octal ports parse like Go (010 is 8), named ports are accepted', () => {
    const spec = { endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '010' }, { port: 'http-alt' }] }] }] };
    expect(admitPolicy(cnp(spec), '1.19').agentErrors).toEqual([]);
  });
});

describe('admission | fields named like schema keywords', () => {
  test('spec.description is a field of the schema and is kept', () => {
    const r = admitPolicy(cnp({ description: 'what this allows', endpointSelector: {}, ingress: [{}] }), '1.19');
    expect(r.pruned).toEqual([]);
    expect(r.object.spec.description).toEqual('what this allows');
  });
});
