/**
 * The linter on Kubernetes NetworkPolicy (networking.k8s.io/v1), CiliumCIDRGroup references and
 * the kinds the verifier does not evaluate. Every rule has a fixture that triggers it
 * (`<name>.bad.yaml`) and one that does not (`<name>.good.yaml`, which raises no finding at all),
 * under test/verify/lint-fixtures/netpol/. Sources, as cited per case:
 *
 * - K8S-DOCS: kubernetes/website content/en/docs/concepts/services-networking/network-policies.md
 *   ("Default policies", "Behavior of to and from selectors", "Targeting a Namespace by its name")
 *   and its examples content/en/examples/service/networking/network-policy-*.yaml;
 * - K8S-VAL / K8S-DEF: kubernetes/kubernetes pkg/apis/networking/validation/validation.go
 *   (@019c5dc51786) and pkg/apis/networking/v1/defaults.go (@030880a5dc54);
 * - CILIUM-NP: cilium/cilium pkg/k8s/network_policy.go (ParseNetworkPolicy, parseNetworkPolicyPeer);
 * - CILIUM-CCG: cilium/cilium pkg/policy/k8s/cilium_cidr_group.go (a missing group is empty) and
 *   pkg/policy/api/cidr.go (cidrGroupRef / cidrGroupSelector);
 * - cilium/cilium issues #48703 (policyTypes ignored), #46949 (negative namespace selectors),
 *   #24779 and #30003 (duplicate named ports), #28684 (endPort before 1.16).
 */
import * as path from 'path';
import { lintObjects } from '../../src/plugin/lint-adapter';
import { loadManifests } from '../../src/verify/intake/manifests';
import { runLintCli } from '../../src/verify/lint/cli';
import { Finding, lintManifests, LintOptions } from '../../src/verify/lint/lint';

const DIR = path.join(__dirname, 'lint-fixtures', 'netpol');

function lintFixture(name: string, options: LintOptions = {}): Finding[] {
  const file = path.join(DIR, name);
  return lintManifests(loadManifests([file]).map((m: any) => ({ file, object: m.object })), options);
}

/** `severity:rule object path` of every finding. */
function brief(f: Finding[]): string[] {
  return f.map((x) => `${x.severity}:${x.rule} ${x.object} ${x.path}`);
}

const np = (name: string, spec: any, namespace = 'shop') => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec });
const lint = (objs: any[], options: LintOptions = {}) => lintManifests(objs.map((object) => ({ file: 'f.yaml', object })), options);
const DNS_PEER = { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } };
const DNS_RULE = { to: [DNS_PEER], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] };

interface Case {
  /** Fixture base name. */
  readonly fixture: string;
  /** Findings of the bad fixture: `severity:rule object path`, in the linter's order. */
  readonly bad: string[];
  /** Each bad finding's message matches (same order). */
  readonly messages: RegExp[];
  readonly options?: LintOptions;
}

const CASES: [string, Case][] = [
  // K8S-VAL / K8S-DEF and the pinned OpenAPI schema: pruning, validation, served versions
  ['NetworkPolicy admission (schema, pruned-field, unknown-api-version, unknown-kind)', {
    fixture: 'admission',
    bad: [
      'error:unknown-kind NetworkPolicies shop/plural-kind kind',
      'error:pruned-field NetworkPolicy shop/db-from-api spec.ingress[0].frm',
      'error:pruned-field NetworkPolicy shop/db-from-api spec.podSelectr',
      'error:unknown-api-version NetworkPolicy shop/old-api apiVersion',
      'error:schema NetworkPolicy shop/string-port spec.ingress[0].ports[0].port',
    ],
    messages: [
      /has no such resource/,
      /did you mean "from"\?.*allows ingress from every source .* on its ports/,
      /did you mean "podSelector"\?.*selects \(and isolates\) every pod of namespace "shop"/,
      /extensions\/v1beta1 NetworkPolicy is not served since Kubernetes 1.16: the API server refuses the object, so the policy is never created/,
      /"5432" is not a valid port name.*never created/,
    ],
  }],
  // K8S-DOCS "Default policies": no rules with the direction listed = deny all, [{}] = allow all;
  // K8S-DEF: without policyTypes, Egress is listed only when there are egress rules
  ['ingress: [] / egress: [] written out (netpol-empty-rules)', {
    fixture: 'empty-rules',
    bad: [
      'warning:netpol-empty-rules NetworkPolicy shop/allow-all-ingress spec.ingress',
      'warning:netpol-empty-rules NetworkPolicy shop/deny-egress spec.egress',
    ],
    messages: [/policyTypes \(defaulted\) lists Ingress: the policy denies all ingress/, /has no effect: the policy does not restrict egress at all/],
  }],
  // K8S-DOCS "Behavior of to and from selectors"; CILIUM-NP: each from/to item is its own rule
  ['a namespaceSelector item and a podSelector item ORed (netpol-or-by-accident)', {
    fixture: 'or-by-accident',
    bad: ['warning:netpol-or-by-accident NetworkPolicy shop/db-from-payments-clients spec.ingress[0].from'],
    messages: [/from\[0\] has only a namespaceSelector and from\[1\] only a podSelector.*every pod of the namespaces from\[0\] selects.*in the policy's own namespace "shop"/],
  }],
  // K8S-DOCS example network-policy-default-deny-egress.yaml; DNS needs UDP and TCP 53
  ['egress isolation without DNS (netpol-egress-without-dns, dns-udp-only)', {
    fixture: 'egress-dns',
    bad: [
      'warning:dns-udp-only NetworkPolicy batch/batch-egress spec.egress[0]',
      'warning:netpol-egress-without-dns NetworkPolicy shop/default-deny-egress spec.policyTypes',
      'warning:netpol-egress-without-dns NetworkPolicy web/web-egress spec.egress',
    ],
    messages: [/DNS is allowed on UDP only/, /egress-isolated.*allows port 53 on UDP and TCP: their name lookups fail/, /egress-isolated/],
  }],
  // K8S-DOCS "Targeting a Namespace by its name" (kubernetes.io/metadata.name); a pod label in a namespaceSelector
  ['namespaces by a custom name label or a pod label (netpol-namespace-name-label, netpol-namespace-selector-pod-label)', {
    fixture: 'namespace-labels',
    bad: [
      'warning:netpol-namespace-selector-pod-label NetworkPolicy shop/dns-by-pod-label spec.egress[0].to[0].namespaceSelector.matchLabels',
      'warning:netpol-namespace-name-label NetworkPolicy shop/metrics-from-monitoring spec.ingress[0].from[0].namespaceSelector',
    ],
    messages: [/k8s-app: kube-dns is a pod label/, /label "name", which Kubernetes does not set on namespaces/],
  }],
  // cilium/cilium#24779, #30003: duplicate named ports on egress
  ['named ports on egress (netpol-egress-named-port)', {
    fixture: 'named-port',
    bad: [
      'warning:netpol-egress-named-port NetworkPolicy shop/api-egress spec.egress[0].ports[0].port',
      'warning:netpol-egress-named-port NetworkPolicy shop/api-egress spec.egress[1].ports[0].port',
    ],
    messages: [/named port "postgres" on egress.*duplicate named ports/, /an ipBlock destination has no pods/],
  }],
  // cilium/cilium#48703; CILIUM-NP converts spec.ingress / spec.egress whatever policyTypes says
  ['policyTypes leaving out a direction that has rules (netpol-policytypes-ignored)', {
    fixture: 'policytypes',
    bad: ['warning:netpol-policytypes-ignored NetworkPolicy shop/api-egress-only spec.policyTypes'],
    messages: [/by Kubernetes the ingress rules are ignored, but Cilium enforces them anyway \(cilium\/cilium#48703\)/],
  }],
  // cilium/cilium#46949; CILIUM-NP adds the Exists on the pod namespace only to an empty namespaceSelector
  ['a namespaceSelector of NotIn only, Cilium 1.18 (netpol-negative-namespace-selector)', {
    fixture: 'negative-namespace',
    options: { version: '1.18' },
    bad: ['warning:netpol-negative-namespace-selector NetworkPolicy shop/db-from-trusted-namespaces spec.ingress[0].from[0].namespaceSelector'],
    messages: [/only NotIn\/DoesNotExist.*policy-default-local-cluster is off \(the 1.18 default\).*admits traffic from outside the cluster.*cilium\/cilium#46949/],
  }],
  // CILIUM-CCG: a group that does not exist behaves as an empty one
  ['CiliumCIDRGroup references (unresolved-cidr-group, cidr-group-selector-unmatched)', {
    fixture: 'cidr-groups',
    bad: [
      'error:unresolved-cidr-group CiliumNetworkPolicy shop/api-external spec.egressDeny[0].toCIDRSet[0].cidrGroupRef',
      'error:unresolved-cidr-group CiliumNetworkPolicy shop/api-external spec.egress[0].toCIDRSet[0].cidrGroupRef',
      'warning:cidr-group-selector-unmatched CiliumNetworkPolicy shop/api-external spec.egress[0].toCIDRSet[1].cidrGroupSelector',
    ],
    messages: [/"blocked-ranges" names no CiliumCIDRGroup.*the deny denies nothing/, /"partner-range" names no CiliumCIDRGroup \(the linted groups are "partner-ranges"\).*selects nothing/, /matches none of the linted CiliumCIDRGroups/],
  }],
  // src/verify/intake/unevaluated.ts (kinds that change enforcement; host policies)
  ['kinds and host policies the verifier does not evaluate (not-evaluated)', {
    fixture: 'not-evaluated',
    bad: [
      'warning:not-evaluated AdminNetworkPolicy deny-untrusted kind',
      'warning:not-evaluated CiliumClusterwideNetworkPolicy host-firewall spec',
      'warning:not-evaluated CiliumEgressGatewayPolicy egress-via-gateway kind',
    ],
    messages: [/this object is not evaluated: Cilium 1.16-1.19 does not enforce it/, /this rule is a host policy \(nodeSelector\) and is not evaluated/, /gateway/],
  }],
];

describe('lint | NetworkPolicy, CIDR groups and unevaluated kinds: fixtures', () => {
  test.each(CASES)('%s: the bad fixture is reported', (_n, c) => {
    const f = lintFixture(`${c.fixture}.bad.yaml`, c.options);
    expect(brief(f)).toEqual(c.bad);
    f.forEach((x, i) => {
      expect(x.message).toMatch(c.messages[i]);
      expect(x.fix.length).toBeGreaterThan(10);
      expect(x.file).toEqual(path.join(DIR, `${c.fixture}.bad.yaml`));
    });
  });

  test.each(CASES)('%s: the good fixture raises no finding', (_n, c) => {
    expect(brief(lintFixture(`${c.fixture}.good.yaml`, c.options))).toEqual([]);
  });
});

describe('lint | NetworkPolicy pruned fields: the consequence of each', () => {
  // K8S-DEF: policyTypes is defaulted from the rules present; K8S-DOCS: a rule without from/ports matches all
  test.each<[string, any, string, RegExp]>([
    ['a misspelled egress with Egress listed denies all egress', { podSelector: {}, policyTypes: ['Ingress', 'Egress'], egres: [DNS_RULE] }, 'spec.egres', /policyTypes lists Egress, so the policy denies all egress/],
    ['a misspelled egress without policyTypes restricts nothing', { podSelector: {}, ingress: [{}], egres: [DNS_RULE] }, 'spec.egres', /has no Egress, so the policy does not restrict egress at all/],
    ['a misspelled policyTypes is defaulted', { podSelector: {}, policyType: ['Egress'], ingress: [{}] }, 'spec.policyType', /defaulted from the rules present to \["Ingress"\]/],
    ['a misspelled ports opens every port', { podSelector: {}, ingress: [{ from: [{ podSelector: {} }], port: [{ port: 80 }] }] }, 'spec.ingress[0].port', /allows its peers on every port and protocol/],
    ['a misspelled "to" allows every destination', { podSelector: {}, policyTypes: ['Egress'], egress: [{ too: [{ podSelector: {} }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }] }, 'spec.egress[0].too', /allows egress to every destination .* on its ports/],
    ['a misspelled namespaceSelector next to a podSelector scopes the peer to the own namespace', { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'a' } }, namespaceSelectr: {} }] }] }, 'spec.ingress[0].from[0].namespaceSelectr', /policy's own namespace only/],
    ['a misspelled podSelector next to a namespaceSelector admits the whole namespaces', { podSelector: {}, ingress: [{ from: [{ podSelectr: { matchLabels: { app: 'a' } }, namespaceSelector: { matchLabels: { team: 'x' } } }] }] }, 'spec.ingress[0].from[0].podSelectr', /every pod of the namespaces selected/],
    ['a misspelled matchLabels empties the policy\'s podSelector', { podSelector: { matchLabel: { app: 'a' } }, ingress: [{}] }, 'spec.podSelector.matchLabel', /podSelector is left empty: it selects \(and isolates\) every pod/],
    ['a misspelled except excepts nothing', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', excpt: ['10.1.0.0/16'] } }] }] }, 'spec.ingress[0].from[0].ipBlock.excpt', /nothing is excepted, the rule covers the whole cidr 10.0.0.0\/8/],
    ['a misspelled endPort covers one port', { podSelector: {}, ingress: [{ ports: [{ port: 8000, endport: 8010 }] }] }, 'spec.ingress[0].ports[0].endport', /only port 8000 is covered, not the range/],
  ])('%s', (_n, spec, p, msg) => {
    const f = lint([np('p', spec)]).filter((x) => x.rule === 'pruned-field');
    expect(f.map((x) => x.path)).toEqual([p]);
    expect(f[0].severity).toBe('error');
    expect(f[0].message).toMatch(msg);
  });

  test('a misspelled metadata.namespace puts the policy in the request\'s namespace', () => {
    const f = lint([{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespce: 'shop' }, spec: { podSelector: {}, ingress: [{}] } }]);
    expect(brief(f)).toEqual(['error:pruned-field NetworkPolicy p metadata.namespce']);
    expect(f[0].message).toMatch(/created in the namespace of the request/);
  });
});

describe('lint | NetworkPolicy: DNS across policies', () => {
  const denyAll = np('deny-egress', { podSelector: {}, policyTypes: ['Egress'] });
  test.each<[string, any[], string[]]>([
    ['DNS for the same pods in another NetworkPolicy', [denyAll, np('dns', { podSelector: {}, policyTypes: ['Egress'], egress: [DNS_RULE] })], []],
    ['DNS only for some of the pods: the default deny is reported', [denyAll, np('dns', { podSelector: { matchLabels: { app: 'a' } }, policyTypes: ['Egress'], egress: [DNS_RULE] })],
      ['warning:netpol-egress-without-dns NetworkPolicy shop/deny-egress spec.policyTypes']],
    ['DNS in another namespace does not count', [denyAll, np('dns', { podSelector: {}, policyTypes: ['Egress'], egress: [DNS_RULE] }, 'web')],
      ['warning:netpol-egress-without-dns NetworkPolicy shop/deny-egress spec.policyTypes']],
    ['DNS from a CiliumClusterwideNetworkPolicy selecting every pod', [denyAll, { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'dns' },
      spec: { endpointSelector: { matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'Exists' }] }, egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }] } }], []],
    ['DNS from a CiliumNetworkPolicy the agent rejects does not count', [denyAll, { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'dns', namespace: 'shop' },
      spec: { endpointSelector: {}, egress: [{ toEndpoints: [{}], toCIDR: ['10.0.0.0/8'], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }] }] }] } }],
    ['error:agent-rejects CiliumNetworkPolicy shop/dns spec.egress[0]', 'warning:netpol-egress-without-dns NetworkPolicy shop/deny-egress spec.policyTypes']],
    ['all ports to a database is no DNS', [np('p', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }] })],
      ['warning:netpol-egress-without-dns NetworkPolicy shop/p spec.egress']],
    ['allow-all egress includes DNS', [np('p', { podSelector: {}, policyTypes: ['Egress'], egress: [{}] })], []],
    // cilium/cilium#48703: egress rules isolate egress even when policyTypes has no Egress
    ['egress rules under policyTypes [Ingress] isolate egress under Cilium', [np('p', { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}], egress: [{ to: [{ podSelector: {} }], ports: [{ port: 443 }] }] })],
      ['warning:netpol-egress-without-dns NetworkPolicy shop/p spec.egress', 'warning:netpol-policytypes-ignored NetworkPolicy shop/p spec.policyTypes']],
  ])('%s', (_n, objs, expected) => {
    expect(brief(lint(objs))).toEqual(expected);
  });
});

describe('lint | NetworkPolicy: versions and options', () => {
  // cilium/cilium#46949: the cluster label added from 1.18 with policy-default-local-cluster (default on from 1.19) keeps world and host out
  test.each<[LintOptions, boolean]>([
    [{ version: '1.16' }, true],
    [{ version: '1.17' }, true],
    [{ version: '1.18' }, true],
    [{ version: '1.18', policyDefaultLocalCluster: true }, false],
    [{ version: '1.19' }, false],
    [{ version: '1.19', policyDefaultLocalCluster: false }, true],
  ])('negative namespaceSelector with %j: reported %s', (options, reported) => {
    const f = lintFixture('negative-namespace.bad.yaml', options).filter((x) => x.rule === 'netpol-negative-namespace-selector');
    expect(f.length).toBe(reported ? 1 : 0);
  });

  test('a podSelector naming the cluster only negatively keeps the over-selection in 1.19', () => {
    const f = lint([np('p', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] },
      podSelector: { matchExpressions: [{ key: 'io.cilium.k8s.policy.cluster', operator: 'NotIn', values: ['other'] }] } }] }] })]);
    expect(f.filter((x) => x.rule === 'netpol-negative-namespace-selector').map((x) => x.message).join()).toMatch(/names the cluster label only negatively/);
  });

  test('cidrGroupSelector does not exist in 1.16: it is pruned (leaving an empty item the CRD refuses), not matched', () => {
    const f = lintFixture('cidr-groups.good.yaml', { version: '1.16' });
    expect(brief(f)).toEqual(['error:schema CiliumNetworkPolicy shop/api-external spec.egress[0].toCIDRSet[1]',
      'error:pruned-field CiliumNetworkPolicy shop/api-external spec.egress[0].toCIDRSet[1].cidrGroupSelector']);
  });

  test('Calico\'s NetworkPolicy kind (another API group) and other policy kinds of the same groups are not linted', () => {
    expect(lint([{ apiVersion: 'crd.projectcalico.org/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'shop' }, spec: { selector: 'all()', types: ['Egress'] } },
      { apiVersion: 'extensions/v1beta1', kind: 'PodSecurityPolicy', metadata: { name: 'psp' }, spec: {} }])).toEqual([]);
  });
});

describe('lint | NetworkPolicy: command line and plugin', () => {
  function capture() {
    const out: string[] = [];
    return { out, io: { out: (s: string) => out.push(s), err: (s: string) => out.push(s) } };
  }
  test('the summary counts NetworkPolicy objects with the Cilium policies', async () => {
    const c = capture();
    expect(await runLintCli([path.join(DIR, 'egress-dns.good.yaml')], c.io)).toBe(0);
    // four NetworkPolicies and one CiliumNetworkPolicy
    expect(c.out).toEqual(['5 objects in 1 files: 0 errors, 0 warnings']);
    const b = capture();
    expect(await runLintCli([path.join(DIR, 'egress-dns.bad.yaml'), path.join(DIR, 'admission.bad.yaml')], b.io)).toBe(1);
    expect(b.out[b.out.length - 1]).toEqual('7 objects in 2 files: 5 errors, 3 warnings');
  });

  test('the validation plugin\'s adapter passes the new findings on', () => {
    const file = path.join(DIR, 'not-evaluated.bad.yaml');
    const f = lintObjects(loadManifests([file]).map((m: any) => ({ object: m.object, manifestPath: file })));
    expect(f.map((x) => `${x.rule} ${x.resourceName}`).sort()).toEqual(['not-evaluated deny-untrusted', 'not-evaluated egress-via-gateway', 'not-evaluated host-firewall']);
  });
});
