/**
 * Library API (src/verify/index.ts), the jsii facade (src/verify/verifier.ts) and the
 * building blocks (labels, CIDR, RE2 translation, DNS patterns).
 */
import { connectivityMatrix, createEngine, parseManifests, parseScenario, PolicyEngine } from '../../src/verify';
import { dnsSelectorMatches, matchPatternRegex } from '../../src/cilium/dns';
import { compileRe2, re2FullMatch } from '../../src/verify/l7/re2';
import { compileSelector, isIdentityLabel, parseSelectorKey, selectorMatches } from '../../src/verify/identity/labels';
import { cidrContains, parseCidr, parseIp } from '../../src/cilium/net';
import { FlowProtocol, Verdict, Verifier } from '../../src/verify/verifier';
import { cnp } from './helpers';

const POLICY_YAML = `
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: db-ingress, namespace: app}
spec:
  endpointSelector: {matchLabels: {role: db}}
  ingress:
  - fromEndpoints: [{matchLabels: {role: api}}]
    toPorts: [{ports: [{port: "5432", protocol: TCP}]}]
---
apiVersion: v1
kind: Service
metadata: {name: ignored-by-policy, namespace: app}
spec: {selector: {role: db}}
`;

describe('library API', () => {
  test('parseManifests + createEngine + explain give verdict, deciding policy and rule', () => {
    const scenario = parseScenario(
      `endpoints:
  api: {namespace: app, labels: {role: api}}
  db: {namespace: app, labels: {role: db}}
  web: {namespace: app, labels: {role: web}}
`,
      'inline',
    );
    const engine = createEngine(scenario, parseManifests(POLICY_YAML, 'policies.yaml'));
    const ok = engine.explain({ src: 'api', dst: 'db', proto: 'TCP', port: 5432 });
    expect(ok.verdict).toBe('ALLOW');
    expect(ok.policy).toEqual({ kind: 'CiliumNetworkPolicy', namespace: 'app', name: 'db-ingress' });
    expect(ok.rule).toBe('spec.ingress[0]');
    expect(ok.decidedBy).toBe('ingress');
    const no = engine.explain({ src: 'web', dst: 'db', proto: 'TCP', port: 5432 });
    expect(no.verdict).toBe('DROP');
    expect(no.reason).toContain('db is in ingress default deny (CiliumNetworkPolicy app/db-ingress)');
    expect(engine.policiesSelecting('db')).toEqual([{ kind: 'CiliumNetworkPolicy', namespace: 'app', name: 'db-ingress' }]);
    expect(engine.policiesSelecting('web')).toEqual([]);
  });

  test('explain throws for an unknown endpoint', () => {
    const engine = new PolicyEngine([]);
    expect(() => engine.explain({ src: 'nobody', dst: 'host', proto: 'TCP', port: 1 })).toThrow(/unknown endpoint or peer "nobody"/);
  });

  test('connectivity matrix groups endpoints with identical identities and evaluates one per group', () => {
    const endpoints: any = {};
    for (let i = 0; i < 30; i++) endpoints[`api-${i}`] = { namespace: 'app', labels: { role: 'api' } };
    for (let i = 0; i < 20; i++) endpoints[`web-${i}`] = { namespace: 'app', labels: { role: 'web' } };
    endpoints.db = { namespace: 'app', labels: { role: 'db' } };
    const scenario = parseScenario(JSON.stringify({ endpoints }), 'm');
    const engine = createEngine(scenario, parseManifests(POLICY_YAML));
    const spy = jest.spyOn(engine, 'explain');
    const m = connectivityMatrix(engine, [{ proto: 'TCP', port: 5432 }, { proto: 'TCP', port: 80 }]);
    expect(m.groups.map((g) => g.members.length).sort((a, b) => a - b)).toEqual([1, 20, 30]);
    expect(spy).not.toHaveBeenCalled(); // verdicts come from the per-identity policy map
    void m.reasons; // reasons: one explain per group pair and port, on demand
    expect(spy).toHaveBeenCalledTimes(3 * 3 * 2);
    expect(m.verdict('api-7', 'db', { proto: 'TCP', port: 5432 })).toBe('ALLOW');
    expect(m.verdict('web-3', 'db', { proto: 'TCP', port: 5432 })).toBe('DROP');
    expect(m.verdict('api-7', 'db', { proto: 'TCP', port: 80 })).toBe('DROP');
    expect(m.verdict('db', 'api-1', { proto: 'TCP', port: 80 })).toBe('ALLOW');
    expect(m.verdict('nobody', 'db', { proto: 'TCP', port: 80 })).toBeUndefined();
  });
});

describe('Verifier (jsii facade)', () => {
  test('fromManifests with workloads; explain and check', () => {
    const v = Verifier.fromManifests(
      [cnp('x', { endpointSelector: { matchLabels: { app: 'b' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'a' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }] })],
      { version: '1.18', endpoints: [{ name: 'a', labels: { app: 'a' } }, { name: 'b', labels: { app: 'b' } }] },
    );
    const r = v.explain({ src: 'a', dst: 'b', protocol: FlowProtocol.TCP, port: 80, http: { method: 'POST', path: '/' } });
    expect(r.verdict).toBe(Verdict.L7_DENY);
    expect(r.policy).toBe('CiliumNetworkPolicy default/x');
    expect(r.direction).toBe('ingress');
    expect(v.check({ src: 'a', dst: 'b', protocol: FlowProtocol.TCP, port: 80, http: { method: 'GET' } }, Verdict.ALLOW)).toBe(true);
    expect(v.check({ src: 'b', dst: 'a', protocol: FlowProtocol.TCP, port: 80 }, Verdict.ALLOW)).toBe(true);
    expect(v.policiesSelecting('b')).toEqual(['CiliumNetworkPolicy default/x']);
    expect(v.version).toBe('1.18');
  });

  test('fromYaml reports inert policies', () => {
    const v = Verifier.fromYaml(
      `apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: empty}
spec: {endpointSelector: {}, ingress: []}
`,
      { endpoints: [{ name: 'a' }, { name: 'b' }] },
    );
    expect(v.inertPolicies).toHaveLength(1);
    expect(v.inertPolicies[0]).toMatch(/CiliumNetworkPolicy default\/empty is rejected by the agent/);
    const r = v.explain({ src: 'a', dst: 'b', protocol: FlowProtocol.TCP, port: 1 });
    expect(r.verdict).toBe(Verdict.ALLOW);
    expect(r.notes[0]).toMatch(/rejected by the agent/);
  });

  test('fromScenarioFile runs the scenario flows', () => {
    const v = Verifier.fromScenarioFile(`${__dirname}/fixtures/l4-l3-combined.yaml`);
    const results = v.runScenarioFlows();
    expect(results.length).toBe(5);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results[1]).toMatchObject({ index: 1, expected: Verdict.DROP, verdict: { verdict: Verdict.DROP } });
  });
});

describe('§3.2 selector keys and matching', () => {
  test('key sources: bare = any, k8s:, $host = reserved', () => {
    expect(parseSelectorKey('app')).toEqual({ source: 'any', key: 'app' });
    expect(parseSelectorKey('k8s:io.kubernetes.pod.namespace')).toEqual({ source: 'k8s', key: 'io.kubernetes.pod.namespace' });
    expect(parseSelectorKey('$host')).toEqual({ source: 'reserved', key: 'host' });
    expect(parseSelectorKey('reserved:health')).toEqual({ source: 'reserved', key: 'health' });
  });

  test('any-source keys match k8s labels; k8s keys do not match reserved labels', () => {
    const k8sLabel = [{ source: 'k8s', key: 'app', value: 'x' }];
    expect(selectorMatches(compileSelector({ matchLabels: { app: 'x' } }), k8sLabel)).toBe(true);
    expect(selectorMatches(compileSelector({ matchLabels: { 'k8s:app': 'x' } }), k8sLabel)).toBe(true);
    expect(selectorMatches(compileSelector({ matchLabels: { 'reserved:app': 'x' } }), k8sLabel)).toBe(false);
    expect(selectorMatches(compileSelector({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['y'] }] }), k8sLabel)).toBe(true);
    expect(selectorMatches(compileSelector({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }), k8sLabel)).toBe(true);
    expect(selectorMatches(compileSelector({ matchExpressions: [{ key: 'app', operator: 'Bogus', values: [] }] }), k8sLabel)).toBe(false);
  });

  test('§3.1 the default label filter', () => {
    const keep = (key: string) => isIdentityLabel({ source: 'k8s', key });
    expect(keep('app')).toBe(true);
    expect(keep('app.kubernetes.io/name')).toBe(true);
    expect(keep('io.kubernetes.pod.namespace')).toBe(true);
    expect(keep('io.cilium.k8s.namespace.labels.team')).toBe(true);
    expect(keep('io.cilium.k8s.policy.cluster')).toBe(true);
    expect(keep('pod-template-hash')).toBe(false);
    expect(keep('controller-revision-hash')).toBe(false);
    expect(keep('kubernetes.io/hostname')).toBe(false);
    expect(keep('statefulset.kubernetes.io/pod-name')).toBe(false);
    expect(keep('beta.kubernetes.io/arch')).toBe(false);
    expect(keep('io.kubernetes.container.name')).toBe(false);
  });
});

describe('§6 addresses', () => {
  test('IPv4 and IPv6 containment', () => {
    expect(cidrContains(parseCidr('10.0.0.0/8')!, parseIp('10.255.1.1')!)).toBe(true);
    expect(cidrContains(parseCidr('10.0.0.0/8')!, parseIp('11.0.0.1')!)).toBe(false);
    expect(cidrContains(parseCidr('2001:db8::/32')!, parseIp('2001:db8:1::5')!)).toBe(true);
    expect(cidrContains(parseCidr('2001:db8::/32')!, parseIp('10.0.0.1')!)).toBe(false);
    expect(cidrContains(parseCidr('0.0.0.0/0')!, parseIp('1.2.3.4')!)).toBe(true);
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseIp('300.1.1.1')).toBeUndefined();
    expect(parseIp('::ffff:10.0.0.1')).toEqual({ family: 6, value: 0xffff0a000001n });
  });
});

describe('§9.2 RE2 full-match', () => {
  test('anchored, case-sensitive, RE2 syntax translated', () => {
    expect(re2FullMatch('/public', '/public')).toBe(true);
    expect(re2FullMatch('/public', '/public/')).toBe(false);
    expect(re2FullMatch('/path1$', '/path1')).toBe(true);
    expect(re2FullMatch('GET|HEAD', 'HEAD')).toBe(true);
    expect(re2FullMatch('GET|HEAD', 'GETX')).toBe(false);
    expect(re2FullMatch('/api/.*', '/api/v1/users')).toBe(true);
    expect(re2FullMatch('(?i)get', 'GET')).toBe(true);
    expect(re2FullMatch('/v[[:digit:]]+/x', '/v12/x')).toBe(true);
    expect(re2FullMatch('/(?P<id>[0-9]+)', '/42')).toBe(true);
    expect(re2FullMatch('/a\\-b', '/a-b')).toBe(true);
    expect(re2FullMatch('\\Q/a.b\\E', '/a.b')).toBe(true);
    expect(re2FullMatch('\\Q/a.b\\E', '/axb')).toBe(false);
  });

  test('patterns Go rejects match nothing', () => {
    expect(compileRe2('*').error).toBeDefined();
    expect(compileRe2('a**').error).toBeDefined();
    expect(compileRe2('(a').error).toBeDefined();
    expect(compileRe2('(?=x)').error).toBeDefined();
    expect(re2FullMatch('*', '*')).toBe(false);
  });
});

describe('§9.3 DNS names and patterns', () => {
  test('matchName is exact, case-insensitive, trailing dot optional', () => {
    expect(dnsSelectorMatches({ matchName: 'Cilium.IO' }, 'cilium.io.', 19)).toBe(true);
    expect(dnsSelectorMatches({ matchName: 'cilium.io' }, 'sub.cilium.io', 19)).toBe(false);
  });

  test('`*` matches within one label; `*` alone matches everything; `**.` needs v1.19', () => {
    expect(matchPatternRegex('*.cilium.io', 19).test('anysub.cilium.io.')).toBe(true);
    expect(matchPatternRegex('*.cilium.io', 19).test('cilium.io.')).toBe(false);
    expect(matchPatternRegex('*.cilium.io', 19).test('sub.sub.cilium.io.')).toBe(false);
    expect(matchPatternRegex('*', 16).test('anything.example.com.')).toBe(true);
    expect(matchPatternRegex('**.cilium.io', 19).test('test.app.cilium.io.')).toBe(true);
    expect(matchPatternRegex('**.cilium.io', 19).test('cilium.io.')).toBe(false);
    expect(matchPatternRegex('**.cilium.io', 18).test('test.app.cilium.io.')).toBe(false);
    expect(matchPatternRegex('**.cilium.io', 18).test('app.cilium.io.')).toBe(true);
    expect(matchPatternRegex('special*service.api.cilium.io', 19).test('special-eu-service.api.cilium.io.')).toBe(true);
  });
});
