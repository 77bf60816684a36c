/**
 * Kubernetes NetworkPolicy (networking.k8s.io/v1) as Cilium enforces it: one table of scenarios,
 * each with concrete flows and their expected verdicts, and the source of the expectation in the
 * case name. The sources are those of the research notes on NetworkPolicy under Cilium
 * (sections A1–A7: Cilium's `pkg/k8s/network_policy.go` `ParseNetworkPolicy` and its tests in
 * `pkg/k8s/network_policy_test.go`; section B: the API server's validation and defaulting;
 * section E: classic mistakes) and of reference/cilium-semantics.md (REF) for the CNP side.
 *
 * A case whose expectation is Cilium's behaviour but that the engine gets wrong is marked
 * `failing` with `engine bug: ...`; it runs as `test.failing` until the engine is fixed.
 */
import { Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ccnp, cnp, expectScenario, explainOne } from './helpers';
import { AccessClient, AccessGrant, AccessTarget, PodSelector, SecuredPostgres } from '../../src';
import { evaluateTraffic, installCiliumMatchers } from '../../src/testing';

installCiliumMatchers();

/** A NetworkPolicy manifest (namespace `shop` unless given; `null` leaves metadata.namespace out). */
function np(name: string, spec: any, namespace: string | null = 'shop'): any {
  const metadata: any = { name };
  if (namespace !== null) metadata.namespace = namespace;
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec };
}

/** Namespace labels; `kube-system` is left out on purpose (only its automatic name label). */
const NAMESPACES = {
  shop: { labels: { team: 'a', env: 'prod' } },
  pay: { labels: { team: 'b', env: 'prod' } },
  dev: { labels: { team: 'a', env: 'dev' } },
};

/** Pods of four namespaces; pod IPs in 10.1.0.0/16 (to show ipBlock never selects pods). */
const ENDPOINTS = {
  'web': { namespace: 'shop', labels: { app: 'web', tier: 'fe' }, ip: '10.1.0.10' },
  'db': { namespace: 'shop', labels: { app: 'db', tier: 'be' }, ip: '10.1.0.11', namedPorts: { pg: '5432/TCP', metrics: '9187/TCP', http: '8008/TCP' } },
  'api': { namespace: 'shop', labels: { app: 'api', tier: 'be' }, ip: '10.1.0.12', namedPorts: { http: '8080/TCP' } },
  'fake-dns': { namespace: 'shop', labels: { 'k8s-app': 'kube-dns' }, ip: '10.1.0.13' },
  'pay-web': { namespace: 'pay', labels: { app: 'web' }, ip: '10.1.1.10' },
  'pay-api': { namespace: 'pay', labels: { app: 'api' }, ip: '10.1.1.11' },
  'pay-db': { namespace: 'pay', labels: { app: 'db' }, ip: '10.1.1.12' },
  'dev-web': { namespace: 'dev', labels: { app: 'web' }, ip: '10.1.2.10' },
  'dev-api': { namespace: 'dev', labels: { app: 'api' }, ip: '10.1.2.11' },
  'dns': { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, ip: '10.1.3.10' },
  'def': { namespace: 'default', labels: { app: 'db' }, ip: '10.1.4.10' },
  'pg-0': { namespace: 'shop', labels: { 'app.kubernetes.io/name': 'pg', 'statefulset.kubernetes.io/pod-name': 'pg-0', 'pod-template-hash': 'abc' }, ip: '10.1.0.14' },
};

type Verdict = 'ALLOW' | 'DROP' | 'L7_DENY';
/** A flow: [src, dst, "PROTO/port", verdict] plus an optional HTTP request or `{ dns: name }`. */
type FlowRow = [string, string, string, Verdict, any?];

interface Case {
  /** What is pinned, with its source. */
  readonly name: string;
  readonly policies: readonly any[];
  readonly flows: readonly FlowRow[];
  readonly env?: any;
  /** What names resolve to (toFQDNs). */
  readonly dns?: Record<string, string[]>;
  /** Set when the engine disagrees with the cited behaviour: `engine bug: ...`. */
  readonly failing?: string;
}

function flow([src, dst, l4, expect, extra]: FlowRow): any {
  const [proto, port] = l4.split('/');
  const l7 = extra === undefined ? {} : 'dns' in extra ? { dns: extra.dns } : { http: extra };
  return { src, dst, proto, ...(port !== undefined ? { port: Number(port) } : {}), ...l7, expect };
}

function scenario(c: Pick<Case, 'policies' | 'flows' | 'env' | 'dns'>): any {
  return { env: c.env, namespaces: NAMESPACES, endpoints: ENDPOINTS, policies: c.policies, dns: c.dns, flows: c.flows.map(flow) };
}

const db = { matchLabels: { app: 'db' } };
const fromWeb = [{ podSelector: { matchLabels: { app: 'web' } } }];
const denyIngress = (name = 'deny', podSelector: any = db) => np(name, { podSelector, policyTypes: ['Ingress'] });
/** An NP that makes `web` egress-isolated and allows the given egress rules. */
const webEgress = (name: string, egress: any[], extra: any = {}) => np(name, { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress, ...extra });

const CASES: Case[] = [
  // ------------------------------------------------------------------------------------------
  // A1: the subject
  {
    name: 'A1 podSelector selects pods of the policy namespace only; same labels elsewhere are not selected (np-test-118 TestParseNetworkPolicy: subject = podSelector + k8s:io.kubernetes.pod.namespace)',
    policies: [denyIngress()],
    flows: [
      ['web', 'db', 'TCP/5432', 'DROP'],
      ['web', 'pay-db', 'TCP/5432', 'ALLOW'],
      ['web', 'def', 'TCP/5432', 'ALLOW'],
      ['web', 'api', 'TCP/8080', 'ALLOW'],
    ],
  },
  {
    name: 'A1 podSelector {} is every pod of the namespace and nothing else (TestNetworkPolicyExamples "Example 3"; K8s example network-policy-default-deny-ingress.yaml)',
    policies: [denyIngress('deny-all', {})],
    flows: [
      ['pay-web', 'web', 'TCP/80', 'DROP'],
      ['pay-web', 'api', 'TCP/8080', 'DROP'],
      ['pay-web', 'fake-dns', 'UDP/53', 'DROP'],
      ['web', 'pay-api', 'TCP/8080', 'ALLOW'],
      ['web', 'dns', 'UDP/53', 'ALLOW'],
      ['web', 'health', 'TCP/4240', 'ALLOW'],
    ],
  },
  {
    name: 'A1 an NP without metadata.namespace applies in "default" (ParseNetworkPolicy: k8sUtils.ExtractNamespaceOrDefault)',
    policies: [np('deny', { podSelector: db, policyTypes: ['Ingress'] }, null)],
    flows: [
      ['web', 'def', 'TCP/5432', 'DROP'],
      ['web', 'db', 'TCP/5432', 'ALLOW'],
    ],
  },
  {
    name: 'A1 a podSelector key io.kubernetes.pod.namespace is overwritten with the policy namespace (np-legacy ParseNetworkPolicy: PodSelector.MatchLabels[PodNamespaceLabel] = namespace; code-derived)',
    policies: [np('deny', { podSelector: { matchLabels: { 'app': 'db', 'io.kubernetes.pod.namespace': 'pay' } }, policyTypes: ['Ingress'] })],
    flows: [
      ['web', 'db', 'TCP/5432', 'DROP'],
      ['web', 'pay-db', 'TCP/5432', 'ALLOW'],
    ],
  },

  // ------------------------------------------------------------------------------------------
  // A2 / B: policyTypes, explicit and defaulted by the API server
  {
    name: 'A2/B no policyTypes + egress rules defaults to [Ingress, Egress]: egress enforced per rules, ingress denied (k8s SetDefaults_NetworkPolicy)',
    policies: [np('web-out', { podSelector: { matchLabels: { app: 'web' } }, egress: [{ to: [{ podSelector: db }], ports: [{ port: 5432 }] }] })],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['web', 'api', 'TCP/8080', 'DROP'],
      ['web', 'world:198.51.100.7', 'TCP/443', 'DROP'],
      ['pay-web', 'web', 'TCP/80', 'DROP'],
      ['api', 'web', 'TCP/80', 'DROP'],
    ],
  },
  {
    name: 'A2/B no policyTypes and no egress rules (egress: []) is Ingress only (k8s SetDefaults_NetworkPolicy; TestParseNetworkPolicyDenyAll)',
    policies: [np('db-in', { podSelector: db, ingress: [{ from: fromWeb }], egress: [] })],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['api', 'db', 'TCP/5432', 'DROP'],
      ['db', 'world:198.51.100.7', 'TCP/443', 'ALLOW'],
      ['db', 'dns', 'UDP/53', 'ALLOW'],
    ],
  },
  {
    name: 'A2 policyTypes [Ingress] without ingress denies all ingress, egress untouched (np-test-118 "ingress default deny")',
    policies: [denyIngress()],
    flows: [
      ['web', 'db', 'TCP/5432', 'DROP'],
      ['pay-web', 'db', 'TCP/5432', 'DROP'],
      ['world:203.0.113.5', 'db', 'TCP/5432', 'DROP'],
      ['remote-node', 'db', 'TCP/5432', 'DROP'],
      ['db', 'api', 'TCP/8080', 'ALLOW'],
      ['db', 'world:198.51.100.7', 'TCP/443', 'ALLOW'],
    ],
  },
  {
    name: 'A2/E3 policyTypes [Egress] without egress denies all egress, DNS included; ingress untouched (ParseNetworkPolicy egresses = [{}])',
    policies: [webEgress('web-deny-out', [])],
    flows: [
      ['web', 'dns', 'UDP/53', 'DROP'],
      ['web', 'dns', 'TCP/53', 'DROP'],
      ['web', 'db', 'TCP/5432', 'DROP'],
      ['web', 'world:198.51.100.7', 'TCP/443', 'DROP'],
      ['web', 'host', 'TCP/10250', 'DROP'],
      ['pay-web', 'web', 'TCP/80', 'ALLOW'],
    ],
  },
  {
    name: 'A2 policyTypes [Egress] with non-empty ingress: Cilium still enforces the ingress rules (cilium/cilium#48703; np-legacy converts spec.ingress unconditionally)',
    policies: [np('odd', { podSelector: db, policyTypes: ['Egress'], ingress: [{ from: fromWeb, ports: [{ port: 5432 }] }] })],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['api', 'db', 'TCP/5432', 'DROP'],
      ['web', 'db', 'TCP/8000', 'DROP'],
      ['db', 'world:198.51.100.7', 'TCP/443', 'DROP'],
      ['db', 'dns', 'UDP/53', 'DROP'],
    ],
  },
  {
    name: 'A2 policyTypes [Ingress] with non-empty egress: Cilium enforces the egress rules too (notes A2 table; np-legacy converts spec.egress unconditionally)',
    policies: [np('odd', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress'], egress: [{ to: [{ podSelector: db }] }] })],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['web', 'api', 'TCP/8080', 'DROP'],
      ['api', 'web', 'TCP/80', 'DROP'],
    ],
  },
  {
    name: 'A2 policyTypes [Ingress, Egress] with only ingress rules puts egress in default deny (ParseNetworkPolicy egresses = [{}])',
    policies: [np('both', { podSelector: db, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: fromWeb }] })],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['api', 'db', 'TCP/5432', 'DROP'],
      ['db', 'api', 'TCP/8080', 'DROP'],
      ['db', 'dns', 'UDP/53', 'DROP'],
    ],
  },
  {
    name: 'A2 policyTypes [Egress] with ingress: [] leaves ingress unenforced (len(ingresses) == 0 and only Egress listed)',
    policies: [np('out', { podSelector: db, policyTypes: ['Egress'], ingress: [], egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }] })],
    flows: [
      ['pay-web', 'db', 'TCP/5432', 'ALLOW'],
      ['world:203.0.113.5', 'db', 'TCP/5432', 'ALLOW'],
      ['db', 'api', 'TCP/8080', 'ALLOW'],
      ['db', 'web', 'TCP/80', 'DROP'],
    ],
  },

  // ------------------------------------------------------------------------------------------
  // A3: peers
  {
    name: 'A3 podSelector-only peer selects pods of the policy namespace only (Test_parseNetworkPolicyPeer "peer-with-pod-selector"; TestNetworkPolicyExamples ex1)',
    policies: [np('db-from-web', { podSelector: db, ingress: [{ from: fromWeb }] })],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['pay-web', 'db', 'TCP/5432', 'DROP'],
      ['dev-web', 'db', 'TCP/5432', 'DROP'],
      ['api', 'db', 'TCP/5432', 'DROP'],
    ],
  },
  {
    name: 'A3 podSelector: {} alone selects every pod of the policy namespace, nothing else (TestNetworkPolicyExamples ex1b; TestParseNetworkPolicyClusterLabel)',
    policies: [webEgress('web-to-ns', [{ to: [{ podSelector: {} }] }])],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['web', 'fake-dns', 'UDP/53', 'ALLOW'],
      ['web', 'pay-web', 'TCP/80', 'DROP'],
      ['web', 'dns', 'UDP/53', 'DROP'],
      ['web', 'world:198.51.100.7', 'TCP/443', 'DROP'],
      ['web', 'host', 'TCP/10250', 'DROP'],
    ],
  },
  {
    name: 'A3 namespaceSelector-only peer matches by namespace labels (io.cilium.k8s.namespace.labels.*; Test_parseNetworkPolicyPeer "peer-with-ns-selector"; TestNetworkPolicyExamples ex2)',
    policies: [np('db-from-team-a', { podSelector: db, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } } }] }] })],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['dev-web', 'db', 'TCP/5432', 'ALLOW'],
      ['dev-api', 'db', 'TCP/5432', 'ALLOW'],
      ['pay-web', 'db', 'TCP/5432', 'DROP'],
      ['dns', 'db', 'TCP/5432', 'DROP'],
      ['world:203.0.113.5', 'db', 'TCP/5432', 'DROP'],
    ],
  },
  {
    name: 'A3/E4 namespaceSelector by name with kubernetes.io/metadata.name (np-test-118 labelsOther; TestParseNetworkPolicyMultipleSelectors); works for a namespace without declared labels',
    policies: [np('db-from-pay', {
      podSelector: db,
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'pay' } } }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }] }],
    })],
    flows: [
      ['pay-web', 'db', 'TCP/5432', 'ALLOW'],
      ['pay-api', 'db', 'TCP/5432', 'ALLOW'],
      ['dns', 'db', 'TCP/5432', 'ALLOW'],
      ['web', 'db', 'TCP/5432', 'DROP'],
      ['dev-web', 'db', 'TCP/5432', 'DROP'],
    ],
  },
  {
    name: 'A3 namespaceSelector and podSelector in one peer are ANDed (Test_parseNetworkPolicyPeer "peer-with-pod-selector-and-ns-selector"; K8s docs "Behavior of to and from selectors")',
    policies: [np('and', { podSelector: db, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { app: 'web' } } }] }] })],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['dev-web', 'db', 'TCP/5432', 'ALLOW'],
      ['dev-api', 'db', 'TCP/5432', 'DROP'],
      ['pay-web', 'db', 'TCP/5432', 'DROP'],
      ['api', 'db', 'TCP/5432', 'DROP'],
    ],
  },
  {
    name: 'A3/E2 namespaceSelector and podSelector as two items are ORed (ParseNetworkPolicy: one rule per from item; K8s docs two-element example)',
    policies: [np('or', { podSelector: db, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }, { podSelector: { matchLabels: { app: 'web' } } }] }] })],
    flows: [
      ['pay-api', 'db', 'TCP/5432', 'ALLOW'],
      ['pay-web', 'db', 'TCP/5432', 'ALLOW'],
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['dev-web', 'db', 'TCP/5432', 'DROP'],
      ['api', 'db', 'TCP/5432', 'DROP'],
    ],
  },
  {
    name: 'A3 namespaceSelector: {} is every pod of every namespace and not world/host/remote-node/kube-apiserver/ingress/health (allowAllNamespacesRequirement; "peer-with-allow-all-ns-selector"; cilium/cilium#4513)',
    policies: [webEgress('web-to-pods', [{ to: [{ namespaceSelector: {} }] }])],
    flows: [
      ['web', 'pay-web', 'TCP/80', 'ALLOW'],
      ['web', 'dev-api', 'TCP/8080', 'ALLOW'],
      ['web', 'dns', 'UDP/53', 'ALLOW'],
      ['web', 'def', 'TCP/5432', 'ALLOW'],
      ['web', 'world:198.51.100.7', 'TCP/443', 'DROP'],
      ['web', 'host', 'TCP/10250', 'DROP'],
      ['web', 'remote-node', 'TCP/10250', 'DROP'],
      ['web', 'kube-apiserver', 'TCP/6443', 'DROP'],
      ['web', 'ingress', 'TCP/80', 'DROP'],
      ['web', 'health', 'TCP/4240', 'DROP'],
    ],
  },
  {
    name: 'A3 namespaceSelector: {} on ingress: pods of all namespaces, not world nor remote-node (allowAllNamespacesRequirement)',
    policies: [np('from-pods', { podSelector: db, ingress: [{ from: [{ namespaceSelector: {} }] }] })],
    flows: [
      ['pay-web', 'db', 'TCP/5432', 'ALLOW'],
      ['dns', 'db', 'TCP/5432', 'ALLOW'],
      ['world:203.0.113.5', 'db', 'TCP/5432', 'DROP'],
      ['remote-node', 'db', 'TCP/5432', 'DROP'],
      ['ingress', 'db', 'TCP/5432', 'DROP'],
    ],
  },
  {
    name: 'A3 namespaceSelector: {} with podSelector: pods with those labels in every namespace (NewESFromK8sLabelSelector(prefix, nsSel, podSel))',
    policies: [np('webs', { podSelector: db, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'web' } } }] }] })],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['pay-web', 'db', 'TCP/5432', 'ALLOW'],
      ['dev-web', 'db', 'TCP/5432', 'ALLOW'],
      ['dev-api', 'db', 'TCP/5432', 'DROP'],
    ],
  },
  {
    name: 'E3 a pod label used as a namespace label matches nothing (namespaceSelector {k8s-app: kube-dns}; the wrong DNS recipe of the notes)',
    policies: [webEgress('bad-dns', [{ to: [{ namespaceSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }] }])],
    flows: [
      ['web', 'dns', 'UDP/53', 'DROP'],
      ['web', 'fake-dns', 'UDP/53', 'DROP'],
    ],
  },

  // ------------------------------------------------------------------------------------------
  // A4: ipBlock
  {
    name: 'A4 ipBlock with except: world addresses inside allowed, inside except and outside dropped (ipBlockToCIDRRule; TestIPBlockToCIDRRule; REF §6)',
    policies: [np('from-net', { podSelector: db, ingress: [{ from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.128/25'] } }] }] })],
    flows: [
      ['world:203.0.113.10', 'db', 'TCP/5432', 'ALLOW'],
      ['world:203.0.113.127', 'db', 'TCP/5432', 'ALLOW'],
      ['world:203.0.113.128', 'db', 'TCP/5432', 'DROP'],
      ['world:203.0.113.200', 'db', 'TCP/5432', 'DROP'],
      ['world:198.51.100.1', 'db', 'TCP/5432', 'DROP'],
    ],
  },
  {
    name: 'A4/E6 ipBlock never selects a pod IP, in either direction (Cilium docs policy.rst: "ipBlock set with a pod IP" is a known missing feature, gh-issue 9209)',
    policies: [
      np('from-10', { podSelector: db, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] }),
      webEgress('to-10', [{ to: [{ ipBlock: { cidr: '10.1.0.0/16' } }] }]),
    ],
    flows: [
      ['web', 'db', 'TCP/5432', 'DROP'],
      ['api', 'db', 'TCP/5432', 'DROP'],
      ['world:10.9.9.9', 'db', 'TCP/5432', 'ALLOW'],
      ['web', 'api', 'TCP/8080', 'DROP'],
      ['web', 'world:10.1.200.1', 'TCP/8080', 'ALLOW'],
    ],
  },
  {
    name: 'A4/E6 ipBlock 0.0.0.0/0 is world: outside addresses only, never pods, host, remote-node or kube-apiserver (REF §6 "/0 also selects reserved:world")',
    policies: [webEgress('to-any-ip', [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }])],
    flows: [
      ['web', 'world:8.8.8.8', 'TCP/443', 'ALLOW'],
      ['web', 'world:10.20.30.40', 'TCP/443', 'ALLOW'],
      ['web', 'api', 'TCP/8080', 'DROP'],
      ['web', 'dns', 'UDP/53', 'DROP'],
      ['web', 'host', 'TCP/10250', 'DROP'],
      ['web', 'remote-node', 'TCP/10250', 'DROP'],
      ['web', 'kube-apiserver', 'TCP/6443', 'DROP'],
    ],
  },
  {
    name: 'A4/REF §15.8 ingress from ipBlock 0.0.0.0/0 admits outside clients but not the Cilium Ingress proxy nor remote nodes (those arrive as reserved:ingress / reserved:remote-node, which carry no CIDR labels)',
    policies: [np('from-anywhere', { podSelector: db, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 5432 }] }] })],
    flows: [
      ['world:203.0.113.5', 'db', 'TCP/5432', 'ALLOW'],
      ['ingress', 'db', 'TCP/5432', 'DROP'],
      ['remote-node', 'db', 'TCP/5432', 'DROP'],
      ['web', 'db', 'TCP/5432', 'DROP'],
    ],
  },
  {
    name: 'A4 ipBlock over node IPs does not select nodes by default (Cilium docs policy.rst: nodes excluded from ipBlock, gh-issue 20550)',
    policies: [webEgress('to-nodes', [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }] }])],
    flows: [
      ['web', 'remote-node', 'TCP/10250', 'DROP'],
      ['web', 'host', 'TCP/10250', 'DROP'],
      // REF §15.7: an in-cluster API server is not reachable through an ipBlock either
      ['web', 'kube-apiserver', 'TCP/6443', 'DROP'],
      ['web', 'world:10.0.0.99', 'TCP/10250', 'ALLOW'],
    ],
  },
  {
    name: 'A4 with policy-cidr-match-mode=nodes ipBlock selects node IPs (Cilium docs policy.rst "As of v1.15, ipBlock can now optionally select node IPs")',
    env: { policyCidrMatchMode: 'nodes' },
    policies: [webEgress('to-nodes', [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }] }])],
    flows: [
      ['web', 'remote-node', 'TCP/10250', 'ALLOW'],
      ['web', 'host', 'TCP/10250', 'ALLOW'],
      ['web', 'api', 'TCP/8080', 'DROP'],
    ],
  },

  // ------------------------------------------------------------------------------------------
  // A5: from/to missing or empty, ingress: [{}]
  {
    name: 'A5/E1 ingress: [{}] allows every identity, world and host included (TestParseNetworkPolicyIngressAllowAll; K8s example network-policy-allow-all-ingress.yaml)',
    policies: [denyIngress('deny', {}), np('allow-all', { podSelector: db, ingress: [{}] })],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['pay-web', 'db', 'UDP/9999', 'ALLOW'],
      ['world:203.0.113.5', 'db', 'TCP/5432', 'ALLOW'],
      ['remote-node', 'db', 'TCP/5432', 'ALLOW'],
      ['kube-apiserver', 'db', 'TCP/5432', 'ALLOW'],
      ['ingress', 'db', 'TCP/5432', 'ALLOW'],
      ['health', 'db', 'TCP/5432', 'ALLOW'],
      ['pay-web', 'api', 'TCP/8080', 'DROP'],
    ],
  },
  {
    name: 'A5 from: [] is the same as from missing: every identity (ParseNetworkPolicy "If this field is empty or missing"; TestParseNetworkPolicyIngressAllowAll pod c)',
    policies: [np('empty-from', { podSelector: db, ingress: [{ from: [] }] })],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['pay-web', 'db', 'TCP/1', 'ALLOW'],
      ['world:203.0.113.5', 'db', 'TCP/5432', 'ALLOW'],
      ['remote-node', 'db', 'TCP/5432', 'ALLOW'],
      ['host', 'db', 'TCP/5432', 'ALLOW'],
    ],
  },
  {
    name: 'A5 contrast: CNP fromEndpoints: [] selects nothing, and CNP ingress: [{}] denies all (REF §2.2)',
    policies: [
      cnp('empty-list', { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoints: [] }] }, 'shop'),
      cnp('deny-all', { endpointSelector: { matchLabels: { app: 'api' } }, ingress: [{}] }, 'shop'),
    ],
    flows: [
      ['web', 'db', 'TCP/5432', 'DROP'],
      ['world:203.0.113.5', 'db', 'TCP/5432', 'DROP'],
      ['web', 'api', 'TCP/8080', 'DROP'],
    ],
  },
  {
    name: 'A5 egress to: [] (and to missing) allows every destination (TestParseNetworkPolicyEgressAllowAll)',
    policies: [webEgress('to-empty', [{ to: [] }]), np('api-out', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{}] })],
    flows: [
      ['web', 'world:198.51.100.7', 'TCP/443', 'ALLOW'],
      ['web', 'host', 'TCP/10250', 'ALLOW'],
      ['web', 'remote-node', 'TCP/10250', 'ALLOW'],
      ['web', 'kube-apiserver', 'TCP/6443', 'ALLOW'],
      ['web', 'pay-web', 'UDP/9999', 'ALLOW'],
      ['api', 'world:198.51.100.7', 'TCP/443', 'ALLOW'],
      ['api', 'remote-node', 'TCP/10250', 'ALLOW'],
    ],
  },
  {
    name: 'A5 a rule with ports and no peers allows every source on those ports only (np-test-118 "ingress only port"; TestParseNetworkPolicyIngressL4AllowAll)',
    policies: [np('pg-from-all', { podSelector: db, ingress: [{ ports: [{ port: 5432 }] }] })],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['pay-web', 'db', 'TCP/5432', 'ALLOW'],
      ['world:203.0.113.5', 'db', 'TCP/5432', 'ALLOW'],
      ['remote-node', 'db', 'TCP/5432', 'ALLOW'],
      ['web', 'db', 'TCP/5433', 'DROP'],
      ['web', 'db', 'UDP/5432', 'DROP'],
    ],
  },

  // ------------------------------------------------------------------------------------------
  // A6 / B: ports
  {
    name: 'A6/B protocol defaults to TCP: a UDP flow on the port is dropped (k8s SetDefaults_NetworkPolicyPort; TestParseNetworkPolicyEmptyPort)',
    policies: [webEgress('dns-tcp-only', [{ to: [{ namespaceSelector: {} }], ports: [{ port: 53 }] }])],
    flows: [
      ['web', 'dns', 'TCP/53', 'ALLOW'],
      ['web', 'dns', 'UDP/53', 'DROP'],
    ],
  },
  {
    name: 'A6 a numeric port allows exactly that port (parsePorts: IntOrString.String())',
    policies: [np('db-from-web', { podSelector: db, ingress: [{ from: fromWeb, ports: [{ protocol: 'TCP', port: 5432 }] }] })],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['web', 'db', 'TCP/5433', 'DROP'],
      ['web', 'db', 'TCP/8000', 'DROP'],
    ],
  },
  {
    name: 'A6 an ingress named port resolves against the destination pod\'s own container port (TestParseNetworkPolicyNamedPort; REF §8.3)',
    policies: [np('http-from-web', { podSelector: {}, ingress: [{ from: fromWeb, ports: [{ port: 'http' }] }] })],
    flows: [
      ['web', 'db', 'TCP/8008', 'ALLOW'],
      ['web', 'db', 'TCP/8080', 'DROP'],
      ['web', 'api', 'TCP/8080', 'ALLOW'],
      ['web', 'api', 'TCP/8008', 'DROP'],
      ['web', 'fake-dns', 'TCP/8080', 'DROP'],
    ],
  },
  {
    name: 'A6 a named port whose name the pod has for another protocol does not match (REF §8.3)',
    policies: [np('pg-udp', { podSelector: db, ingress: [{ from: fromWeb, ports: [{ port: 'pg', protocol: 'UDP' }] }] })],
    flows: [
      ['web', 'db', 'UDP/5432', 'DROP'],
      ['web', 'db', 'TCP/5432', 'DROP'],
    ],
  },
  {
    name: 'E5 an egress named port the pods map to different numbers allows nothing (cilium/cilium#24779, #30003 "duplicate named ports")',
    policies: [webEgress('to-http', [{ to: [{ podSelector: {} }], ports: [{ port: 'http' }] }])],
    flows: [
      ['web', 'api', 'TCP/8080', 'DROP'],
      ['web', 'db', 'TCP/8008', 'DROP'],
    ],
  },
  {
    name: 'A6 egress named port resolved when every pod agrees (REF §8.3)',
    policies: [webEgress('to-pg', [{ to: [{ podSelector: db }], ports: [{ port: 'pg' }] }])],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['web', 'db', 'TCP/5433', 'DROP'],
    ],
  },
  {
    name: 'A6 port missing: every port of the protocol, TCP by default (parsePorts: portStr "0"; TestParsePorts)',
    policies: [
      np('tcp-any', { podSelector: db, ingress: [{ from: fromWeb, ports: [{ protocol: 'TCP' }] }] }),
      np('udp-any', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: fromWeb, ports: [{ protocol: 'UDP' }] }] }),
      np('empty-port', { podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, ingress: [{ from: fromWeb, ports: [{}] }] }),
    ],
    flows: [
      ['web', 'db', 'TCP/1', 'ALLOW'],
      ['web', 'db', 'TCP/65535', 'ALLOW'],
      ['web', 'db', 'UDP/5432', 'DROP'],
      ['web', 'api', 'UDP/9999', 'ALLOW'],
      ['web', 'api', 'TCP/8080', 'DROP'],
      ['web', 'fake-dns', 'TCP/53', 'ALLOW'],
      ['web', 'fake-dns', 'UDP/53', 'DROP'],
    ],
  },
  {
    name: 'A6 ports: [] is every port and protocol (np-legacy: ports applied only when len(iRule.Ports) > 0)',
    policies: [np('all-ports', { podSelector: db, ingress: [{ from: fromWeb, ports: [] }] })],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['web', 'db', 'UDP/9999', 'ALLOW'],
      ['web', 'db', 'SCTP/9999', 'ALLOW'],
      ['api', 'db', 'TCP/5432', 'DROP'],
    ],
  },
  {
    name: 'A6 SCTP ports are translated and matched by protocol (ParseL4Proto accepts SCTP; enforcement depends on datapath SCTP support)',
    policies: [np('sctp', { podSelector: db, ingress: [{ from: fromWeb, ports: [{ protocol: 'SCTP', port: 9999 }] }] })],
    flows: [
      ['web', 'db', 'SCTP/9999', 'ALLOW'],
      ['web', 'db', 'TCP/9999', 'DROP'],
      ['web', 'db', 'SCTP/9998', 'DROP'],
    ],
  },
  ...['1.16', '1.17', '1.18', '1.19'].map((version): Case => ({
    name: `A6 endPort is an inclusive range, honoured from 1.16 (np-test-118 TestParseNetworkPolicyEgressL4PortRangeAllowAll; cilium/cilium#16622, #28684) — Cilium ${version}`,
    env: { version },
    policies: [webEgress('range', [{ to: [{ podSelector: {} }], ports: [{ port: 8080, endPort: 8090 }] }])],
    flows: [
      ['web', 'api', 'TCP/8080', 'ALLOW'],
      ['web', 'api', 'TCP/8085', 'ALLOW'],
      ['web', 'api', 'TCP/8090', 'ALLOW'],
      ['web', 'api', 'TCP/8091', 'DROP'],
      ['web', 'api', 'TCP/8079', 'DROP'],
      ['web', 'api', 'UDP/8085', 'DROP'],
    ],
  })),
  {
    name: 'A6 endPort equal to port covers that port only (k8s ValidateNetworkPolicyPort accepts endPort >= port)',
    policies: [np('one', { podSelector: db, ingress: [{ from: fromWeb, ports: [{ port: 5432, endPort: 5432 }] }] })],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['web', 'db', 'TCP/5433', 'DROP'],
    ],
  },
  {
    name: 'A3/A6 each peer gets the rule\'s ports; two rules do not cross (ParseNetworkPolicy: "We apply the ports to all rules generated from the From section")',
    policies: [np('two-rules', {
      podSelector: db,
      ingress: [
        { from: [{ podSelector: { matchLabels: { app: 'web' } } }, { ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 5432 }] },
        { from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 9187 }] },
      ],
    })],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['world:203.0.113.9', 'db', 'TCP/5432', 'ALLOW'],
      ['web', 'db', 'TCP/9187', 'DROP'],
      ['world:203.0.113.9', 'db', 'TCP/9187', 'DROP'],
      ['api', 'db', 'TCP/9187', 'ALLOW'],
      ['api', 'db', 'TCP/5432', 'DROP'],
    ],
  },

  // ------------------------------------------------------------------------------------------
  // A7: combination with CNP / CCNP, L7, local host, DNS
  {
    name: 'A7 NP and CNP allows add up: NP 5432 + CNP 8000, other ports dropped (TestNetworkPolicyExamples ex4a+ex4b; REF §12)',
    policies: [
      np('db-from-web', { podSelector: db, ingress: [{ from: fromWeb, ports: [{ port: 5432 }] }] }),
      cnp('db-status', { endpointSelector: { matchLabels: { app: 'db' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '8000', protocol: 'TCP' }] }] }] }, 'shop'),
    ],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['web', 'db', 'TCP/8000', 'ALLOW'],
      ['web', 'db', 'TCP/9187', 'DROP'],
      ['api', 'db', 'TCP/5432', 'DROP'],
      ['api', 'db', 'TCP/8000', 'DROP'],
    ],
  },
  {
    name: 'A7/REF §11 a CNP ingressDeny wins over an NP allow ("deny wins over allow, regardless of source")',
    policies: [
      np('db-from-all', { podSelector: db, ingress: [{}] }),
      cnp('no-web-pg', { endpointSelector: { matchLabels: { app: 'db' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }] }, 'shop'),
    ],
    flows: [
      ['web', 'db', 'TCP/5432', 'DROP'],
      ['web', 'db', 'TCP/8000', 'ALLOW'],
      ['api', 'db', 'TCP/5432', 'ALLOW'],
      ['world:203.0.113.5', 'db', 'TCP/5432', 'ALLOW'],
    ],
  },
  {
    name: 'A7/REF §2.2 a CNP with enableDefaultDeny.ingress false cannot undo NP default deny ("default-deny takes precedence")',
    policies: [
      denyIngress(),
      cnp('open', { endpointSelector: { matchLabels: { app: 'db' } }, enableDefaultDeny: { ingress: false }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'api' } }] }] }, 'shop'),
    ],
    flows: [
      ['api', 'db', 'TCP/5432', 'ALLOW'],
      ['web', 'db', 'TCP/5432', 'DROP'],
      ['pay-web', 'db', 'TCP/5432', 'DROP'],
    ],
  },
  {
    name: 'A7/REF §2.2 a CNP with enableDefaultDeny.egress false next to an NP egress deny-all: the NP default deny holds, the CNP allows still add',
    policies: [
      webEgress('web-deny-out', []),
      cnp('web-out', { endpointSelector: { matchLabels: { app: 'web' } }, enableDefaultDeny: { egress: false }, egress: [{ toEndpoints: [{ matchLabels: { app: 'db' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }] }, 'shop'),
    ],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['web', 'db', 'TCP/8000', 'DROP'],
      ['web', 'dns', 'UDP/53', 'DROP'],
    ],
  },
  {
    name: 'A7 CCNP and NP on the same pod add up; a CCNP deny beats the NP allow (REF §11, §12)',
    policies: [
      np('db-from-web', { podSelector: db, ingress: [{ from: fromWeb, ports: [{ port: 5432 }] }, { from: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 5432 }] }] }),
      ccnp('metrics', {
        endpointSelector: { matchLabels: { app: 'db' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }], toPorts: [{ ports: [{ port: '9187', protocol: 'TCP' }] }] }],
        ingressDeny: [{ fromCIDRSet: [{ cidr: '198.51.100.0/24' }] }],
      }),
    ],
    flows: [
      ['web', 'db', 'TCP/5432', 'ALLOW'],
      ['web', 'db', 'TCP/9187', 'DROP'],
      ['dns', 'db', 'TCP/9187', 'ALLOW'],
      ['dns', 'db', 'TCP/5432', 'DROP'],
      ['world:203.0.113.5', 'db', 'TCP/5432', 'ALLOW'],
      ['world:198.51.100.5', 'db', 'TCP/5432', 'DROP'],
      // the CCNP selects app=db pods of every namespace and puts them in ingress default deny
      ['web', 'def', 'TCP/5432', 'DROP'],
      ['dns', 'def', 'TCP/9187', 'ALLOW'],
    ],
  },
  {
    name: 'A7/REF §9.5 CNP HTTP rules alone are enforced per request (baseline for the shadowing cases)',
    policies: [
      cnp('api-http', {
        endpointSelector: { matchLabels: { app: 'api' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api' }] } }] }],
      }, 'shop'),
    ],
    flows: [
      ['web', 'api', 'TCP/8080', 'ALLOW', { method: 'GET', path: '/api' }],
      ['web', 'api', 'TCP/8080', 'L7_DENY', { method: 'POST', path: '/admin' }],
    ],
  },
  {
    name: 'A7/REF §9.5 an NP L4 allow for the same peer and port shadows the CNP HTTP rules: L7 no longer enforced (TestL3RuleWithL7RulePartiallyShadowedByL3AllowAll; REF §15.18)',
    policies: [
      cnp('api-http', {
        endpointSelector: { matchLabels: { app: 'api' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api' }] } }] }],
      }, 'shop'),
      np('api-from-web', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: fromWeb, ports: [{ port: 8080 }] }] }),
      np('api-from-pay', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }], ports: [{ port: 8080 }] }] }),
    ],
    flows: [
      ['web', 'api', 'TCP/8080', 'ALLOW', { method: 'GET', path: '/api' }],
      ['web', 'api', 'TCP/8080', 'ALLOW', { method: 'POST', path: '/admin' }],
      ['pay-web', 'api', 'TCP/8080', 'ALLOW', { method: 'DELETE', path: '/' }],
      ['dev-web', 'api', 'TCP/8080', 'DROP'],
    ],
  },
  {
    name: 'A7/REF §9.5 an NP allow for another peer or another port does not shadow the HTTP rules of web',
    policies: [
      cnp('api-http', {
        endpointSelector: { matchLabels: { app: 'api' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api' }] } }] }],
      }, 'shop'),
      np('api-from-pay', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }], ports: [{ port: 8080 }] }] }),
      np('api-9090-from-web', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: fromWeb, ports: [{ port: 9090 }] }] }),
    ],
    flows: [
      ['web', 'api', 'TCP/8080', 'L7_DENY', { method: 'POST', path: '/admin' }],
      ['web', 'api', 'TCP/8080', 'ALLOW', { method: 'GET', path: '/api' }],
      ['pay-web', 'api', 'TCP/8080', 'ALLOW', { method: 'POST', path: '/admin' }],
      ['web', 'api', 'TCP/9090', 'ALLOW', { method: 'POST', path: '/admin' }],
    ],
  },
  {
    name: 'A7 an NP with ports and no peers shadows the HTTP rules for every peer on that port (notes A7 "does this for every peer on port 80")',
    policies: [
      cnp('api-http', {
        endpointSelector: { matchLabels: { app: 'api' } },
        ingress: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/api' }] } }] }],
      }, 'shop'),
      np('api-8080', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ ports: [{ port: 8080 }] }] }),
    ],
    flows: [
      ['web', 'api', 'TCP/8080', 'ALLOW', { method: 'POST', path: '/admin' }],
      ['world:203.0.113.5', 'api', 'TCP/8080', 'ALLOW', { method: 'POST', path: '/admin' }],
    ],
  },
  {
    name: 'A7 the local host reaches a pod under NP ingress default deny (k8s-oapi NetworkPolicySpec: "OR if the traffic source is the pod\'s local node"; REF §15.2 allow-localhost)',
    policies: [denyIngress()],
    flows: [
      ['host', 'db', 'TCP/5432', 'ALLOW'],
      ['host', 'db', 'TCP/8000', 'ALLOW'],
      ['remote-node', 'db', 'TCP/5432', 'DROP'],
    ],
  },
  {
    name: 'A7 with allowLocalhost policy the host needs an NP rule like any peer (REF §15.2)',
    env: { allowLocalhost: 'policy' },
    policies: [denyIngress(), np('api-all', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{}] })],
    flows: [
      ['host', 'db', 'TCP/5432', 'DROP'],
      ['host', 'api', 'TCP/8080', 'ALLOW'],
    ],
  },
  {
    name: 'E3 egress NP with the DNS recipe: kube-system/kube-dns in ONE peer, UDP and TCP 53 (notes E3; A3 AND)',
    policies: [webEgress('web-dns', [{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
    }])],
    flows: [
      ['web', 'dns', 'UDP/53', 'ALLOW'],
      ['web', 'dns', 'TCP/53', 'ALLOW'],
      ['web', 'dns', 'TCP/80', 'DROP'],
      ['web', 'fake-dns', 'UDP/53', 'DROP'],
      ['web', 'world:8.8.8.8', 'UDP/53', 'DROP'],
      ['web', 'db', 'TCP/5432', 'DROP'],
    ],
  },
  {
    name: 'E3 the two-item DNS "recipe" is an OR: every kube-system pod and every kube-dns-labelled pod of the policy namespace',
    policies: [webEgress('web-dns-or', [{
      to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }, { podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
      ports: [{ port: 53, protocol: 'UDP' }],
    }])],
    flows: [
      ['web', 'dns', 'UDP/53', 'ALLOW'],
      ['web', 'fake-dns', 'UDP/53', 'ALLOW'],
      ['web', 'pay-web', 'UDP/53', 'DROP'],
    ],
  },

  // ------------------------------------------------------------------------------------------
  // B: policies the API server rejects have no effect
  ...([
    ['protocol: ICMP', { protocol: 'ICMP', port: 8 }],
    ['endPort without port', { endPort: 9000 }],
    ['endPort below port', { port: 9000, endPort: 8000 }],
    ['endPort with a named port', { port: 'pg', endPort: 9000 }],
    ['a string port "5432" (not a port name: no letter)', { port: '5432' }],
    ['port 0', { port: 0 }],
    ['lower-case protocol "tcp"', { protocol: 'tcp', port: 5432 }],
  ] as const).map(([what, port]): Case => ({
    name: `B an NP the API server rejects (${what}) has no effect: no default deny either (k8s ValidateNetworkPolicyPort)`,
    policies: [np('bad', { podSelector: db, ingress: [{ from: fromWeb, ports: [port] }] })],
    flows: [
      ['api', 'db', 'TCP/5432', 'ALLOW'],
      ['world:203.0.113.5', 'db', 'TCP/1234', 'ALLOW'],
    ],
  })),
  ...([
    ['a peer with ipBlock and podSelector', { from: [{ ipBlock: { cidr: '203.0.113.0/24' }, podSelector: {} }] }],
    ['an empty peer', { from: [{}] }],
    ['an except that is not a strict subset', { from: [{ ipBlock: { cidr: '203.0.113.0/24', except: ['203.0.113.0/24'] } }] }],
    ['an invalid selector operator', { from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['web'] }] } }] }],
  ] as const).map(([what, rule]): Case => ({
    name: `B an NP the API server rejects (${what}) has no effect (k8s ValidateNetworkPolicyPeer / ValidateIPBlock / ValidateLabelSelector)`,
    policies: [np('bad', { podSelector: db, ingress: [rule] })],
    flows: [['api', 'db', 'TCP/5432', 'ALLOW']],
  })),

  // ------------------------------------------------------------------------------------------
  // A3: policy-default-local-cluster and negative-only namespace selectors
  ...([
    // [version, policyDefaultLocalCluster, world/host/remote-node over-selected]
    ['1.16', undefined, true],
    ['1.17', undefined, true],
    ['1.17', true, true],
    ['1.18', undefined, true],
    ['1.18', true, false],
    ['1.19', undefined, false],
    ['1.19', false, true],
  ] as const).map(([version, local, over]): Case => {
    const v: Verdict = over ? 'ALLOW' : 'DROP';
    return {
      name: `A3 negative-only namespaceSelector, Cilium ${version}, policyDefaultLocalCluster ${local === undefined ? 'default' : local}: world/host/remote-node ${over ? 'over-selected' : 'not selected'} (cilium/cilium#46949; LocalClusterNameForPolicies, v1.18+)`,
      env: { version, ...(local === undefined ? {} : { policyDefaultLocalCluster: local }) },
      policies: [webEgress('not-team-b', [{ to: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['b'] }] } }] }])],
      flows: [
        ['web', 'dev-api', 'TCP/8080', 'ALLOW'],
        ['web', 'dns', 'UDP/53', 'ALLOW'],
        ['web', 'pay-web', 'TCP/80', 'DROP'],
        ['web', 'world:198.51.100.7', 'TCP/443', v],
        ['web', 'host', 'TCP/10250', v],
        ['web', 'remote-node', 'TCP/10250', v],
      ],
    };
  }),
  ...(['1.18', '1.19'] as const).map((version): Case => ({
    name: `A3 a namespaceSelector with a positive requirement never selects world, Cilium ${version} (the Exists/label requirement excludes non-pod identities)`,
    env: { version },
    policies: [webEgress('team-a', [{ to: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['a'] }] } }] }])],
    flows: [
      ['web', 'dev-api', 'TCP/8080', 'ALLOW'],
      ['web', 'world:198.51.100.7', 'TCP/443', 'DROP'],
      ['web', 'host', 'TCP/10250', 'DROP'],
    ],
  })),
  // ------------------------------------------------------------------------------------------
  // Cilium-specific: identities, label filter, ICMP, cluster label, DNS proxy
  {
    name: 'REF §3.1 selectors on labels the default label filter drops never match: an NP on statefulset.kubernetes.io/pod-name isolates nothing (pkg/labelsfilter defaultLabelPrefixCfg)',
    policies: [
      np('sts-pod', { podSelector: { matchLabels: { 'statefulset.kubernetes.io/pod-name': 'pg-0' } }, policyTypes: ['Ingress'] }),
      np('from-hash', { podSelector: db, ingress: [{ from: [{ podSelector: { matchLabels: { 'pod-template-hash': 'abc' } } }] }] }),
    ],
    flows: [
      ['web', 'pg-0', 'TCP/5432', 'ALLOW'],
      ['pg-0', 'db', 'TCP/5432', 'DROP'],
    ],
  },
  {
    name: 'REF §3.1 app.kubernetes.io labels are identity labels: an NP selecting them applies (defaultLabelPrefixCfg includes app.kubernetes.io)',
    policies: [np('pg', { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'pg' } }, ingress: [{ from: fromWeb }] })],
    flows: [
      ['web', 'pg-0', 'TCP/5432', 'ALLOW'],
      ['api', 'pg-0', 'TCP/5432', 'DROP'],
    ],
  },
  {
    name: 'REF §8.2 an NP rule without ports allows every protocol, ICMP included; a rule with ports only those (Cilium L3-only rules; K8s leaves other protocols to the implementation)',
    policies: [
      np('db-from-web', { podSelector: db, ingress: [{ from: fromWeb }] }),
      np('api-tcp', { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: fromWeb, ports: [{ protocol: 'TCP' }] }] }),
    ],
    flows: [
      ['web', 'db', 'ICMP', 'ALLOW'],
      ['web', 'db', 'SCTP/9999', 'ALLOW'],
      ['api', 'db', 'ICMP', 'DROP'],
      ['web', 'api', 'ICMP', 'DROP'],
      ['web', 'api', 'TCP/8080', 'ALLOW'],
    ],
  },
  ...(['c1', 'c2'] as const).map((cluster): Case => ({
    name: `A3 a peer podSelector naming io.cilium.k8s.policy.cluster=${cluster} keeps it (np-test-118 Test_parseNetworkPolicyPeer "peer-with-cluster-selector"; local cluster c1, v1.19)`,
    env: { clusterName: 'c1', version: '1.19' },
    policies: [np('db-from-web', { podSelector: db, ingress: [{ from: [{ podSelector: { matchLabels: { 'app': 'web', 'io.cilium.k8s.policy.cluster': cluster } } }] }] })],
    flows: [['web', 'db', 'TCP/5432', cluster === 'c1' ? 'ALLOW' : 'DROP']],
  })),
  {
    name: 'A5 an unmanaged in-cluster address is selected by ipBlock, a pod address is not (REF §6: CIDR rules select IPs outside the cluster and in-cluster IPs Cilium does not manage)',
    policies: [np('from-10', { podSelector: db, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }] })],
    flows: [
      ['unmanaged:10.1.9.9', 'db', 'TCP/5432', 'ALLOW'],
      ['web', 'db', 'TCP/5432', 'DROP'],
    ],
  },
  {
    name: 'A7/REF §9.5, §10 an NP L4 allow to kube-dns next to a CNP DNS rule: the DNS proxy still sees the queries (toFQDNs works), and the NP allow shadows the DNS name filter',
    policies: [
      webEgress('web-dns', [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }]),
      cnp('web-fqdn', {
        endpointSelector: { matchLabels: { app: 'web' } },
        egress: [
          { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchName: 'api.example.com' }] } }] },
          { toFQDNs: [{ matchName: 'api.example.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
        ],
      }, 'shop'),
    ],
    dns: { 'api.example.com': ['198.51.100.20'], 'other.example.org': ['198.51.100.21'] },
    flows: [
      ['web', 'world:198.51.100.20', 'TCP/443', 'ALLOW'],
      ['web', 'world:198.51.100.21', 'TCP/443', 'DROP'],
      ['web', 'dns', 'UDP/53', 'ALLOW', { dns: 'api.example.com' }],
      ['web', 'dns', 'UDP/53', 'ALLOW', { dns: 'other.example.org' }],
      ['web', 'fake-dns', 'UDP/53', 'DROP'],
    ],
  },
  {
    name: 'B a field unknown to the API server is dropped: a misspelt podSelecter leaves podSelector {} and isolates every pod of the namespace (non-strict client; Go zero value of NetworkPolicySpec.PodSelector)',
    policies: [np('typo', { podSelecter: db, policyTypes: ['Ingress'] })],
    flows: [
      ['web', 'db', 'TCP/5432', 'DROP'],
      ['web', 'api', 'TCP/8080', 'DROP'],
      ['web', 'pay-db', 'TCP/5432', 'ALLOW'],
    ],
  },
  {
    name: 'B a misspelt peer field is dropped, the peer is then empty and the API server rejects the NP: no effect (ValidateNetworkPolicyPeer "must specify a peer")',
    policies: [np('typo', { podSelector: db, ingress: [{ from: [{ namespaceselector: {} }] }] })],
    flows: [['api', 'db', 'TCP/5432', 'ALLOW']],
  },
  ...([
    ['extensions/v1beta1 (not served since Kubernetes 1.16)', 'extensions/v1beta1', ['Ingress']],
    ['policyTypes ["ingress"] (case-sensitive)', 'networking.k8s.io/v1', ['ingress']],
    ['three policyTypes', 'networking.k8s.io/v1', ['Ingress', 'Egress', 'Ingress']],
  ] as const).map(([what, apiVersion, policyTypes]): Case => ({
    name: `B an NP the API server does not store (${what}) has no effect (k8s ValidateNetworkPolicySpec)`,
    policies: [{ ...np('bad', { podSelector: {}, policyTypes }), apiVersion }],
    flows: [['web', 'db', 'TCP/5432', 'ALLOW']],
  })),
  {
    name: 'B duplicate policyTypes [Ingress, Ingress] pass validation and mean Ingress (ValidateNetworkPolicySpec: at most two entries; code-derived)',
    policies: [np('dup', { podSelector: db, policyTypes: ['Ingress', 'Ingress'] })],
    flows: [
      ['web', 'db', 'TCP/5432', 'DROP'],
      ['db', 'world:198.51.100.7', 'TCP/443', 'ALLOW'],
    ],
  },
];

describe('Kubernetes NetworkPolicy under Cilium: verdicts of concrete flows', () => {
  test('the table has every case once', () => {
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    expect(CASES.length).toBeGreaterThanOrEqual(60);
  });

  for (const c of CASES) {
    (c.failing ? test.failing : test)(c.name, () => expectScenario(scenario(c)));
  }
});

describe('Kubernetes NetworkPolicy under Cilium: reasons', () => {
  test('an allow names the NetworkPolicy and its rule: NetworkPolicy shop/db-from-web spec.ingress[0]', () => {
    const r = explainOne(scenario({
      policies: [np('db-from-web', { podSelector: db, ingress: [{ from: fromWeb, ports: [{ port: 5432 }] }] })],
      flows: [['web', 'db', 'TCP/5432', 'ALLOW']],
    }));
    expect(r.verdict).toBe('ALLOW');
    expect(r.reason).toContain('allowed by NetworkPolicy shop/db-from-web spec.ingress[0]');
    expect(r.policy).toEqual({ kind: 'NetworkPolicy', namespace: 'shop', name: 'db-from-web' });
    expect(r.rule).toBe('spec.ingress[0]');
  });

  test('the second peer of the second rule is still named by its rule: spec.ingress[1]', () => {
    const r = explainOne(scenario({
      policies: [np('db-in', { podSelector: db, ingress: [{ from: fromWeb }, { from: [{ podSelector: { matchLabels: { app: 'api' } } }, { ipBlock: { cidr: '203.0.113.0/24' } }] }] })],
      flows: [['world:203.0.113.9', 'db', 'TCP/5432', 'ALLOW']],
    }));
    expect(r.reason).toContain('allowed by NetworkPolicy shop/db-in spec.ingress[1]');
    expect(r.rule).toBe('spec.ingress[1]');
  });

  test('an egress allow names spec.egress[i]', () => {
    const r = explainOne(scenario({
      policies: [webEgress('web-out', [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }, { to: [{ podSelector: db }], ports: [{ port: 5432 }] }])],
      flows: [['web', 'db', 'TCP/5432', 'ALLOW']],
    }));
    expect(r.reason).toContain('egress of web: allowed by NetworkPolicy shop/web-out spec.egress[1]');
  });

  test('a default-deny drop names the NetworkPolicy that isolates the pod', () => {
    const r = explainOne(scenario({
      policies: [np('db-from-web', { podSelector: db, ingress: [{ from: fromWeb, ports: [{ port: 5432 }] }] })],
      flows: [['api', 'db', 'TCP/5432', 'DROP']],
    }));
    expect(r.verdict).toBe('DROP');
    expect(r.reason).toMatch(/ingress of db: db is in ingress default deny \(NetworkPolicy shop\/db-from-web\) and no rule allows TCP\/5432 from api/);
    expect(r.policy).toEqual({ kind: 'NetworkPolicy', namespace: 'shop', name: 'db-from-web' });
  });

  test('a CNP deny over an NP allow is reported as the CNP deny', () => {
    const r = explainOne(scenario({
      policies: [
        np('db-from-all', { podSelector: db, ingress: [{}] }),
        cnp('no-web', { endpointSelector: { matchLabels: { app: 'db' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { app: 'web' } }] }] }, 'shop'),
      ],
      flows: [['web', 'db', 'TCP/5432', 'DROP']],
    }));
    expect(r.reason).toContain('denied by CiliumNetworkPolicy shop/no-web spec.ingressDeny[0]');
  });

  test.each([
    ['protocol: ICMP', { protocol: 'ICMP' }, /NetworkPolicy shop\/bad is not created: the API server rejects it: spec\.ingress\[0\]\.ports\[0\]\.protocol: "ICMP" is not supported/],
    ['endPort without port', { endPort: 9000 }, /NetworkPolicy shop\/bad is not created: the API server rejects it: spec\.ingress\[0\]\.ports\[0\]\.endPort: .*may not be specified when port is not specified/],
    ['string port "80"', { port: '80' }, /NetworkPolicy shop\/bad is not created: the API server rejects it: spec\.ingress\[0\]\.ports\[0\]\.port: .*must contain at least one letter/],
  ])('an NP rejected by the API server (%s) is named in the reason of the flows it concerns', (_what, port, msg) => {
    const r = explainOne(scenario({
      policies: [np('bad', { podSelector: db, ingress: [{ from: fromWeb, ports: [port] }] })],
      flows: [['api', 'db', 'TCP/5432', 'ALLOW']],
    }));
    expect(r.verdict).toBe('ALLOW');
    expect(r.reason).toMatch(msg);
    expect(r.notes.join('\n')).toMatch(msg);
  });
});

/**
 * cdk8s-plus-28 interop: `connections.allowFrom` / `allowTo` and `kplus.NetworkPolicy` emit
 * Kubernetes NetworkPolicies (cdk8s ecosystem notes §2.3–§2.4); the jest matchers evaluate them
 * together with the CiliumNetworkPolicies of SecuredPostgres and AccessGrant.
 */
describe('cdk8s-plus NetworkPolicies next to SecuredPostgres and AccessGrant (jest matchers)', () => {
  const other = { namespace: 'shop', labels: { app: 'other' } };

  function shop(build?: (chart: Chart) => void) {
    const chart = new Chart(Testing.app(), 'shop', { namespace: 'shop' });
    const db = new SecuredPostgres(chart, 'OrdersDb', { name: 'orders-db' });
    const web = new kplus.Deployment(chart, 'Web', { podMetadata: { labels: { app: 'web' } }, containers: [{ image: 'web:1.0', portNumber: 8080 }] });
    const frontend = new kplus.Deployment(chart, 'Frontend', { podMetadata: { labels: { app: 'frontend' } }, containers: [{ image: 'frontend:1.0', portNumber: 3000 }] });
    // ingress policy on web (ports default to web's container ports) + egress policy on frontend
    web.connections.allowFrom(frontend);
    new AccessGrant(chart, 'WebDb', {
      client: AccessClient.pods('web', PodSelector.labels({ app: 'web' }), 'shop'),
      target: AccessTarget.of(db),
    });
    build?.(chart);
    return { chart, db, web, frontend };
  }

  test('the kplus ingress policy isolates web: the allowed peer passes on web\'s container port, an unrelated pod does not', () => {
    const { chart, web, frontend } = shop();
    expect(chart).toAllowTraffic({ from: frontend, to: web, port: 8080 });
    expect(chart).toDenyTraffic({ from: frontend, to: web, port: 9090 });
    expect(chart).toDenyTraffic({ from: other, to: web, port: 8080 });
    expect(chart).toDenyTraffic({ from: { namespace: 'pay', labels: { app: 'frontend' } }, to: web, port: 8080 });
    expect(chart).toDenyTraffic({ from: 'world:203.0.113.10', to: web, port: 8080 });
    // the local host (kubelet probes) passes the NetworkPolicy default deny
    expect(chart).toAllowTraffic({ from: 'host', to: web, port: 8080 });
    // the verdicts come from the kplus NetworkPolicies
    const allowed = evaluateTraffic(chart, { from: frontend, to: web, port: 8080 });
    expect(allowed.result.ingress?.policy?.kind).toBe('NetworkPolicy');
    expect(allowed.decidingPolicy).toMatch(/^NetworkPolicy shop\/allowingress\S+ spec\.ingress\[0\]$/);
    const denied = evaluateTraffic(chart, { from: other, to: web, port: 8080 });
    expect(denied.result.reason).toMatch(/ingress default deny \(NetworkPolicy shop\/allowingress\S+\)/);
  });

  test('the kplus egress policy of the peer side isolates frontend: no DNS, no database, only web', () => {
    const { chart, db, web, frontend } = shop();
    expect(chart).toAllowTraffic({ from: frontend, to: web, port: 8080 });
    expect(chart).toDenyTraffic({ from: frontend, to: { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, port: 53, proto: 'UDP' });
    expect(chart).toDenyTraffic({ from: frontend, to: db, port: 5432 });
    expect(chart).toDenyTraffic({ from: frontend, to: 'world:198.51.100.7', port: 443 });
    expect(evaluateTraffic(chart, { from: frontend, to: db, port: 5432 }).result.egress?.policy?.kind).toBe('NetworkPolicy');
  });

  test('db is reachable from web through the grant; the grant\'s CNPs and the kplus NPs add up', () => {
    const { chart, db, web } = shop((c) => {
      // web egress-isolated by kplus towards a partner network: the grant's CNP allow still adds
      const w = c.node.findChild('Web') as kplus.Deployment;
      w.connections.allowTo(kplus.NetworkPolicyIpBlock.ipv4(c, 'Partner', '203.0.113.0/24', ['203.0.113.128/25']), { ports: [kplus.NetworkPolicyPort.tcp(443)] });
    });
    expect(chart).toAllowTraffic({ from: web, to: db, port: 5432 });
    expect(chart).toDenyTraffic({ from: web, to: db, port: 8000 });
    expect(chart).toDenyTraffic({ from: other, to: db, port: 5432 });
    expect(chart).toAllowTraffic({ from: web, to: { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, port: 53, proto: 'UDP' });
    expect(chart).toAllowTraffic({ from: web, to: 'world:203.0.113.10', port: 443 });
    expect(chart).toDenyTraffic({ from: web, to: 'world:203.0.113.200', port: 443 });
    expect(chart).toDenyTraffic({ from: web, to: 'world:203.0.113.10', port: 80 });
    expect(chart).toAllowTraffic({ from: db, to: 'kube-apiserver', port: 6443 });
    expect(evaluateTraffic(chart, { from: web, to: 'world:203.0.113.10', port: 443 }).result.egress?.policy?.kind).toBe('NetworkPolicy');
  });

  test('SecuredPostgres as a kplus peer: allowTo(db) emits NPs on both sides, which add to the CNPs', () => {
    const { chart, db, frontend } = shop((c) => {
      const f = c.node.findChild('Frontend') as kplus.Deployment;
      f.connections.allowTo(c.node.findChild('OrdersDb') as SecuredPostgres, { ports: [kplus.NetworkPolicyPort.tcp(5432)] });
    });
    expect(chart).toAllowTraffic({ from: frontend, to: db, port: 5432 });
    expect(chart).toDenyTraffic({ from: frontend, to: db, port: 8000 });
    const r = evaluateTraffic(chart, { from: frontend, to: db, port: 5432 });
    expect(r.result.egress?.policy?.kind).toBe('NetworkPolicy');
    expect(r.result.ingress?.policy?.kind).toBe('NetworkPolicy');
  });

  test('a kplus peer without containers renders ports: [], which is every port and protocol', () => {
    const { chart, frontend } = shop((c) => {
      const f = c.node.findChild('Frontend') as kplus.Deployment;
      f.connections.allowTo(kplus.Pods.select(c, 'Metrics', { labels: { app: 'metrics' } }), { isolation: kplus.PodConnectionsIsolation.POD });
    });
    const metrics = { namespace: 'shop', labels: { app: 'metrics' } };
    expect(chart).toAllowTraffic({ from: frontend, to: metrics, port: 9999 });
    expect(chart).toAllowTraffic({ from: frontend, to: metrics, port: 9999, proto: 'UDP' });
    expect(chart).toDenyTraffic({ from: frontend, to: other, port: 9999 });
  });

  test('cdk8s-plus default deny (NetworkPolicy with DENY defaults, isolate()): everything in the namespace is closed but what a policy allows', () => {
    const { chart, db, web, frontend } = shop((c) => {
      new kplus.NetworkPolicy(c, 'DefaultDeny', {
        ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
        egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
      });
      new kplus.Deployment(c, 'Worker', { podMetadata: { labels: { app: 'worker' } }, containers: [{ image: 'worker:1.0', portNumber: 7000 }] }).connections.isolate();
    });
    const worker = { namespace: 'shop', labels: { app: 'worker' } };
    const dns = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
    // pods the kplus policies allow nothing are closed both ways, DNS included
    expect(chart).toDenyTraffic({ from: other, to: { namespace: 'shop', labels: { app: 'another' } }, port: 80 });
    expect(chart).toDenyTraffic({ from: other, to: dns, port: 53, proto: 'UDP' });
    expect(chart).toDenyTraffic({ from: worker, to: dns, port: 53, proto: 'UDP' });
    expect(chart).toDenyTraffic({ from: frontend, to: worker, port: 7000 });
    expect(chart).toDenyTraffic({ from: 'world:203.0.113.10', to: web, port: 8080 });
    // what the policies allow still passes: kplus allowFrom, the grant, the database's own flows
    expect(chart).toAllowTraffic({ from: frontend, to: web, port: 8080 });
    expect(chart).toAllowTraffic({ from: web, to: db, port: 5432 });
    expect(chart).toAllowTraffic({ from: web, to: dns, port: 53, proto: 'UDP' });
    expect(chart).toAllowTraffic({ from: db, to: 'kube-apiserver', port: 6443 });
    expect(chart).toAllowTraffic({ from: db, to: db, port: 5432 });
    // the local host passes; other namespaces are not concerned
    expect(chart).toAllowTraffic({ from: 'host', to: worker, port: 7000 });
    expect(chart).toAllowTraffic({ from: { namespace: 'pay', labels: { app: 'x' } }, to: { namespace: 'pay', labels: { app: 'y' } }, port: 80 });
    const r = evaluateTraffic(chart, { from: other, to: dns, port: 53, proto: 'UDP' });
    expect(r.result.reason).toMatch(/egress default deny \(NetworkPolicy shop\/\S+\)/);
  });
});
