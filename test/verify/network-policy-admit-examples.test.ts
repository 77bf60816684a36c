/**
 * admitNetworkPolicy on realistic input: the Kubernetes documentation's NetworkPolicy examples and
 * what cdk8s-plus-28 synthesizes; and the generated schema (fresh, self-contained, pinned).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import * as YAML from 'yaml';
import { _K8S_NETWORK_POLICY_SCHEMA } from '../../src/verify/intake/k8s-schema-data.generated';
import { admitNetworkPolicy } from '../../src/verify/intake/network-policy-admit';
import { applySchema } from '../../src/verify/intake/schema';

const ROOT = path.join(__dirname, '..', '..');

/**
 * kubernetes/website content/en/examples/service/networking/*.yaml (the commits the file names
 * carry are those of the copies read): each is stored unchanged but for the defaults.
 */
const DOCS_EXAMPLES: { [file: string]: string } = {
  // network-policy-default-deny-ingress.yaml @ 5712187312b3
  'default-deny-ingress': `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
spec:
  podSelector: {}
  policyTypes:
  - Ingress
`,
  // network-policy-allow-all-ingress.yaml @ 7a090ad7363d
  'allow-all-ingress': `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-all-ingress
spec:
  podSelector: {}
  ingress:
  - {}
  policyTypes:
  - Ingress
`,
  // network-policy-default-deny-egress.yaml @ 7a090ad7363d
  'default-deny-egress': `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-egress
spec:
  podSelector: {}
  policyTypes:
  - Egress
`,
  // network-policy-allow-all-egress.yaml @ 81dca134e217
  'allow-all-egress': `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-all-egress
spec:
  podSelector: {}
  egress:
  - {}
  policyTypes:
  - Egress
`,
  // network-policy-default-deny-all.yaml @ 7a090ad7363d
  'default-deny-all': `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-all
spec:
  podSelector: {}
  policyTypes:
  - Ingress
  - Egress
`,
  // network-policy-allow-all-egress-deny-all-ingress.yaml @ 187a7df48b4e
  'allow-egress-deny-ingress': `
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-egress-deny-ingress
spec:
  podSelector: {}
  policyTypes:
    - Egress
    - Ingress
  egress:
    - {}
  ingress: [] # Removing this line also works
`,
  // networkpolicy.yaml @ 3842a2847339
  'test-network-policy': `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: test-network-policy
  namespace: default
spec:
  podSelector:
    matchLabels:
      role: db
  policyTypes:
  - Ingress
  - Egress
  ingress:
  - from:
    - ipBlock:
        cidr: 172.17.0.0/16
        except:
        - 172.17.1.0/24
    - namespaceSelector:
        matchLabels:
          project: myproject
    - podSelector:
        matchLabels:
          role: frontend
    ports:
    - protocol: TCP
      port: 6379
  egress:
  - to:
    - ipBlock:
        cidr: 10.0.0.0/24
    ports:
    - protocol: TCP
      port: 5978
`,
  // networkpolicy-multiport-egress.yaml @ 32b803661f9c
  'multi-port-egress': `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: multi-port-egress
  namespace: default
spec:
  podSelector:
    matchLabels:
      role: db
  policyTypes:
  - Egress
  egress:
  - to:
    - ipBlock:
        cidr: 10.0.0.0/24
    ports:
    - protocol: TCP
      port: 32000
      endPort: 32768
`,
  // nginx-policy.yaml @ 3389c10e6a8e: no policyTypes, so the default applies
  'access-nginx': `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: access-nginx
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: nginx
  ingress:
  - from:
    - podSelector:
        matchLabels:
          access: "true"
`,
};

describe('network policy admission | Kubernetes documentation examples', () => {
  test.each(Object.keys(DOCS_EXAMPLES))('%s is admitted as written (policyTypes and protocols were explicit)', (name) => {
    const manifest = YAML.parse(DOCS_EXAMPLES[name]);
    const r = admitNetworkPolicy(manifest);
    expect(r.schemaErrors).toEqual([]);
    expect(r.pruned).toEqual([]);
    expect(r.agentErrors).toEqual([]);
    const expected = JSON.parse(JSON.stringify(manifest));
    if (name === 'access-nginx') {
      expected.spec.policyTypes = ['Ingress'];
    }
    expect(r.object).toEqual(expected);
  });

  test('the same policies without protocol and policyTypes are stored with the defaults', () => {
    const manifest = YAML.parse(DOCS_EXAMPLES['test-network-policy']);
    delete manifest.spec.policyTypes;
    manifest.spec.ingress[0].ports[0] = { port: 6379 };
    const r = admitNetworkPolicy(manifest);
    expect(r.object).toEqual(YAML.parse(DOCS_EXAMPLES['test-network-policy']));
  });
});

describe('network policy admission | what cdk8s-plus-28 synthesizes', () => {
  function synth(build: (chart: Chart) => void): any[] {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'apps' });
    build(chart);
    return Testing.synth(chart).filter((o: any) => o.kind === 'NetworkPolicy');
  }
  const deployment = (chart: Chart, id: string, port: number) =>
    new kplus.Deployment(chart, id, { podMetadata: { labels: { app: id } }, containers: [{ image: 'img:1', portNumber: port }] });

  test('connections.allowFrom / allowTo and NetworkPolicy objects are admitted unchanged', () => {
    const objs = synth((chart) => {
      const web = deployment(chart, 'web', 8080);
      const redis = deployment(chart, 'redis', 6379);
      const api = deployment(chart, 'api', 3000);
      web.connections.allowTo(redis);
      redis.connections.allowFrom(web, { isolation: kplus.PodConnectionsIsolation.POD });
      api.connections.allowFrom(kplus.Namespaces.select(chart, 'monitoring', { names: ['monitoring'] }), {
        isolation: kplus.PodConnectionsIsolation.POD,
        ports: [kplus.NetworkPolicyPort.tcpRange(9000, 9100)],
      });
      api.connections.allowTo(kplus.NetworkPolicyIpBlock.ipv4(chart, 'corp', '10.0.0.0/8', ['10.1.0.0/16']), {
        ports: [kplus.NetworkPolicyPort.tcp(443), kplus.NetworkPolicyPort.udp(53)],
      });
      api.connections.allowTo(kplus.Pods.all(chart, 'all'));
      new kplus.NetworkPolicy(chart, 'deny', {
        selector: kplus.Pods.all(chart, 'every'),
        ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
        egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
      });
      new kplus.NetworkPolicy(chart, 'allow', {
        selector: web,
        ingress: { default: kplus.NetworkPolicyTrafficDefault.ALLOW },
        egress: { rules: [{ peer: kplus.NetworkPolicyIpBlock.anyIpv6(chart, 'v6'), ports: [kplus.NetworkPolicyPort.of({ port: 53, protocol: kplus.NetworkProtocol.UDP })] }] },
      });
    });
    expect(objs.length).toBeGreaterThanOrEqual(8);
    for (const o of objs) {
      const r = admitNetworkPolicy(o);
      expect([o.metadata.name, r.schemaErrors, r.pruned, r.agentErrors]).toEqual([o.metadata.name, [], [], []]);
      expect(r.object).toEqual(o);
    }
  });

  test('NetworkPolicyPort.allTcp() / allUdp() emit port 0 (with endPort 65535), which the API server refuses', () => {
    const objs = synth((chart) => {
      deployment(chart, 'api', 3000).connections.allowTo(kplus.NetworkPolicyIpBlock.anyIpv4(chart, 'any'), {
        ports: [kplus.NetworkPolicyPort.allTcp(), kplus.NetworkPolicyPort.allUdp()],
      });
    });
    expect(objs).toHaveLength(1);
    expect(objs[0].spec.egress[0].ports).toEqual([{ port: 0, endPort: 65535, protocol: 'TCP' }, { port: 0, endPort: 65535, protocol: 'UDP' }]);
    expect(admitNetworkPolicy(objs[0]).schemaErrors).toEqual([
      'spec.egress[0].ports[0].port: 0 is not a valid port number: must be between 1 and 65535, inclusive',
      'spec.egress[0].ports[1].port: 0 is not a valid port number: must be between 1 and 65535, inclusive',
    ]);
  });
});

describe('network policy admission | the generated schema', () => {
  test('the generated schema data is fresh (scripts/gen-k8s-schema.js against the vendored OpenAPI excerpt)', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gen-k8s-schema-')), 'k8s-schema.ts');
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'gen-k8s-schema.js')], { env: { ...process.env, K8S_SCHEMA_OUT: out } });
    expect(fs.readFileSync(out, 'utf8')).toEqual(fs.readFileSync(path.join(ROOT, 'src', 'verify', 'intake', 'k8s-schema-data.generated.ts'), 'utf8'));
  });

  test('the header and SOURCE.md name the same pinned upstream file and commit', () => {
    const generated = fs.readFileSync(path.join(ROOT, 'src', 'verify', 'intake', 'k8s-schema-data.generated.ts'), 'utf8');
    const source = fs.readFileSync(path.join(ROOT, 'scripts', 'k8s-openapi', 'SOURCE.md'), 'utf8');
    const pin = /kubernetes\/kubernetes api\/openapi-spec\/v3\/apis__networking\.k8s\.io__v1_openapi\.json @ ([0-9a-f]{40})/.exec(generated);
    expect(pin).not.toBeNull();
    expect(source).toContain(pin![1]);
    expect(source).toContain('api/openapi-spec/v3/apis__networking.k8s.io__v1_openapi.json');
  });

  test('it is self-contained: no $ref, allOf or description; metadata and status are free; IntOrString is int-or-string', () => {
    const text = JSON.stringify(_K8S_NETWORK_POLICY_SCHEMA);
    expect(text).not.toMatch(/"\$ref"|"allOf"|"description"/);
    const s = _K8S_NETWORK_POLICY_SCHEMA;
    expect(s.properties.metadata).toEqual({ 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true });
    expect(s.properties.status).toEqual({ 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true });
    const port = s.properties.spec.properties.ingress.items.properties.ports.items.properties;
    expect(port.port).toEqual({ 'x-kubernetes-int-or-string': true });
    expect(port.endPort).toEqual({ type: 'integer', format: 'int32' });
    expect(s.properties.spec.required).toEqual(['podSelector']);
    expect(s.properties.spec.properties.ingress.items.properties.from.items.properties.ipBlock.required).toEqual(['cidr']);
  });

  test('applySchema: int32 bounds and null list items apply to built-in kinds only', () => {
    const schema = { type: 'object', properties: { n: { type: 'integer', format: 'int32' }, l: { type: 'array', items: { type: 'object', default: {} } } } };
    const v = { n: 2 ** 31, l: [null] };
    expect(applySchema(v, schema)).toEqual({ value: { n: 2 ** 31, l: [undefined] }, errors: [], pruned: [] });
    expect(applySchema(v, schema, { builtin: true })).toEqual({ value: { n: 2 ** 31, l: [{}] }, errors: ['n: 2147483648 does not fit in an int32 (the API server cannot decode it)'], pruned: [] });
  });

  test('applySchema: a default is itself defaulted (an object default takes its fields\' defaults)', () => {
    const schema = { type: 'object', properties: { spec: { type: 'object', default: {}, properties: { sel: { type: 'object', default: {} }, x: { type: 'string' } } } } };
    expect(applySchema({}, schema).value).toEqual({ spec: { sel: {} } });
  });
});
