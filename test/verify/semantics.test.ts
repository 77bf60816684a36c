/**
 * One test per semantic rule of reference/cilium-semantics.md, written as scenarios.
 */
import { ccnp, cnp, expectScenario, explainOne } from './helpers';

const twoPods = {
  a: { labels: { app: 'a' } },
  b: { labels: { app: 'b' } },
};

describe('§2 default deny', () => {
  test('§2.2 `ingress: [{}]` puts the endpoint in ingress default deny and allows nothing', () => {
    expectScenario({
      policies: [cnp('deny', { endpointSelector: { matchLabels: { app: 'b' } }, ingress: [{}] })],
      endpoints: twoPods,
      flows: [
        { src: 'a', dst: 'b', proto: 'TCP', port: 80, expect: 'DROP' },
        { src: 'world:203.0.113.5', dst: 'b', proto: 'TCP', port: 80, expect: 'DROP' },
        { src: 'b', dst: 'a', proto: 'TCP', port: 80, expect: 'ALLOW' },
      ],
    });
  });

  test('§2.2 `ingress: []` alone: no effect at v1.17, policy rejected by the agent at v1.18+ (either way allow)', () => {
    for (const version of ['1.17', '1.18', '1.19']) {
      expectScenario({
        env: { version },
        policies: [cnp('empty', { endpointSelector: {}, ingress: [] })],
        endpoints: twoPods,
        flows: [{ src: 'a', dst: 'b', proto: 'TCP', port: 5432, expect: 'ALLOW' }],
      });
    }
    const r = explainOne({
      env: { version: '1.19' },
      policies: [cnp('empty', { endpointSelector: {}, ingress: [] })],
      endpoints: twoPods,
      flows: [{ src: 'a', dst: 'b', proto: 'TCP', port: 5432 }],
    });
    expect(r.reason).toMatch(/CiliumNetworkPolicy default\/empty is rejected by the agent: .*it has no effect/);
  });

  test('§2.2 `ingress: []` next to a non-empty egress section does not enforce ingress', () => {
    expectScenario({
      policies: [cnp('p', { endpointSelector: { matchLabels: { app: 'b' } }, ingress: [], egress: [{ toEndpoints: [{}] }] })],
      endpoints: twoPods,
      flows: [
        { src: 'a', dst: 'b', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'b', dst: 'world:8.8.8.8', proto: 'UDP', port: 53, expect: 'DROP' },
        { src: 'b', dst: 'a', proto: 'TCP', port: 80, expect: 'ALLOW' },
      ],
    });
  });

  test('§2.2 `egress: [{}]` blocks all egress including DNS', () => {
    expectScenario({
      policies: [cnp('deny-all-egress', { endpointSelector: { matchLabels: { role: 'restricted' } }, egress: [{}] })],
      endpoints: { r: { labels: { role: 'restricted' } }, dns: { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } } },
      flows: [
        { src: 'r', dst: 'dns', proto: 'UDP', port: 53, expect: 'DROP' },
        { src: 'r', dst: 'world:1.1.1.1', proto: 'TCP', port: 443, expect: 'DROP' },
        { src: 'dns', dst: 'r', proto: 'TCP', port: 80, expect: 'ALLOW' },
      ],
    });
  });

  test('§2.4 enableDefaultDeny ingress false: enforced but not default deny; explicit denies still apply', () => {
    expectScenario({
      policies: [
        cnp('observe', {
          endpointSelector: { matchLabels: { app: 'b' } },
          enableDefaultDeny: { ingress: false },
          ingress: [{ fromEndpoints: [{ matchLabels: { app: 'a' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
          ingressDeny: [{ fromEntities: ['world'] }],
        }),
      ],
      endpoints: { ...twoPods, c: { labels: { app: 'c' } } },
      flows: [
        { src: 'a', dst: 'b', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'c', dst: 'b', proto: 'TCP', port: 9999, expect: 'ALLOW' },
        { src: 'world:198.51.100.1', dst: 'b', proto: 'TCP', port: 80, expect: 'DROP' },
      ],
    });
  });

  test('§2.2 default deny takes precedence when another selecting policy is default deny', () => {
    expectScenario({
      policies: [
        cnp('allow', {
          endpointSelector: { matchLabels: { app: 'b' } },
          enableDefaultDeny: { ingress: false },
          ingress: [{ fromEndpoints: [{ matchLabels: { app: 'a' } }] }],
        }),
        cnp('dd', { endpointSelector: { matchLabels: { app: 'b' } }, ingress: [{ fromEntities: ['host'] }] }),
      ],
      endpoints: { ...twoPods, c: { labels: { app: 'c' } } },
      flows: [
        { src: 'a', dst: 'b', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'c', dst: 'b', proto: 'TCP', port: 80, expect: 'DROP' },
      ],
    });
  });

  test('§2.1 enableNonDefaultDenyPolicies false forces default deny (v1.17+)', () => {
    const doc = (v: boolean) => ({
      env: { enableNonDefaultDenyPolicies: v },
      policies: [
        cnp('observe', {
          endpointSelector: { matchLabels: { app: 'b' } },
          enableDefaultDeny: { ingress: false },
          ingress: [{ fromEndpoints: [{ matchLabels: { app: 'a' } }] }],
        }),
      ],
      endpoints: { ...twoPods, c: { labels: { app: 'c' } } },
      flows: [{ src: 'c', dst: 'b', proto: 'TCP', port: 80, expect: v ? 'ALLOW' : 'DROP' }],
    });
    expectScenario(doc(true));
    expectScenario(doc(false));
  });

  test('§15.15 policyEnforcementMode always denies without any policy; never allows despite denies', () => {
    expectScenario({
      env: { policyEnforcementMode: 'always' },
      endpoints: twoPods,
      flows: [
        { src: 'a', dst: 'b', proto: 'TCP', port: 80, expect: 'DROP' },
        { src: 'host', dst: 'b', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'world:1.2.3.4', dst: 'b', proto: 'TCP', port: 80, expect: 'DROP' },
      ],
    });
    expectScenario({
      env: { policyEnforcementMode: 'never' },
      policies: [cnp('deny', { endpointSelector: {}, ingressDeny: [{ fromEntities: ['all'] }], egress: [{}] })],
      endpoints: twoPods,
      flows: [{ src: 'a', dst: 'b', proto: 'TCP', port: 80, expect: 'ALLOW' }],
    });
  });

  test('§15.9 an endpoint with the init identity is in default deny both ways until a CCNP selecting reserved:init allows', () => {
    expectScenario({
      policies: [
        ccnp('init', {
          endpointSelector: { matchLabels: { 'reserved:init': '' } },
          egress: [{ toEntities: ['kube-apiserver'] }],
        }),
      ],
      endpoints: twoPods,
      flows: [
        { src: 'init', dst: 'a', proto: 'TCP', port: 80, expect: 'DROP' },
        { src: 'init', dst: 'kube-apiserver', proto: 'TCP', port: 6443, expect: 'ALLOW' },
        { src: 'a', dst: 'init', proto: 'TCP', port: 80, expect: 'DROP' },
      ],
    });
  });

  test('§2.2 a deny-only policy puts the endpoint in default deny', () => {
    expectScenario({
      policies: [cnp('deny-only', { endpointSelector: { matchLabels: { app: 'b' } }, ingressDeny: [{ fromEntities: ['world'] }] })],
      endpoints: twoPods,
      flows: [{ src: 'a', dst: 'b', proto: 'TCP', port: 80, expect: 'DROP' }],
    });
  });
});

describe('§3 labels, sources and identities', () => {
  test('§3.1 a selector on a label the identity filter drops never matches', () => {
    expectScenario({
      policies: [
        cnp('p', {
          endpointSelector: { matchLabels: { app: 'b' } },
          ingress: [{ fromEndpoints: [{ matchLabels: { 'pod-template-hash': 'abc' } }, { matchLabels: { 'statefulset.kubernetes.io/pod-name': 'a-0' } }] }],
        }),
      ],
      endpoints: {
        a: { labels: { 'app': 'a', 'pod-template-hash': 'abc', 'statefulset.kubernetes.io/pod-name': 'a-0' } },
        b: { labels: { app: 'b' } },
      },
      flows: [{ src: 'a', dst: 'b', proto: 'TCP', port: 80, expect: 'DROP' }],
    });
  });

  test('§3.1 app.kubernetes.io labels and cnpg.io labels are kept', () => {
    expectScenario({
      policies: [
        cnp('p', {
          endpointSelector: { matchLabels: { 'cnpg.io/cluster': 'db' } },
          ingress: [{ fromEndpoints: [{ matchLabels: { 'app.kubernetes.io/name': 'api' } }] }],
        }),
      ],
      endpoints: { a: { labels: { 'app.kubernetes.io/name': 'api' } }, db: { labels: { 'cnpg.io/cluster': 'db' } } },
      flows: [{ src: 'a', dst: 'db', proto: 'TCP', port: 5432, expect: 'ALLOW' }],
    });
  });

  test('§3.1 pod labels with the io.cilium.k8s prefix cannot spoof the service account', () => {
    expectScenario({
      policies: [
        cnp('sa', {
          endpointSelector: { matchLabels: { app: 'b' } },
          ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'luke' } }] }],
        }),
      ],
      endpoints: {
        spoof: { labels: { 'io.cilium.k8s.policy.serviceaccount': 'luke' } },
        real: { serviceAccount: 'luke' },
        b: { labels: { app: 'b' } },
      },
      flows: [
        { src: 'spoof', dst: 'b', proto: 'TCP', port: 80, expect: 'DROP' },
        { src: 'real', dst: 'b', proto: 'TCP', port: 80, expect: 'ALLOW' },
      ],
    });
  });

  test('§3.2 bare, k8s: and any: keys match pod labels; other sources do not', () => {
    expectScenario({
      policies: [
        cnp('p', {
          endpointSelector: { matchLabels: { 'k8s:app': 'b' } },
          ingress: [
            { fromEndpoints: [{ matchLabels: { 'any:role': 'x' } }], toPorts: [{ ports: [{ port: '1', protocol: 'TCP' }] }] },
            { fromEndpoints: [{ matchLabels: { 'k8s:role': 'x' } }], toPorts: [{ ports: [{ port: '2', protocol: 'TCP' }] }] },
            { fromEndpoints: [{ matchLabels: { 'container:role': 'x' } }], toPorts: [{ ports: [{ port: '3', protocol: 'TCP' }] }] },
          ],
        }),
      ],
      endpoints: { x: { labels: { role: 'x' } }, b: { labels: { app: 'b' } } },
      flows: [
        { src: 'x', dst: 'b', proto: 'TCP', port: 1, expect: 'ALLOW' },
        { src: 'x', dst: 'b', proto: 'TCP', port: 2, expect: 'ALLOW' },
        { src: 'x', dst: 'b', proto: 'TCP', port: 3, expect: 'DROP' },
      ],
    });
  });

  test('§3.2 matchLabels and matchExpressions AND; selectors in a list OR (or-statement example)', () => {
    expectScenario({
      namespaces: { production: {} },
      policies: [
        cnp('or', {
          endpointSelector: {},
          ingress: [
            {
              fromEndpoints: [
                { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['production'] }] },
                { matchExpressions: [{ key: 'k8s:cilium.example.com/policy', operator: 'In', values: ['strict'] }] },
              ],
            },
            {
              fromEndpoints: [{ matchLabels: { tier: 'web' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] }],
              toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }],
            },
          ],
        }),
      ],
      endpoints: {
        prod: { namespace: 'production' },
        strict: { labels: { 'cilium.example.com/policy': 'strict' } },
        other: {},
        webprod: { labels: { tier: 'web', env: 'prod' } },
        webdev: { labels: { tier: 'web', env: 'dev' } },
        target: {},
      },
      flows: [
        { src: 'prod', dst: 'target', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'strict', dst: 'target', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'other', dst: 'target', proto: 'TCP', port: 80, expect: 'DROP' },
        { src: 'webprod', dst: 'target', proto: 'TCP', port: 8080, expect: 'ALLOW' },
        { src: 'webdev', dst: 'target', proto: 'TCP', port: 8080, expect: 'DROP' },
      ],
    });
  });
});

describe('§4 namespace scoping', () => {
  test('§4.1 a CNP only selects pods of its own namespace, even with a namespace key in endpointSelector', () => {
    expectScenario({
      policies: [
        cnp('p', { endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'other', 'app': 'b' } }, ingress: [{}] }, 'default'),
      ],
      endpoints: { a: {}, b: { labels: { app: 'b' } }, bo: { namespace: 'other', labels: { app: 'b' } } },
      flows: [
        { src: 'a', dst: 'b', proto: 'TCP', port: 80, expect: 'DROP' },
        { src: 'a', dst: 'bo', proto: 'TCP', port: 80, expect: 'ALLOW' },
      ],
    });
  });

  test('§4.1 the any-source namespace key is a second constraint: a different namespace selects nothing', () => {
    expectScenario({
      policies: [cnp('p', { endpointSelector: { matchLabels: { 'io.kubernetes.pod.namespace': 'other' } }, ingress: [{}] }, 'default')],
      endpoints: { a: {}, b: {}, bo: { namespace: 'other' } },
      flows: [
        { src: 'a', dst: 'b', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'a', dst: 'bo', proto: 'TCP', port: 80, expect: 'ALLOW' },
      ],
    });
  });

  test('§4.2 a peer selector without namespace matches only the policy namespace', () => {
    expectScenario({
      policies: [
        cnp('p', { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoints: [{ matchLabels: { role: 'backend' } }] }] }, 'app'),
      ],
      endpoints: {
        db: { namespace: 'app', labels: { app: 'db' } },
        local: { namespace: 'app', labels: { role: 'backend' } },
        remote: { namespace: 'backend', labels: { role: 'backend' } },
      },
      flows: [
        { src: 'local', dst: 'db', proto: 'TCP', port: 5432, expect: 'ALLOW' },
        { src: 'remote', dst: 'db', proto: 'TCP', port: 5432, expect: 'DROP' },
      ],
    });
  });

  test('§4.2 a namespace key in matchExpressions (any operator) disables injection', () => {
    expectScenario({
      policies: [
        cnp('p', {
          endpointSelector: { matchLabels: { app: 'db' } },
          ingress: [
            {
              fromEndpoints: [{ matchLabels: { role: 'backend' }, matchExpressions: [{ key: 'io.kubernetes.pod.namespace', operator: 'Exists' }] }],
            },
          ],
        }),
      ],
      endpoints: { db: { labels: { app: 'db' } }, remote: { namespace: 'backend', labels: { role: 'backend' } } },
      flows: [{ src: 'remote', dst: 'db', proto: 'TCP', port: 5432, expect: 'ALLOW' }],
    });
  });

  test('§4.2 namespace-label selectors select across namespaces (v1.16+)', () => {
    expectScenario({
      namespaces: { team: { labels: { team: 'blue' } } },
      policies: [
        cnp('p', {
          endpointSelector: { matchLabels: { app: 'db' } },
          ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.namespace.labels.team': 'blue' } }] }],
        }),
        cnp('byname', {
          endpointSelector: { matchLabels: { app: 'db' } },
          ingress: [
            {
              fromEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name': 'backend' } }],
              toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }],
            },
          ],
        }),
      ],
      endpoints: {
        db: { labels: { app: 'db' } },
        blue: { namespace: 'team' },
        be: { namespace: 'backend' },
        same: {},
      },
      flows: [
        { src: 'blue', dst: 'db', proto: 'TCP', port: 5432, expect: 'ALLOW' },
        { src: 'be', dst: 'db', proto: 'TCP', port: 5432, expect: 'ALLOW' },
        { src: 'be', dst: 'db', proto: 'TCP', port: 22, expect: 'DROP' },
        { src: 'same', dst: 'db', proto: 'TCP', port: 5432, expect: 'DROP' },
      ],
    });
  });

  test('§4.2 CCNP `fromEndpoints: [{}]` means every pod of the cluster, not host or world', () => {
    expectScenario({
      policies: [
        ccnp('wildcard-from-endpoints', {
          endpointSelector: { matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } },
          ingress: [{ fromEndpoints: [{}], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }] }] }],
        }),
      ],
      endpoints: { dns: { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, p: { namespace: 'shop' } },
      flows: [
        { src: 'p', dst: 'dns', proto: 'UDP', port: 53, expect: 'ALLOW' },
        { src: 'remote-node', dst: 'dns', proto: 'UDP', port: 53, expect: 'DROP' },
        { src: 'world:9.9.9.9', dst: 'dns', proto: 'UDP', port: 53, expect: 'DROP' },
        { src: 'p', dst: 'dns', proto: 'TCP', port: 53, expect: 'DROP' },
      ],
    });
  });

  test('§4.2 reserved-prefixed peer selectors are not namespace-scoped', () => {
    expectScenario({
      policies: [cnp('p', { endpointSelector: {}, ingress: [{ fromEndpoints: [{ matchLabels: { 'reserved:world': '' } }] }] })],
      endpoints: { a: {} },
      flows: [
        { src: 'world:203.0.113.9', dst: 'a', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'remote-node', dst: 'a', proto: 'TCP', port: 80, expect: 'DROP' },
      ],
    });
  });

  test('§4.3 a service-account peer selector is still scoped to the policy namespace', () => {
    expectScenario({
      policies: [
        cnp('k8s-svc-account', {
          endpointSelector: { matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'leia' } },
          ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'luke' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
        }),
      ],
      endpoints: { leia: { serviceAccount: 'leia' }, luke: { serviceAccount: 'luke' }, luke2: { namespace: 'x', serviceAccount: 'luke' } },
      flows: [
        { src: 'luke', dst: 'leia', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'luke2', dst: 'leia', proto: 'TCP', port: 80, expect: 'DROP' },
      ],
    });
  });

  test('§4.4 a CCNP with endpointSelector {} selects the health endpoint', () => {
    expectScenario({
      policies: [ccnp('all', { endpointSelector: {}, ingress: [{ fromEntities: ['cluster'] }] })],
      endpoints: { a: {} },
      flows: [
        { src: 'remote-node', dst: 'health', proto: 'TCP', port: 4240, expect: 'ALLOW' },
        { src: 'world:1.1.1.1', dst: 'health', proto: 'TCP', port: 4240, expect: 'DROP' },
      ],
    });
    expectScenario({
      policies: [ccnp('deny', { endpointSelector: {}, ingress: [{}] })],
      flows: [{ src: 'remote-node', dst: 'health', proto: 'TCP', port: 4240, expect: 'DROP' }],
    });
  });
});

describe('§5 entities', () => {
  test('§5 `cluster` includes host, remote-node, kube-apiserver, ingress, health, unmanaged and all pods, but not world', () => {
    const flows = ['host', 'remote-node', 'kube-apiserver', 'ingress', 'health', 'unmanaged:10.1.2.3', 'p'].map((src) => ({
      src,
      dst: 'b',
      proto: 'TCP',
      port: 80,
      expect: 'ALLOW',
    }));
    expectScenario({
      env: { allowLocalhost: 'policy' },
      policies: [cnp('p', { endpointSelector: { matchLabels: { app: 'b' } }, ingress: [{ fromEntities: ['cluster'] }] })],
      endpoints: { b: { labels: { app: 'b' } }, p: { namespace: 'elsewhere' } },
      flows: [...flows, { src: 'world:8.8.8.8', dst: 'b', proto: 'TCP', port: 80, expect: 'DROP' }],
    });
  });

  test('§5 `world` is outside addresses only; `all` is everything', () => {
    expectScenario({
      policies: [
        cnp('w', { endpointSelector: { matchLabels: { app: 'a' } }, egress: [{ toEntities: ['world'] }] }),
        cnp('all', { endpointSelector: { matchLabels: { app: 'b' } }, egress: [{ toEntities: ['all'] }] }),
      ],
      endpoints: { ...twoPods, c: {} },
      flows: [
        { src: 'a', dst: 'world:8.8.8.8', proto: 'TCP', port: 443, expect: 'ALLOW' },
        { src: 'a', dst: 'c', proto: 'TCP', port: 443, expect: 'DROP' },
        { src: 'a', dst: 'host', proto: 'TCP', port: 443, expect: 'DROP' },
        { src: 'b', dst: 'c', proto: 'TCP', port: 443, expect: 'ALLOW' },
        { src: 'b', dst: 'world:8.8.8.8', proto: 'TCP', port: 443, expect: 'ALLOW' },
        { src: 'b', dst: 'host', proto: 'TCP', port: 443, expect: 'ALLOW' },
      ],
    });
  });

  test('§5 the kube-apiserver identity also carries remote-node; remote-node does not carry kube-apiserver', () => {
    expectScenario({
      policies: [
        cnp('api', { endpointSelector: { matchLabels: { env: 'dev' } }, egress: [{ toEntities: ['kube-apiserver'] }] }),
        cnp('rn', { endpointSelector: { matchLabels: { env: 'rn' } }, egress: [{ toEntities: ['remote-node'] }] }),
      ],
      endpoints: { dev: { labels: { env: 'dev' } }, rn: { labels: { env: 'rn' } } },
      flows: [
        { src: 'dev', dst: 'kube-apiserver', proto: 'TCP', port: 6443, expect: 'ALLOW' },
        { src: 'dev', dst: 'remote-node', proto: 'TCP', port: 6443, expect: 'DROP' },
        { src: 'dev', dst: 'host', proto: 'TCP', port: 6443, expect: 'DROP' },
        { src: 'rn', dst: 'kube-apiserver', proto: 'TCP', port: 6443, expect: 'ALLOW' },
        { src: 'rn', dst: 'remote-node', proto: 'TCP', port: 10250, expect: 'ALLOW' },
      ],
    });
  });
});

describe('§6 CIDR rules', () => {
  test('§6 toCIDR and toCIDRSet with except (cidr.yaml example)', () => {
    expectScenario({
      policies: [
        cnp('cidr-rule', {
          endpointSelector: { matchLabels: { app: 'myService' } },
          egress: [{ toCIDR: ['20.1.1.1/32'] }, { toCIDRSet: [{ cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] }] }],
        }),
      ],
      endpoints: { s: { labels: { app: 'myService' } }, pod: { ip: '10.0.1.5' } },
      flows: [
        { src: 's', dst: 'world:20.1.1.1', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 's', dst: 'world:20.1.1.2', proto: 'TCP', port: 80, expect: 'DROP' },
        { src: 's', dst: 'world:10.1.2.3', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 's', dst: 'world:10.96.0.1', proto: 'TCP', port: 443, expect: 'DROP' },
        { src: 's', dst: 'world:10.111.255.255', proto: 'TCP', port: 443, expect: 'DROP' },
        { src: 's', dst: 'pod', proto: 'TCP', port: 80, expect: 'DROP' },
        { src: 's', dst: 'unmanaged:10.0.9.9', proto: 'TCP', port: 80, expect: 'ALLOW' },
      ],
    });
  });

  test('§6 CIDR rules never match nodes unless policyCidrMatchMode is nodes', () => {
    const doc = (mode: string) => ({
      env: { policyCidrMatchMode: mode, nodes: { 'host': '10.0.0.1', 'remote-node': '10.0.0.10' } },
      policies: [cnp('p', { endpointSelector: {}, egress: [{ toCIDR: ['10.0.0.0/24'] }] })],
      endpoints: { a: {} },
      flows: [
        { src: 'a', dst: 'remote-node', proto: 'TCP', port: 10250, expect: mode === 'nodes' ? 'ALLOW' : 'DROP' },
        { src: 'a', dst: 'host', proto: 'TCP', port: 10250, expect: mode === 'nodes' ? 'ALLOW' : 'DROP' },
      ],
    });
    expectScenario(doc(''));
    expectScenario(doc('nodes'));
  });

  test('§6 a /0 prefix selects the world', () => {
    expectScenario({
      policies: [cnp('p', { endpointSelector: {}, egress: [{ toCIDRSet: [{ cidr: '0.0.0.0/0', except: ['192.168.0.0/16'] }] }] })],
      endpoints: { a: {}, b: {} },
      flows: [
        { src: 'a', dst: 'world:8.8.8.8', proto: 'UDP', port: 53, expect: 'ALLOW' },
        { src: 'a', dst: 'world:192.168.1.1', proto: 'UDP', port: 53, expect: 'DROP' },
        { src: 'a', dst: 'b', proto: 'UDP', port: 53, expect: 'DROP' },
      ],
    });
  });
});

describe('§7 toServices', () => {
  test('§7 a service with a selector selects its pods; without a selector its endpoint IPs', () => {
    expectScenario({
      services: [
        { name: 'db', namespace: 'data', selector: { role: 'db' } },
        { name: 'ext', namespace: 'data', endpoints: ['192.0.2.10'] },
      ],
      policies: [
        cnp('p', {
          endpointSelector: { matchLabels: { app: 'api' } },
          egress: [
            { toServices: [{ k8sService: { serviceName: 'db', namespace: 'data' } }] },
            { toServices: [{ k8sService: { serviceName: 'ext', namespace: 'data' } }] },
          ],
        }),
      ],
      endpoints: {
        api: { labels: { app: 'api' } },
        db: { namespace: 'data', labels: { role: 'db' } },
        dbother: { namespace: 'other', labels: { role: 'db' } },
      },
      flows: [
        { src: 'api', dst: 'db', proto: 'TCP', port: 5432, expect: 'ALLOW' },
        { src: 'api', dst: 'dbother', proto: 'TCP', port: 5432, expect: 'DROP' },
        { src: 'api', dst: 'world:192.0.2.10', proto: 'TCP', port: 443, expect: 'ALLOW' },
        { src: 'api', dst: 'world:192.0.2.11', proto: 'TCP', port: 443, expect: 'DROP' },
      ],
    });
  });

  test('§7 toServices without namespace matches services of that name in any namespace', () => {
    expectScenario({
      services: [
        { name: 'db', namespace: 'one', selector: { role: 'db' } },
        { name: 'db', namespace: 'two', selector: { role: 'db' } },
      ],
      policies: [cnp('p', { endpointSelector: { matchLabels: { app: 'api' } }, egress: [{ toServices: [{ k8sService: { serviceName: 'db' } }] }] })],
      endpoints: {
        api: { labels: { app: 'api' } },
        one: { namespace: 'one', labels: { role: 'db' } },
        two: { namespace: 'two', labels: { role: 'db' } },
      },
      flows: [
        { src: 'api', dst: 'one', proto: 'TCP', port: 5432, expect: 'ALLOW' },
        { src: 'api', dst: 'two', proto: 'TCP', port: 5432, expect: 'ALLOW' },
      ],
    });
  });
});

describe('§8 layer 4', () => {
  test('§8.1 protocol ANY covers TCP, UDP and SCTP but not ICMP; port 0 means all ports', () => {
    expectScenario({
      policies: [
        cnp('p', {
          endpointSelector: { matchLabels: { app: 'b' } },
          ingress: [
            { fromEndpoints: [{ matchLabels: { app: 'a' } }], toPorts: [{ ports: [{ port: '53' }] }] },
            { fromEndpoints: [{ matchLabels: { app: 'c' } }], toPorts: [{ ports: [{ port: '0', protocol: 'UDP' }] }] },
          ],
        }),
      ],
      endpoints: { ...twoPods, c: { labels: { app: 'c' } } },
      flows: [
        { src: 'a', dst: 'b', proto: 'TCP', port: 53, expect: 'ALLOW' },
        { src: 'a', dst: 'b', proto: 'UDP', port: 53, expect: 'ALLOW' },
        { src: 'a', dst: 'b', proto: 'SCTP', port: 53, expect: 'ALLOW' },
        { src: 'a', dst: 'b', proto: 'ICMP', expect: 'DROP' },
        { src: 'c', dst: 'b', proto: 'UDP', port: 12345, expect: 'ALLOW' },
        { src: 'c', dst: 'b', proto: 'TCP', port: 12345, expect: 'DROP' },
      ],
    });
  });

  test('§8.1 endPort ranges are inclusive; endPort <= port is a single port (l4_port_range example)', () => {
    expectScenario({
      policies: [
        cnp('l4-port-range-rule', { endpointSelector: { matchLabels: { app: 'myService' } }, egress: [{ toPorts: [{ ports: [{ port: '80', endPort: 444, protocol: 'TCP' }] }] }] }),
        cnp('single', { endpointSelector: { matchLabels: { app: 'single' } }, egress: [{ toPorts: [{ ports: [{ port: '8080', endPort: 8000, protocol: 'TCP' }] }] }] }),
      ],
      endpoints: { s: { labels: { app: 'myService' } }, one: { labels: { app: 'single' } } },
      flows: [
        { src: 's', dst: 'world:1.1.1.1', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 's', dst: 'world:1.1.1.1', proto: 'TCP', port: 444, expect: 'ALLOW' },
        { src: 's', dst: 'world:1.1.1.1', proto: 'TCP', port: 445, expect: 'DROP' },
        { src: 's', dst: 'world:1.1.1.1', proto: 'TCP', port: 79, expect: 'DROP' },
        { src: 'one', dst: 'world:1.1.1.1', proto: 'TCP', port: 8080, expect: 'ALLOW' },
        { src: 'one', dst: 'world:1.1.1.1', proto: 'TCP', port: 8050, expect: 'DROP' },
      ],
    });
  });

  test('§8.1 a port with a leading 0 is octal', () => {
    expectScenario({
      policies: [cnp('p', { endpointSelector: { matchLabels: { app: 'b' } }, ingress: [{ toPorts: [{ ports: [{ port: '010', protocol: 'TCP' }] }] }] })],
      endpoints: twoPods,
      flows: [
        { src: 'a', dst: 'b', proto: 'TCP', port: 8, expect: 'ALLOW' },
        { src: 'a', dst: 'b', proto: 'TCP', port: 10, expect: 'DROP' },
      ],
    });
  });

  test('§8.2 an L4-only item allows any peer on those ports, including world and other namespaces', () => {
    expectScenario({
      policies: [cnp('l4', { endpointSelector: { matchLabels: { app: 'b' } }, ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] })],
      endpoints: { ...twoPods, o: { namespace: 'other' } },
      flows: [
        { src: 'world:8.8.4.4', dst: 'b', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'o', dst: 'b', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'a', dst: 'b', proto: 'TCP', port: 81, expect: 'DROP' },
      ],
    });
  });

  test('§8.2 an empty non-nil peer list selects nothing even with toPorts; toPorts [{}] allows nothing', () => {
    expectScenario({
      policies: [
        cnp('p', {
          endpointSelector: { matchLabels: { app: 'b' } },
          ingress: [
            { fromEndpoints: [], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
            { fromEntities: ['all'], toPorts: [{}] },
          ],
        }),
      ],
      endpoints: twoPods,
      flows: [
        { src: 'a', dst: 'b', proto: 'TCP', port: 80, expect: 'DROP' },
        { src: 'a', dst: 'b', proto: 'TCP', port: 443, expect: 'DROP' },
      ],
    });
  });

  test('§8.2 L3-only allows include ICMP; toPorts-only items do not; icmps allow the listed types', () => {
    expectScenario({
      policies: [
        cnp('l3', { endpointSelector: { matchLabels: { app: 'b' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'a' } }] }] }),
        cnp('l4', { endpointSelector: { matchLabels: { app: 'c' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'a' } }], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] }),
        cnp('icmp', {
          endpointSelector: { matchLabels: { app: 'd' } },
          ingress: [{ fromEndpoints: [{ matchLabels: { app: 'a' } }], icmps: [{ fields: [{ type: 8, family: 'IPv4' }, { type: 'EchoRequest', family: 'IPv6' }] }] }],
        }),
      ],
      endpoints: { ...twoPods, c: { labels: { app: 'c' } }, d: { labels: { app: 'd' } } },
      flows: [
        { src: 'a', dst: 'b', proto: 'ICMP', expect: 'ALLOW' },
        { src: 'a', dst: 'c', proto: 'ICMP', expect: 'DROP' },
        { src: 'a', dst: 'd', proto: 'ICMP', expect: 'ALLOW' },
        { src: 'a', dst: 'd', proto: 'ICMP', port: 13, expect: 'DROP' },
        { src: 'a', dst: 'd', proto: 'TCP', port: 80, expect: 'DROP' },
      ],
    });
  });

  test('§8.3 named ports: ingress resolves against the destination pod, with its protocol', () => {
    expectScenario({
      policies: [cnp('p', { endpointSelector: { matchLabels: { app: 'b' } }, ingress: [{ toPorts: [{ ports: [{ port: 'http-alt' }] }, { ports: [{ port: 'dns', protocol: 'TCP' }] }] }] })],
      endpoints: { a: {}, b: { labels: { app: 'b' }, namedPorts: { 'http-alt': '8080/TCP', 'dns': '53/UDP' } } },
      flows: [
        { src: 'a', dst: 'b', proto: 'TCP', port: 8080, expect: 'ALLOW' },
        { src: 'a', dst: 'b', proto: 'UDP', port: 8080, expect: 'DROP' },
        { src: 'a', dst: 'b', proto: 'TCP', port: 53, expect: 'DROP' },
        { src: 'a', dst: 'b', proto: 'UDP', port: 53, expect: 'DROP' },
      ],
    });
  });

  test('§8.3 named ports on egress: the union of all pods; two numbers for one name allow nothing', () => {
    expectScenario({
      policies: [
        cnp('p', {
          endpointSelector: { matchLabels: { app: 'a' } },
          egress: [{ toEndpoints: [{}], toPorts: [{ ports: [{ port: 'metrics', protocol: 'TCP' }, { port: 'web', protocol: 'TCP' }] }] }],
        }),
      ],
      endpoints: {
        a: { labels: { app: 'a' } },
        x: { namedPorts: { metrics: '9090/TCP', web: '8080/TCP' } },
        y: { namedPorts: { metrics: '9091/TCP' } },
      },
      flows: [
        { src: 'a', dst: 'x', proto: 'TCP', port: 9090, expect: 'DROP' },
        { src: 'a', dst: 'y', proto: 'TCP', port: 9091, expect: 'DROP' },
        { src: 'a', dst: 'x', proto: 'TCP', port: 8080, expect: 'ALLOW' },
        { src: 'a', dst: 'y', proto: 'TCP', port: 8080, expect: 'ALLOW' },
      ],
    });
  });
});

describe('§9 layer 7', () => {
  const l7 = cnp('rule1', {
    endpointSelector: { matchLabels: { app: 'service' } },
    ingress: [
      {
        fromEndpoints: [{ matchLabels: { env: 'prod' } }],
        toPorts: [
          {
            ports: [{ port: '80', protocol: 'TCP' }],
            rules: { http: [{ method: 'GET', path: '/public' }, { method: 'PUT', path: '/path2$', headers: ['X-My-Header: true'] }] },
          },
        ],
      },
    ],
  });
  const eps = { svc: { labels: { app: 'service' } }, prod: { labels: { env: 'prod' } }, dev: { labels: { env: 'dev' } } };

  test('§9.2 HTTP path and method are anchored full matches, case-sensitive', () => {
    expectScenario({
      policies: [l7],
      endpoints: eps,
      flows: [
        { src: 'prod', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'GET', path: '/public' }, expect: 'ALLOW' },
        { src: 'prod', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'GET', path: '/public/' }, expect: 'L7_DENY' },
        { src: 'prod', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'GET', path: '/public?x=1' }, expect: 'L7_DENY' },
        { src: 'prod', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'HEAD', path: '/public' }, expect: 'L7_DENY' },
        { src: 'prod', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'get', path: '/public' }, expect: 'L7_DENY' },
        { src: 'prod', dst: 'svc', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'dev', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'GET', path: '/public' }, expect: 'DROP' },
      ],
    });
  });

  test('§9.2 header rules: "Name: value" is an exact match; rules OR', () => {
    expectScenario({
      policies: [l7],
      endpoints: eps,
      flows: [
        { src: 'prod', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'PUT', path: '/path2', headers: { 'X-My-Header': 'true' } }, expect: 'ALLOW' },
        { src: 'prod', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'PUT', path: '/path2', headers: { 'x-my-header': 'true' } }, expect: 'ALLOW' },
        { src: 'prod', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'PUT', path: '/path2', headers: { 'X-My-Header': 'false' } }, expect: 'L7_DENY' },
        { src: 'prod', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'PUT', path: '/path2' }, expect: 'L7_DENY' },
      ],
    });
  });

  test('§9.2 headerMatches: an empty mismatch must match; LOG/ADD/REPLACE/DELETE never refuse', () => {
    expectScenario({
      policies: [
        cnp('hm', {
          endpointSelector: { matchLabels: { app: 'service' } },
          ingress: [
            {
              toPorts: [
                {
                  ports: [{ port: '80', protocol: 'TCP' }],
                  rules: { http: [{ path: '/a', headerMatches: [{ name: 'X-Token', value: 's3cret' }] }, { path: '/b', headerMatches: [{ name: 'X-Token', value: 's3cret', mismatch: 'REPLACE' }] }] },
                },
              ],
            },
          ],
        }),
      ],
      endpoints: eps,
      flows: [
        { src: 'prod', dst: 'svc', proto: 'TCP', port: 80, http: { path: '/a', headers: { 'X-Token': 's3cret' } }, expect: 'ALLOW' },
        { src: 'prod', dst: 'svc', proto: 'TCP', port: 80, http: { path: '/a', headers: { 'X-Token': 'nope' } }, expect: 'L7_DENY' },
        { src: 'prod', dst: 'svc', proto: 'TCP', port: 80, http: { path: '/b', headers: { 'X-Token': 'nope' } }, expect: 'ALLOW' },
      ],
    });
  });

  test('§9.5 an L4-only allow covering the same peer and port shadows the L7 rules (any selector, any policy)', () => {
    expectScenario({
      policies: [l7, cnp('l4', { endpointSelector: { matchLabels: { app: 'service' } }, ingress: [{ fromEntities: ['cluster'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }] })],
      endpoints: eps,
      flows: [
        { src: 'prod', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'DELETE', path: '/x' }, expect: 'ALLOW' },
        { src: 'world:1.2.3.4', dst: 'svc', proto: 'TCP', port: 80, expect: 'DROP' },
      ],
    });
  });

  test('§9.5 an L3-only allow for the peer also removes the L7 restriction', () => {
    expectScenario({
      policies: [l7, cnp('l3', { endpointSelector: { matchLabels: { app: 'service' } }, ingress: [{ fromEndpoints: [{ matchLabels: { env: 'prod' } }] }] })],
      endpoints: eps,
      flows: [{ src: 'prod', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'DELETE', path: '/x' }, expect: 'ALLOW' }],
    });
  });

  test('§9.5 L7 rules on a default-allow endpoint get a wildcard from v1.18; before they restrict', () => {
    const doc = (version: string, expectDelete: string) => ({
      env: { version },
      policies: [
        cnp('vis', {
          endpointSelector: { matchLabels: { app: 'service' } },
          enableDefaultDeny: { ingress: false },
          ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
        }),
      ],
      endpoints: eps,
      flows: [
        { src: 'prod', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'GET', path: '/' }, expect: 'ALLOW' },
        { src: 'prod', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'DELETE', path: '/' }, expect: expectDelete },
        { src: 'prod', dst: 'svc', proto: 'TCP', port: 22, expect: 'ALLOW' },
      ],
    });
    expectScenario(doc('1.17', 'L7_DENY'));
    expectScenario(doc('1.18', 'ALLOW'));
    expectScenario(doc('1.19', 'ALLOW'));
  });

  test('§9.5 allow-localhost bypasses L7 rules; with allowLocalhost policy the host is an ordinary peer', () => {
    const doc = (mode: string, expectV: string) => ({
      env: { allowLocalhost: mode },
      policies: [l7],
      endpoints: eps,
      flows: [{ src: 'host', dst: 'svc', proto: 'TCP', port: 80, http: { method: 'POST', path: '/healthz' }, expect: expectV }],
    });
    expectScenario(doc('always', 'ALLOW'));
    expectScenario(doc('policy', 'DROP'));
  });

  test('§9.3 DNS rules on egress: names outside the rules are refused at L7; a flow without L7 rules on its port is allowed', () => {
    expectScenario({
      policies: [
        cnp('dns', {
          endpointSelector: {},
          egress: [
            {
              toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }],
              toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'cilium.io' }, { matchPattern: '*.cilium.io' }] } }],
            },
            { toEntities: ['world'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] },
          ],
        }),
      ],
      endpoints: { a: {}, dns: { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } } },
      flows: [
        { src: 'a', dst: 'dns', proto: 'UDP', port: 53, dns: 'cilium.io', expect: 'ALLOW' },
        { src: 'a', dst: 'dns', proto: 'UDP', port: 53, dns: 'docs.CILIUM.io.', expect: 'ALLOW' },
        { src: 'a', dst: 'dns', proto: 'UDP', port: 53, dns: 'sub.sub.cilium.io', expect: 'L7_DENY' },
        { src: 'a', dst: 'dns', proto: 'TCP', port: 53, dns: 'example.com', expect: 'L7_DENY' },
        { src: 'a', dst: 'world:1.1.1.1', proto: 'TCP', port: 80, http: { method: 'GET', path: '/' }, expect: 'ALLOW' },
      ],
    });
  });
});

describe('§10 toFQDNs', () => {
  const dnsRule = (pattern: any) => ({
    toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
    toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [pattern] } }],
  });

  test('§10 toFQDNs allows the resolved address only with a DNS-proxy rule admitting the name', () => {
    expectScenario({
      policies: [
        cnp('with-dns', { endpointSelector: { matchLabels: { app: 'a' } }, egress: [dnsRule({ matchPattern: '*' }), { toFQDNs: [{ matchName: 'my-remote-service.com' }] }] }),
        cnp('no-dns', { endpointSelector: { matchLabels: { app: 'b' } }, egress: [{ toFQDNs: [{ matchName: 'my-remote-service.com' }] }] }),
        cnp('narrow-dns', {
          endpointSelector: { matchLabels: { app: 'c' } },
          egress: [dnsRule({ matchName: 'other.com' }), { toFQDNs: [{ matchName: 'my-remote-service.com' }] }],
        }),
      ],
      endpoints: { ...twoPods, c: { labels: { app: 'c' } } },
      dns: { 'my-remote-service.com': ['198.51.100.7'] },
      flows: [
        { src: 'a', dst: 'world:198.51.100.7', proto: 'TCP', port: 443, expect: 'ALLOW' },
        { src: 'a', dst: 'world:198.51.100.8', proto: 'TCP', port: 443, expect: 'DROP' },
        { src: 'b', dst: 'world:198.51.100.7', proto: 'TCP', port: 443, expect: 'DROP' },
        { src: 'c', dst: 'world:198.51.100.7', proto: 'TCP', port: 443, expect: 'DROP' },
      ],
    });
  });

  test('§10 the reason explains a toFQDNs rule whose name the DNS proxy never learns', () => {
    const r = explainOne({
      policies: [cnp('no-dns', { endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: 'api.example.com' }] }] })],
      endpoints: { a: {} },
      dns: { 'api.example.com': ['198.51.100.20'] },
      flows: [{ src: 'a', dst: 'world:198.51.100.20', proto: 'TCP', port: 443 }],
    });
    expect(r.verdict).toBe('DROP');
    expect(r.reason).toContain('spec.egress[0] names api.example.com., but no egress rule with rules.dns towards the DNS server admits that name');
  });

  test('§10 a DNS rule whose peer selector has no namespace key does not reach kube-dns in kube-system', () => {
    expectScenario({
      policies: [
        cnp('p', {
          endpointSelector: {},
          egress: [
            { toEndpoints: [{ matchLabels: { 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
            { toFQDNs: [{ matchName: 'api.example.com' }] },
          ],
        }),
      ],
      endpoints: { a: {} },
      dns: { 'api.example.com': ['198.51.100.20'] },
      flows: [{ src: 'a', dst: 'world:198.51.100.20', proto: 'TCP', port: 443, expect: 'DROP' }],
    });
  });

  test('§9.3 matchPattern `**.` spans several labels from v1.19; before it behaves like `*`', () => {
    const doc = (version: string, deep: string) => ({
      env: { version },
      policies: [cnp('p', { endpointSelector: {}, egress: [dnsRule({ matchPattern: '**.cilium.io' }), { toFQDNs: [{ matchPattern: '**.cilium.io' }] }] })],
      endpoints: { a: {} },
      dns: { 'test.app.cilium.io': ['198.51.100.1'], 'app.cilium.io': ['198.51.100.2'], 'cilium.io': ['198.51.100.3'] },
      flows: [
        { src: 'a', dst: 'world:198.51.100.1', proto: 'TCP', port: 443, expect: deep },
        { src: 'a', dst: 'world:198.51.100.2', proto: 'TCP', port: 443, expect: 'ALLOW' },
        { src: 'a', dst: 'world:198.51.100.3', proto: 'TCP', port: 443, expect: 'DROP' },
      ],
    });
    expectScenario(doc('1.19', 'ALLOW'));
    expectScenario(doc('1.18', 'DROP'));
  });

  test('§10 toFQDNs never selects in-cluster pods', () => {
    expectScenario({
      policies: [cnp('p', { endpointSelector: { matchLabels: { app: 'a' } }, egress: [dnsRule({ matchPattern: '*' }), { toFQDNs: [{ matchPattern: '*.svc.cluster.local' }] }] })],
      endpoints: { a: { labels: { app: 'a' } }, b: { ip: '10.0.1.9' } },
      dns: { 'b.default.svc.cluster.local': ['10.0.1.9'] },
      flows: [{ src: 'a', dst: 'b', proto: 'TCP', port: 80, expect: 'DROP' }],
    });
  });
});

describe('§11 deny precedence', () => {
  test('§11 deny wins over allow from any policy (egress-deny example)', () => {
    expectScenario({
      policies: [
        cnp('deny-egress-example', {
          endpointSelector: { matchLabels: { role: 'frontend' } },
          egress: [{ toEntities: ['all'] }],
          egressDeny: [{ toEndpoints: [{ matchLabels: { role: 'backend' } }] }],
        }),
      ],
      endpoints: { fe: { labels: { role: 'frontend' } }, be: { labels: { role: 'backend' } }, other: {} },
      flows: [
        { src: 'fe', dst: 'be', proto: 'TCP', port: 80, expect: 'DROP' },
        { src: 'fe', dst: 'other', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'fe', dst: 'world:1.1.1.1', proto: 'TCP', port: 443, expect: 'ALLOW' },
      ],
    });
  });

  test('§11 a deny port range beats an allowed port inside it; an allowed range keeps the ports outside the deny', () => {
    expectScenario({
      policies: [
        cnp('a', {
          endpointSelector: { matchLabels: { app: 'b' } },
          ingress: [{ fromEntities: ['all'], toPorts: [{ ports: [{ port: '1', endPort: 1024, protocol: 'TCP' }] }] }],
          ingressDeny: [{ fromEntities: ['all'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
        }),
        cnp('c', {
          endpointSelector: { matchLabels: { app: 'c' } },
          ingress: [{ fromEntities: ['all'], toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }] }] }],
          ingressDeny: [{ fromEntities: ['all'], toPorts: [{ ports: [{ port: '1', endPort: 1024, protocol: 'TCP' }] }] }],
        }),
      ],
      endpoints: { ...twoPods, c: { labels: { app: 'c' } } },
      flows: [
        { src: 'a', dst: 'b', proto: 'TCP', port: 80, expect: 'DROP' },
        { src: 'a', dst: 'b', proto: 'TCP', port: 79, expect: 'ALLOW' },
        { src: 'a', dst: 'b', proto: 'TCP', port: 81, expect: 'ALLOW' },
        { src: 'a', dst: 'c', proto: 'TCP', port: 80, expect: 'DROP' },
      ],
    });
  });

  test('§11 world deny + all allow (from_world_deny example); deny CIDR covers addresses inside it', () => {
    expectScenario({
      policies: [
        ccnp('external-lockdown', { endpointSelector: {}, ingressDeny: [{ fromEntities: ['world'] }], ingress: [{ fromEntities: ['all'] }] }),
        cnp('cidr-deny', { endpointSelector: { matchLabels: { app: 'a' } }, egress: [{ toEntities: ['world'] }], egressDeny: [{ toCIDR: ['203.0.113.0/24'] }] }),
      ],
      endpoints: twoPods,
      flows: [
        { src: 'world:8.8.8.8', dst: 'b', proto: 'TCP', port: 80, expect: 'DROP' },
        { src: 'b', dst: 'a', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'remote-node', dst: 'b', proto: 'TCP', port: 80, expect: 'ALLOW' },
        { src: 'a', dst: 'world:203.0.113.77', proto: 'TCP', port: 443, expect: 'DROP' },
        { src: 'a', dst: 'world:198.51.100.1', proto: 'TCP', port: 443, expect: 'ALLOW' },
      ],
    });
  });

  test('§11 a deny matching the host overrides allow-localhost', () => {
    expectScenario({
      policies: [cnp('p', { endpointSelector: { matchLabels: { app: 'b' } }, ingress: [{ fromEntities: ['all'] }], ingressDeny: [{ fromEntities: ['cluster'] }] })],
      endpoints: twoPods,
      flows: [
        { src: 'host', dst: 'b', proto: 'TCP', port: 8080, expect: 'DROP' },
        { src: 'world:9.9.9.9', dst: 'b', proto: 'TCP', port: 8080, expect: 'ALLOW' },
      ],
    });
  });
});

describe('§12 flows and sides', () => {
  test('§12 pod to pod needs the source egress and the destination ingress', () => {
    const r = explainOne({
      policies: [
        cnp('eg', { endpointSelector: { matchLabels: { app: 'a' } }, egress: [{ toEndpoints: [{ matchLabels: { app: 'b' } }] }] }),
        cnp('in', { endpointSelector: { matchLabels: { app: 'b' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'c' } }] }] }),
      ],
      endpoints: twoPods,
      flows: [{ src: 'a', dst: 'b', proto: 'TCP', port: 80 }],
    });
    expect(r.verdict).toBe('DROP');
    expect(r.decidedBy).toBe('ingress');
    expect(r.egress?.verdict).toBe('ALLOW');
    expect(r.reason).toMatch(/b is in ingress default deny \(CiliumNetworkPolicy default\/in\) and no rule allows TCP\/80 from a/);
  });

  test('§12 the reason names the deciding policy and rule', () => {
    const r = explainOne({
      policies: [
        cnp('x', {
          endpointSelector: { matchLabels: { app: 'b' } },
          ingress: [{ fromEntities: ['world'] }, { fromEndpoints: [{ matchLabels: { app: 'a' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }],
        }),
      ],
      endpoints: twoPods,
      flows: [{ src: 'a', dst: 'b', proto: 'TCP', port: 5432 }],
    });
    expect(r.verdict).toBe('ALLOW');
    expect(r.policy).toEqual({ kind: 'CiliumNetworkPolicy', namespace: 'default', name: 'x' });
    expect(r.rule).toBe('spec.ingress[1]');
    expect(r.reason).toContain('allowed by CiliumNetworkPolicy default/x spec.ingress[1]');
  });

  test('§13 rules of `specs` are all applied and reported by index', () => {
    const doc = {
      policies: [
        {
          apiVersion: 'cilium.io/v2',
          kind: 'CiliumNetworkPolicy',
          metadata: { name: 'multi', namespace: 'default' },
          specs: [
            { endpointSelector: { matchLabels: { app: 'a' } }, egress: [{ toEntities: ['kube-apiserver'] }] },
            { endpointSelector: { matchLabels: { app: 'b' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'a' } }] }] },
          ],
        },
      ],
      endpoints: twoPods,
      flows: [
        { src: 'a', dst: 'kube-apiserver', proto: 'TCP', port: 6443, expect: 'ALLOW' },
        { src: 'a', dst: 'b', proto: 'TCP', port: 80, expect: 'DROP' },
      ],
    };
    expectScenario(doc);
    const r = explainOne({ ...doc, flows: [doc.flows[1]] });
    expect(r.reason).toContain('CiliumNetworkPolicy default/multi');
    expect(explainOne({ ...doc, flows: [doc.flows[0]] }).rule).toBe('specs[0].egress[0]');
  });
});

describe('§14 invalid policies have no effect', () => {
  test('§14.2 a policy the agent rejects has no effect at all, including its default deny, and the reason says so', () => {
    const doc = {
      policies: [
        cnp('bad', {
          endpointSelector: { matchLabels: { app: 'b' } },
          ingress: [{ fromEndpoints: [{ matchLabels: { app: 'a' } }], fromCIDR: ['10.0.0.0/8'] }],
        }),
      ],
      endpoints: { ...twoPods, c: {} },
      flows: [{ src: 'c', dst: 'b', proto: 'TCP', port: 80, expect: 'ALLOW' }],
    };
    expectScenario(doc);
    expect(explainOne(doc).reason).toMatch(/CiliumNetworkPolicy default\/bad is rejected by the agent: .*; it has no effect/);
  });

  test('§9.1 with enableL7Proxy false a policy with L7 rules is rejected', () => {
    expectScenario({
      env: { enableL7Proxy: false },
      policies: [
        cnp('l7', {
          endpointSelector: { matchLabels: { app: 'b' } },
          ingress: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{ method: 'GET' }] } }] }],
        }),
      ],
      endpoints: twoPods,
      flows: [
        { src: 'a', dst: 'b', proto: 'TCP', port: 22, expect: 'ALLOW' },
        { src: 'a', dst: 'b', proto: 'TCP', port: 80, http: { method: 'POST', path: '/' }, expect: 'ALLOW' },
      ],
    });
  });

  test('§14.4 a field unknown to the schema is pruned: `labelSelector` widens the peer to the policy namespace', () => {
    const doc = {
      policies: [
        cnp('any-ns', {
          endpointSelector: { matchLabels: { 'cnpg.io/cluster': 'cluster-example' } },
          ingress: [{ fromEndpoints: [{ labelSelector: { matchLabels: { role: 'backend' } } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }],
        }),
      ],
      endpoints: {
        db: { labels: { 'cnpg.io/cluster': 'cluster-example' } },
        anyLocal: {},
        backendElsewhere: { namespace: 'backend', labels: { role: 'backend' } },
      },
      flows: [
        { src: 'anyLocal', dst: 'db', proto: 'TCP', port: 5432, expect: 'ALLOW' },
        { src: 'backendElsewhere', dst: 'db', proto: 'TCP', port: 5432, expect: 'DROP' },
      ],
    };
    expectScenario(doc);
    expect(explainOne(doc).reason).toContain('labelSelector');
  });

  test('§14.4 egressDeny toFQDNs is pruned into a deny that denies nothing but enables egress default deny', () => {
    expectScenario({
      policies: [cnp('p', { endpointSelector: { matchLabels: { app: 'a' } }, egressDeny: [{ toFQDNs: [{ matchName: 'evil.com' }] }] })],
      endpoints: twoPods,
      dns: { 'evil.com': ['203.0.113.66'] },
      flows: [
        { src: 'a', dst: 'world:8.8.8.8', proto: 'TCP', port: 443, expect: 'DROP' },
        { src: 'a', dst: 'b', proto: 'TCP', port: 80, expect: 'DROP' },
      ],
    });
  });

  test('§1 an object of the wrong apiVersion is never created', () => {
    const doc = {
      policies: [{ apiVersion: 'cilium.io/v1alpha1', kind: 'CiliumNetworkPolicy', metadata: { name: 'old' }, spec: { endpointSelector: {}, ingress: [{}] } }],
      endpoints: twoPods,
      flows: [{ src: 'a', dst: 'b', proto: 'TCP', port: 80, expect: 'ALLOW' }],
    };
    expectScenario(doc);
    expect(explainOne(doc).reason).toContain('is not created');
  });
});
