/**
 * Cilium's own example policies (examples/policies/** upstream, read from $CRD_DIR/cilium/examples)
 * evaluated against workloads that exercise what the docs say each example does.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createEngine, runScenario } from '../../src/verify';
import { loadManifests } from '../../src/verify/intake/manifests';
import { parseScenarioObject } from '../../src/verify/scenario';

const CRD_DIR = process.env.CRD_DIR;
const EXAMPLES = CRD_DIR ? path.join(CRD_DIR, 'cilium', 'examples') : undefined;
const HINT = 'CRD_DIR is not set: fetch the pinned CRDs and examples with `node scripts/fetch-crds.js ./crds && CRD_DIR=./crds npm test`';

interface Case {
  readonly file: string;
  readonly scenario: any;
}

const dnsPod = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };

const CASES: Case[] = [
  {
    file: 'l3/simple/l3.yaml',
    scenario: {
      endpoints: { fe: { labels: { role: 'frontend' } }, be: { labels: { role: 'backend' } }, x: {} },
      flows: [
        { src: 'fe', dst: 'be', proto: 'TCP', port: 8080, expect: 'ALLOW' },
        { src: 'x', dst: 'be', proto: 'TCP', port: 8080, expect: 'DROP' },
      ],
    },
  },
  {
    file: 'l3/ingress-allow-all/ingress-allow-all.yaml',
    scenario: {
      endpoints: { victim: { labels: { role: 'victim' } }, local: {}, far: { namespace: 'other' } },
      flows: [
        { src: 'local', dst: 'victim', proto: 'TCP', port: 80, expect: 'ALLOW' },
        // §17: "{}" in a CNP is namespace-scoped, not "all endpoints" as the docs suggest
        { src: 'far', dst: 'victim', proto: 'TCP', port: 80, expect: 'DROP' },
        { src: 'world:198.51.100.1', dst: 'victim', proto: 'TCP', port: 80, expect: 'DROP' },
      ],
    },
  },
  {
    file: 'l3/egress-default-deny/egress-default-deny.yaml',
    scenario: {
      endpoints: { r: { labels: { role: 'restricted' } }, dns: dnsPod },
      flows: [
        { src: 'r', dst: 'dns', proto: 'UDP', port: 53, expect: 'DROP' },
        { src: 'dns', dst: 'r', proto: 'UDP', port: 53, expect: 'ALLOW' },
      ],
    },
  },
  {
    file: 'l3/egress-deny/egress-deny.yaml',
    scenario: {
      endpoints: { fe: { labels: { role: 'frontend' } }, be: { labels: { role: 'backend' } }, other: {} },
      flows: [
        { src: 'fe', dst: 'be', proto: 'TCP', port: 80, expect: 'DROP' },
        { src: 'fe', dst: 'other', proto: 'TCP', port: 80, expect: 'ALLOW' },
      ],
    },
  },
  {
    file: 'l3/entities/apiserver.yaml',
    scenario: {
      endpoints: { dev: { labels: { env: 'dev' } } },
      flows: [
        { src: 'dev', dst: 'kube-apiserver', proto: 'TCP', port: 6443, expect: 'ALLOW' },
        { src: 'dev', dst: 'world:1.1.1.1', proto: 'TCP', port: 443, expect: 'DROP' },
      ],
    },
  },
  {
    file: 'l3/entities/from_world_deny.yaml',
    scenario: {
      endpoints: { a: {}, b: { namespace: 'other' } },
      flows: [
        { src: 'world:203.0.113.1', dst: 'a', proto: 'TCP', port: 443, expect: 'DROP' },
        { src: 'b', dst: 'a', proto: 'TCP', port: 443, expect: 'ALLOW' },
      ],
    },
  },
  {
    file: 'l3/cidr/cidr.yaml',
    scenario: {
      endpoints: { s: { labels: { app: 'myService' } } },
      flows: [
        { src: 's', dst: 'world:20.1.1.1', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 's', dst: 'world:10.10.0.1', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 's', dst: 'world:10.96.0.10', proto: 'UDP', port: 53, expect: 'DROP' },
      ],
    },
  },
  {
    file: 'l3/fqdn/fqdn.yaml',
    scenario: {
      endpoints: { t: { labels: { app: 'test-app' } }, dns: dnsPod },
      dns: { 'my-remote-service.com': ['198.51.100.44'] },
      flows: [
        { src: 't', dst: 'world:198.51.100.44', proto: 'TCP', port: 443, expect: 'ALLOW' },
        { src: 't', dst: 'world:198.51.100.45', proto: 'TCP', port: 443, expect: 'DROP' },
        { src: 't', dst: 'dns', proto: 'UDP', port: 53, dns: 'anything.example', expect: 'ALLOW' },
      ],
    },
  },
  {
    file: 'l3/match-expressions/or-statement.yaml',
    scenario: {
      endpoints: { t: {}, p: { namespace: 'production' }, s: { labels: { 'cilium.example.com/policy': 'strict' } }, n: {} },
      flows: [
        { src: 'p', dst: 't', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 's', dst: 't', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'n', dst: 't', proto: 'TCP', port: 80, expect: 'DROP' },
      ],
    },
  },
  {
    file: 'l4/l3_l4_combined.yaml',
    scenario: {
      endpoints: { fe: { labels: { role: 'frontend' } }, be: { labels: { role: 'backend' } } },
      flows: [
        { src: 'fe', dst: 'be', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'fe', dst: 'be', proto: 'TCP', port: 8080, expect: 'DROP' },
      ],
    },
  },
  {
    file: 'l4/l4_port_range.yaml',
    scenario: {
      endpoints: { s: { labels: { app: 'myService' } } },
      flows: [
        { src: 's', dst: 'world:1.1.1.1', proto: 'TCP', port: 443, expect: 'ALLOW' },
        { src: 's', dst: 'world:1.1.1.1', proto: 'TCP', port: 445, expect: 'DROP' },
      ],
    },
  },
  {
    file: 'l4/multi_rule.yaml',
    scenario: {
      endpoints: { fe: { labels: { role: 'frontend' } }, be: { labels: { role: 'backend' } }, x: { namespace: 'x' } },
      flows: [
        { src: 'fe', dst: 'be', proto: 'UDP', port: 5000, expect: 'ALLOW' },
        { src: 'x', dst: 'be', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'x', dst: 'be', proto: 'TCP', port: 81, expect: 'DROP' },
      ],
    },
  },
  {
    file: 'l7/http/simple/l7.yaml',
    scenario: {
      endpoints: { svc: { labels: { app: 'service' } }, prod: { labels: { env: 'prod' } } },
      flows: [
        { src: 'prod', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'GET', path: '/public' }, expect: 'ALLOW' },
        { src: 'prod', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'GET', path: '/private' }, expect: 'L7_DENY' },
      ],
    },
  },
  {
    file: 'l7/http/http.yaml',
    scenario: {
      endpoints: { svc: { labels: { app: 'myService' } }, c: {} },
      flows: [
        { src: 'c', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'GET', path: '/path1' }, expect: 'ALLOW' },
        { src: 'c', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'PUT', path: '/path2', headers: { 'X-My-Header': 'true' } }, expect: 'ALLOW' },
        { src: 'c', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'PUT', path: '/path2' }, expect: 'L7_DENY' },
      ],
    },
  },
  {
    file: 'l7/dns/dns.yaml',
    scenario: {
      endpoints: { x: { labels: { org: 'alliance' } }, dns: dnsPod },
      dns: { 'sub.cilium.io': ['104.198.14.60'], 'special-eu-service.api.cilium.io': ['104.198.14.61'] },
      flows: [
        { src: 'x', dst: 'dns', proto: 'UDP', port: 53, dns: 'sub.cilium.io', expect: 'ALLOW' },
        { src: 'x', dst: 'dns', proto: 'UDP', port: 53, dns: 'example.com', expect: 'L7_DENY' },
        { src: 'x', dst: 'world:104.198.14.60', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'x', dst: 'world:104.198.14.61', proto: 'TCP', port: 80, expect: 'ALLOW' },
      ],
    },
  },
  {
    file: 'kubernetes/clusterwide/health.yaml',
    scenario: {
      flows: [
        { src: 'remote-node', dst: 'health', proto: 'TCP', port: 4240, expect: 'ALLOW' },
        { src: 'world:1.1.1.1', dst: 'health', proto: 'TCP', port: 4240, expect: 'DROP' },
      ],
    },
  },
  {
    file: 'kubernetes/clusterwide/wildcard-from-endpoints.yaml',
    scenario: {
      endpoints: { dns: dnsPod, p: { namespace: 'anywhere' } },
      flows: [
        { src: 'p', dst: 'dns', proto: 'UDP', port: 53, expect: 'ALLOW' },
        { src: 'remote-node', dst: 'dns', proto: 'UDP', port: 53, expect: 'DROP' },
      ],
    },
  },
  {
    file: 'kubernetes/namespace/isolate-namespaces.yaml',
    scenario: {
      endpoints: { a: { namespace: 'ns1' }, b: { namespace: 'ns1' }, c: { namespace: 'ns2' } },
      flows: [
        { src: 'a', dst: 'b', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'c', dst: 'a', proto: 'TCP', port: 80, expect: 'DROP' },
      ],
    },
  },
  {
    file: 'kubernetes/namespace/kubedns-policy.yaml',
    scenario: {
      endpoints: { p: { namespace: 'public' }, dns: dnsPod },
      flows: [
        { src: 'p', dst: 'dns', proto: 'UDP', port: 53, expect: 'ALLOW' },
        { src: 'p', dst: 'world:1.1.1.1', proto: 'UDP', port: 53, expect: 'DROP' },
      ],
    },
  },
  {
    file: 'kubernetes/serviceaccount/serviceaccount-policy.yaml',
    scenario: {
      endpoints: { leia: { serviceAccount: 'leia' }, luke: { serviceAccount: 'luke' }, han: { serviceAccount: 'han' } },
      flows: [
        { src: 'luke', dst: 'leia', proto: 'TCP', port: 80, http: { method: 'GET', path: '/public' }, expect: 'ALLOW' },
        { src: 'han', dst: 'leia', proto: 'TCP', port: 80, expect: 'DROP' },
      ],
    },
  },
];

const maybe = EXAMPLES ? describe : describe.skip;

if (!EXAMPLES) {
  test.skip(`Cilium example policies: ${HINT}`, () => undefined);
}

maybe('Cilium example policies', () => {
  test('every example file has a case', () => {
    const all: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.yaml')) all.push(path.relative(EXAMPLES!, p).split(path.sep).join('/'));
      }
    };
    walk(EXAMPLES!);
    expect(all.sort()).toEqual(CASES.map((c) => c.file).sort());
  });

  test.each(CASES.map((c) => [c.file, c] as [string, Case]))('%s', (file, c) => {
    const manifests = loadManifests([path.join(EXAMPLES!, file)]);
    for (const version of ['1.16', '1.17', '1.18', '1.19']) {
      const scenario = parseScenarioObject({ ...c.scenario, env: { version } }, file);
      const engine = createEngine(scenario, manifests);
      // all examples are valid: none is rejected by the API server or the agent
      expect(engine.inert.map((i) => i.message)).toEqual([]);
      const report = runScenario(scenario, [], engine);
      const bad = report.outcomes.filter((o) => !o.ok).map((o) => `${version} #${o.index}: got ${o.result.verdict}: ${o.result.reason}`);
      expect(bad).toEqual([]);
    }
  });
});
