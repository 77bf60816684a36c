/**
 * admitNetworkPolicy: the API server's decoding (pinned OpenAPI schema, kubernetes/kubernetes
 * api/openapi-spec/v3/apis__networking.k8s.io__v1_openapi.json @ 1c9cf66f73c3), Go validation
 * (pkg/apis/networking/validation/validation.go @ 019c5dc51786 and apimachinery) and defaulting
 * (pkg/apis/networking/v1/defaults.go @ 030880a5dc54). Each rule has an accepted and a rejected
 * case; the Go function (or file) is named in the case.
 */
import { admitNetworkPolicy } from '../../src/verify/intake/network-policy-admit';

const np = (spec: any, metadata: any = { name: 'p', namespace: 'db' }) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec });
const withPort = (port: any) => np({ podSelector: {}, ingress: [{ ports: [port] }] });
const withPeer = (peer: any) => np({ podSelector: {}, ingress: [{ from: [peer] }] });
const withPodSelector = (podSelector: any) => np({ podSelector });
const withIpBlock = (ipBlock: any) => withPeer({ ipBlock });
const long = (n: number, c = 'a') => c.repeat(n);

type Case = [string, any, RegExp | null];

/** Accepted (null) or rejected with a message matching the pattern. */
function check(manifest: any, expected: RegExp | null): void {
  const r = admitNetworkPolicy(manifest);
  if (expected === null) {
    expect(r.schemaErrors).toEqual([]);
    expect(r.object).toBeDefined();
    expect(r.agentErrors).toEqual([]);
  } else {
    expect(r.object).toBeUndefined();
    expect(r.schemaErrors.join('\n')).toMatch(expected);
  }
}

describe('network policy admission | metadata (ValidateObjectMeta)', () => {
  test.each<Case>([
    ['ValidateNetworkPolicyName (NameIsDNSSubdomain): a DNS subdomain is accepted', np({ podSelector: {} }, { name: 'allow-db.v2' }), null],
    ['ValidateNetworkPolicyName: 253 characters are accepted', np({ podSelector: {} }, { name: long(253) }), null],
    ['ValidateNetworkPolicyName: upper case and "_" are rejected', np({ podSelector: {} }, { name: 'Allow_DB' }), /^metadata\.name: "Allow_DB" is not a valid NetworkPolicy name: a lowercase RFC 1123 subdomain/],
    ['ValidateNetworkPolicyName: 254 characters are rejected', np({ podSelector: {} }, { name: long(254) }), /metadata\.name: .*must be no more than 253 characters/],
    ['ValidateObjectMeta: a missing name is rejected', np({ podSelector: {} }, { namespace: 'db' }), /^metadata\.name: required/],
    ['ValidateObjectMeta: no metadata at all is rejected', { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', spec: { podSelector: {} } }, /^metadata\.name: required/],
    ['ValidateNamespaceName (DNS-1123 label): "db-1" is accepted', np({ podSelector: {} }, { name: 'p', namespace: 'db-1' }), null],
    ['ValidateNamespaceName: a dotted namespace is rejected', np({ podSelector: {} }, { name: 'p', namespace: 'my.ns' }), /metadata\.namespace: "my\.ns" is not a valid namespace name: must not contain dots/],
    ['ValidateLabels: a prefixed label key is accepted', np({ podSelector: {} }, { name: 'p', labels: { 'app.kubernetes.io/name': 'db' } }), null],
    ['ValidateLabels: a key with two "/" is rejected', np({ podSelector: {} }, { name: 'p', labels: { 'a/b/c': 'x' } }), /metadata\.labels: "a\/b\/c" is not a valid label key/],
    ['ValidateAnnotations: any value, qualified key (checked lower-cased) is accepted', np({ podSelector: {} }, { name: 'p', annotations: { 'Example.com/Note': 'any text: {}' } }), null],
    ['ValidateAnnotations: a key with a space is rejected', np({ podSelector: {} }, { name: 'p', annotations: { 'my note': 'x' } }), /metadata\.annotations: "my note" is not a valid annotation key/],
    ['decoding (ObjectMeta types): a numeric name is rejected', np({ podSelector: {} }, { name: 5 }), /metadata\.name: must be of type string, got number 5/],
    ['decoding (ObjectMeta types): an unquoted numeric label value is rejected', np({ podSelector: {} }, { name: 'p', labels: { tier: 2 } }), /metadata\.labels\.tier: must be of type string, got number 2/],
  ])('%s', (_name, manifest, expected) => check(manifest, expected));
});

describe('network policy admission | label selectors (apimachinery ValidateLabelSelector, ValidateLabelSelectorRequirement)', () => {
  const expr = (e: any) => withPodSelector({ matchExpressions: [e] });
  test.each<Case>([
    ['matchLabels: a qualified key with a DNS prefix is accepted', withPodSelector({ matchLabels: { 'example.com/role': 'db' } }), null],
    ['matchLabels: a name part of 63 characters is accepted', withPodSelector({ matchLabels: { [long(63)]: 'x' } }), null],
    ['matchLabels: a name part of 64 characters is rejected', withPodSelector({ matchLabels: { [long(64)]: 'x' } }), /spec\.podSelector\.matchLabels: "a{64}" is not a valid label key: name part must be no more than 63 characters/],
    ['matchLabels: "!" in a key is rejected', withPodSelector({ matchLabels: { 'role!': 'db' } }), /spec\.podSelector\.matchLabels: "role!" is not a valid label key: name part must consist of alphanumeric/],
    ['matchLabels: an empty prefix is rejected', withPodSelector({ matchLabels: { '/role': 'db' } }), /"\/role" is not a valid label key: prefix part must be non-empty/],
    ['matchLabels: an upper-case prefix is rejected', withPodSelector({ matchLabels: { 'Example.com/role': 'db' } }), /"Example\.com\/role" is not a valid label key: prefix part a lowercase RFC 1123 subdomain/],
    ['matchLabels: an empty value is accepted', withPodSelector({ matchLabels: { role: '' } }), null],
    ['matchLabels: a value with "." "_" "-" inside is accepted', withPodSelector({ matchLabels: { role: 'a.b_c-d' } }), null],
    ['matchLabels: a value starting with "-" is rejected', withPodSelector({ matchLabels: { role: '-db' } }), /spec\.podSelector\.matchLabels: "-db" \(of key "role"\) is not a valid label value/],
    ['matchLabels: a value of 64 characters is rejected', withPodSelector({ matchLabels: { role: long(64) } }), /is not a valid label value: must be no more than 63 characters/],
    ['In with values is accepted', expr({ key: 'role', operator: 'In', values: ['db'] }), null],
    ['In without values is rejected', expr({ key: 'role', operator: 'In' }), /spec\.podSelector\.matchExpressions\[0\]\.values: required when operator is In/],
    ['NotIn with an empty list is rejected', expr({ key: 'role', operator: 'NotIn', values: [] }), /matchExpressions\[0\]\.values: required when operator is NotIn/],
    ['Exists without values is accepted', expr({ key: 'role', operator: 'Exists' }), null],
    ['Exists with values is rejected', expr({ key: 'role', operator: 'Exists', values: ['db'] }), /matchExpressions\[0\]\.values: \["db"\] may not be specified when operator is Exists/],
    ['DoesNotExist with values is rejected', expr({ key: 'role', operator: 'DoesNotExist', values: ['db'] }), /may not be specified when operator is DoesNotExist/],
    ['an operator in the wrong case is rejected', expr({ key: 'role', operator: 'in', values: ['db'] }), /matchExpressions\[0\]\.operator: "in" is not a valid selector operator: the API server accepts "In", "NotIn", "Exists" or "DoesNotExist"/],
    ['a missing operator is rejected', expr({ key: 'role' }), /matchExpressions\[0\]\.operator: "" is not a valid selector operator/],
    ['an invalid expression key is rejected', expr({ key: 'a b', operator: 'Exists' }), /matchExpressions\[0\]\.key: "a b" is not a valid label key/],
    ['an invalid expression value is rejected', expr({ key: 'role', operator: 'In', values: ['ok', 'not ok'] }), /matchExpressions\[0\]\.values\[1\]: "not ok" is not a valid label value/],
    ['peer podSelector is validated the same way', withPeer({ podSelector: { matchLabels: { 'role!': 'x' } } }), /spec\.ingress\[0\]\.from\[0\]\.podSelector\.matchLabels: "role!" is not a valid label key/],
    ['peer namespaceSelector is validated the same way', withPeer({ namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Exists', values: ['a'] }] } }), /from\[0\]\.namespaceSelector\.matchExpressions\[0\]\.values: .* may not be specified/],
    ['a valid peer namespaceSelector (by name) is accepted', withPeer({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }), null],
  ])('%s', (_name, manifest, expected) => check(manifest, expected));
});

describe('network policy admission | ports (ValidateNetworkPolicyPort, IsValidPortNum, IsValidPortName)', () => {
  test.each<Case>([
    ['protocol TCP is accepted', withPort({ protocol: 'TCP', port: 80 }), null],
    ['protocol UDP is accepted', withPort({ protocol: 'UDP', port: 53 }), null],
    ['protocol SCTP is accepted', withPort({ protocol: 'SCTP', port: 9999 }), null],
    ['a lower-case protocol is rejected (case-sensitive)', withPort({ protocol: 'tcp', port: 80 }), /spec\.ingress\[0\]\.ports\[0\]\.protocol: "tcp" is not supported: the API server accepts "TCP", "UDP" or "SCTP"/],
    ['protocol ICMP is rejected', withPort({ protocol: 'ICMP' }), /protocol: "ICMP" is not supported/],
    ['port 1 is accepted', withPort({ port: 1 }), null],
    ['port 65535 is accepted', withPort({ port: 65535 }), null],
    ['port 0 is rejected', withPort({ port: 0 }), /ports\[0\]\.port: 0 is not a valid port number: must be between 1 and 65535, inclusive/],
    ['port 65536 is rejected', withPort({ port: 65536 }), /port: 65536 is not a valid port number/],
    ['named port "http" is accepted', withPort({ port: 'http' }), null],
    ['named port of 15 characters with digits and hyphens is accepted', withPort({ port: 'web-8080-abcdef' }), null],
    ['the string "80" is rejected: not a port name (no letter)', withPort({ port: '80' }), /port: "80" is not a valid port name: must contain at least one letter \(a-z\); write a port number as an integer \(port: 80\)/],
    ['an upper-case port name is rejected', withPort({ port: 'HTTP' }), /port: "HTTP" is not a valid port name: must contain only alpha-numeric characters/],
    ['a port name with "--" is rejected', withPort({ port: 'a--b' }), /must not contain consecutive hyphens/],
    ['a port name starting with "-" is rejected', withPort({ port: '-http' }), /must not begin or end with a hyphen/],
    ['a port name of 16 characters is rejected', withPort({ port: long(16) }), /must be no more than 15 characters/],
    ['endPort above port is accepted', withPort({ port: 32000, endPort: 32768 }), null],
    ['endPort equal to port is accepted', withPort({ port: 80, endPort: 80 }), null],
    ['endPort below port is rejected', withPort({ port: 80, endPort: 79 }), /ports\[0\]\.endPort: 79 must be greater than or equal to port \(80\)/],
    ['endPort above 65535 is rejected', withPort({ port: 80, endPort: 65536 }), /endPort: 65536 is not a valid port number: must be between 1 and 65535/],
    ['endPort with a named port is rejected', withPort({ port: 'http', endPort: 90 }), /endPort: 90 may not be specified when port is non-numeric \("http"\)/],
    ['endPort without port is rejected', withPort({ endPort: 90 }), /endPort: 90 may not be specified when port is not specified/],
    ['a protocol without port (all ports) is accepted', withPort({ protocol: 'UDP' }), null],
  ])('%s', (_name, manifest, expected) => check(manifest, expected));
});

describe('network policy admission | peers and ipBlock (ValidateNetworkPolicyPeer, ValidateIPBlock)', () => {
  test.each<Case>([
    ['ValidateNetworkPolicyPeer: podSelector alone is accepted', withPeer({ podSelector: {} }), null],
    ['ValidateNetworkPolicyPeer: namespaceSelector alone is accepted', withPeer({ namespaceSelector: {} }), null],
    ['ValidateNetworkPolicyPeer: namespaceSelector with podSelector is accepted', withPeer({ namespaceSelector: { matchLabels: { team: 'a' } }, podSelector: { matchLabels: { app: 'b' } } }), null],
    ['ValidateNetworkPolicyPeer: ipBlock alone is accepted', withPeer({ ipBlock: { cidr: '10.0.0.0/8' } }), null],
    ['ValidateNetworkPolicyPeer: an empty peer is rejected', withPeer({}), /spec\.ingress\[0\]\.from\[0\]: must specify a peer: one of podSelector, namespaceSelector .* or ipBlock/],
    ['ValidateNetworkPolicyPeer: ipBlock with podSelector is rejected', withPeer({ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }), /from\[0\]: may not specify both ipBlock and another peer \(podSelector\)/],
    ['ValidateNetworkPolicyPeer: ipBlock with namespaceSelector is rejected (egress too)', np({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8' }, namespaceSelector: {} }] }] }), /spec\.egress\[0\]\.to\[0\]: may not specify both ipBlock and another peer \(namespaceSelector\)/],
    ['ValidateIPBlock: a missing cidr is rejected', withIpBlock({ except: ['10.0.0.0/16'] }), /from\[0\]\.ipBlock\.cidr: required/],
    ['ValidateIPBlock: an empty cidr is rejected', withIpBlock({ cidr: '' }), /ipBlock\.cidr: required/],
    ['ValidateIPBlock: an IPv6 cidr is accepted', withIpBlock({ cidr: '2001:db8::/64' }), null],
    ['ValidateIPBlock: a bare address is rejected', withIpBlock({ cidr: '10.0.0.1' }), /ipBlock\.cidr: "10\.0\.0\.1" is not a valid CIDR value: write an address and a prefix length/],
    ['ValidateIPBlock: a prefix length above 32 is rejected', withIpBlock({ cidr: '10.0.0.0/33' }), /is not a valid CIDR value/],
    ['ValidateIPBlock: text that is no address is rejected', withIpBlock({ cidr: 'corp-net' }), /"corp-net" is not a valid CIDR value/],
    ['IsValidCIDRForLegacyField (lax, ParseCIDRSloppy): host bits after the prefix are accepted', withIpBlock({ cidr: '10.0.0.1/24' }), null],
    ['IsValidCIDRForLegacyField (lax): leading zeros in an octet are accepted', withIpBlock({ cidr: '010.0.0.0/8' }), null],
    ['IsValidCIDRForLegacyField (lax): a leading zero in the prefix length is accepted', withIpBlock({ cidr: '10.0.0.0/08' }), null],
    ['ValidateIPBlock except: a strict subset is accepted', withIpBlock({ cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] }), null],
    ['ValidateIPBlock except: the cidr itself is rejected', withIpBlock({ cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] }), /ipBlock\.except\[0\]: "10\.0\.0\.0\/8" must be a strict subset of cidr "10\.0\.0\.0\/8"/],
    ['ValidateIPBlock except: a prefix outside the cidr is rejected', withIpBlock({ cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] }), /except\[0\]: "192\.168\.0\.0\/16" must be a strict subset/],
    ['ValidateIPBlock except: a wider prefix is rejected', withIpBlock({ cidr: '10.1.0.0/16', except: ['10.0.0.0/8'] }), /except\[0\]: "10\.0\.0\.0\/8" must be a strict subset/],
    ['ValidateIPBlock except: another IP family is rejected', withIpBlock({ cidr: '0.0.0.0/0', except: ['::/0'] }), /except\[0\]: "::\/0" must be a strict subset/],
    ['ValidateIPBlock except: an invalid CIDR is rejected', withIpBlock({ cidr: '10.0.0.0/8', except: ['10.1.0.0'] }), /except\[0\]: "10\.1\.0\.0" is not a valid CIDR value/],
    ['ValidateIPBlock except (net.IPNet.Contains): an except with host bits inside the cidr is accepted', withIpBlock({ cidr: '10.0.0.0/8', except: ['10.1.2.3/16'] }), null],
  ])('%s', (_name, manifest, expected) => check(manifest, expected));
});

describe('network policy admission | policyTypes (ValidateNetworkPolicySpec)', () => {
  test.each<Case>([
    ['["Ingress", "Egress"] is accepted', np({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] }), null],
    ['["Egress"] is accepted', np({ podSelector: {}, policyTypes: ['Egress'] }), null],
    ['a duplicate within two entries passes (only the count and values are checked)', np({ podSelector: {}, policyTypes: ['Ingress', 'Ingress'] }), null],
    ['three entries are rejected', np({ podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Ingress'] }), /spec\.policyTypes: \["Ingress","Egress","Ingress"\] may not specify more than two policyTypes/],
    ['a lower-case type is rejected', np({ podSelector: {}, policyTypes: ['ingress'] }), /spec\.policyTypes\[0\]: "ingress" is not supported: the API server accepts "Ingress" or "Egress"/],
    ['an unknown type is rejected', np({ podSelector: {}, policyTypes: ['Ingress', 'Both'] }), /spec\.policyTypes\[1\]: "Both" is not supported/],
  ])('%s', (_name, manifest, expected) => check(manifest, expected));
});

describe('network policy admission | decoding (OpenAPI schema @ 1c9cf66f73c3: types)', () => {
  test.each<Case>([
    ['NetworkPolicyPort.endPort (integer, int32): a string is rejected', withPort({ port: 80, endPort: '90' }), /ports\[0\]\.endPort: must be of type integer, got string "90"/],
    ['NetworkPolicyPort.endPort (int32): 2^31 does not decode', withPort({ port: 80, endPort: 2 ** 31 }), /endPort: 2147483648 does not fit in an int32/],
    ['NetworkPolicyPort.port (IntOrString): a fraction is rejected', withPort({ port: 80.5 }), /ports\[0\]\.port: must be an integer or a string, got number/],
    ['NetworkPolicyPort.port (IntOrString, int32): 2^31 does not decode', withPort({ port: 2 ** 31 }), /port: 2147483648 does not fit in an int32/],
    ['NetworkPolicyPort.protocol (string): a number is rejected', withPort({ protocol: 6 }), /protocol: must be of type string, got integer 6/],
    ['NetworkPolicySpec.policyTypes (array): a string is rejected', np({ podSelector: {}, policyTypes: 'Ingress' }), /spec\.policyTypes: must be of type array/],
    ['LabelSelector.matchLabels (map of strings): a number is rejected', withPodSelector({ matchLabels: { tier: 1 } }), /spec\.podSelector\.matchLabels\.tier: must be of type string/],
    ['IPBlock.except (array of strings): a string is rejected', withIpBlock({ cidr: '10.0.0.0/8', except: '10.1.0.0/16' }), /ipBlock\.except: must be of type array/],
  ])('%s', (_name, manifest, expected) => check(manifest, expected));

  test('a rejected request stores nothing and reports the pruned fields too', () => {
    const r = admitNetworkPolicy(np({ podSelector: {}, ingres: [], policyTypes: ['Ingress', 'Egress', 'Ingress'] }));
    expect(r).toEqual({ object: undefined, schemaErrors: [expect.stringMatching(/more than two policyTypes/)], pruned: ['spec.ingres'], agentErrors: [] });
  });
});

describe('network policy admission | apiVersion and kind', () => {
  test.each([
    ['extensions/v1beta1', 'NetworkPolicy', /^apiVersion: extensions\/v1beta1 NetworkPolicy is not served since Kubernetes 1\.16; use networking\.k8s\.io\/v1$/],
    ['networking.k8s.io/v1beta1', 'NetworkPolicy', /never served NetworkPolicy .*use networking\.k8s\.io\/v1/],
    ['v1', 'NetworkPolicy', /^apiVersion: the API server serves no NetworkPolicy in "v1"; NetworkPolicy is networking\.k8s\.io\/v1$/],
    ['networking.k8s.io/v1', 'Ingress', /^kind: "Ingress" is not NetworkPolicy/],
    ['cilium.io/v2', 'CiliumNetworkPolicy', /^apiVersion: the API server serves no CiliumNetworkPolicy in "cilium\.io\/v2"/],
  ])('%s %s is refused', (apiVersion, kind, msg) => {
    const r = admitNetworkPolicy({ ...np({ podSelector: {} }), apiVersion, kind });
    expect(r.object).toBeUndefined();
    expect(r.schemaErrors).toEqual([expect.stringMatching(msg)]);
  });

  test('not an object', () => {
    expect(admitNetworkPolicy('kind: NetworkPolicy').schemaErrors).toEqual(['not an object']);
    expect(admitNetworkPolicy(null).schemaErrors).toEqual(['not an object']);
  });
});

describe('network policy admission | pruning (unknown fields dropped, no strict field validation)', () => {
  test('a misspelled podSelector is dropped; the zero value {} selects every pod of the namespace', () => {
    const r = admitNetworkPolicy(np({ podSelectr: { matchLabels: { app: 'db' } }, policyTypes: ['Ingress'] }));
    expect(r.pruned).toEqual(['spec.podSelectr']);
    expect(r.schemaErrors).toEqual([]);
    expect(r.object.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  });

  test('a misspelled from is dropped; the rule then allows every source on its ports', () => {
    const r = admitNetworkPolicy(np({ podSelector: {}, ingress: [{ fromm: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 5432 }] }] }));
    expect(r.pruned).toEqual(['spec.ingress[0].fromm']);
    expect(r.object.spec.ingress).toEqual([{ ports: [{ port: 5432, protocol: 'TCP' }] }]);
  });

  test('unknown fields at every level, and in metadata (ObjectMeta), are reported by path', () => {
    const r = admitNetworkPolicy({
      ...np({ podSelector: { matchLabel: { app: 'db' } }, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', exept: ['10.1.0.0/16'] } }], port: [{ port: 53 }] }] }, { name: 'p', namespcae: 'db' }),
      specs: {},
    });
    expect(r.pruned).toEqual(['metadata.namespcae', 'spec.podSelector.matchLabel', 'spec.egress[0].to[0].ipBlock.exept', 'spec.egress[0].port', 'specs']);
    expect(r.schemaErrors).toEqual([]);
    expect(r.object.metadata).toEqual({ name: 'p' });
  });

  test('metadata fields the API server knows are kept; status is kept as a free object', () => {
    const meta = { name: 'p', namespace: 'db', labels: { a: 'b' }, annotations: { 'x/y': 'z' }, uid: 'u', creationTimestamp: '2024-01-01T00:00:00Z', finalizers: [] };
    const r = admitNetworkPolicy({ ...np({ podSelector: {} }, meta), status: { conditions: [] } });
    expect(r.pruned).toEqual([]);
    expect(r.object.metadata).toEqual(meta);
    expect(r.object.status).toEqual({ conditions: [] });
  });

  test('the input manifest is not modified', () => {
    const m = np({ podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] });
    const copy = JSON.parse(JSON.stringify(m));
    admitNetworkPolicy(m);
    expect(m).toEqual(copy);
  });
});

describe('network policy admission | defaulting (pkg/apis/networking/v1/defaults.go)', () => {
  const stored = (spec: any) => admitNetworkPolicy(np(spec)).object.spec;

  test('SetDefaults_NetworkPolicyPort: protocol TCP on every port without one, in both directions', () => {
    const s = stored({ podSelector: {}, ingress: [{ ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }, {}] }], egress: [{ ports: [{ port: 'dns' }] }] });
    expect(s.ingress[0].ports).toEqual([{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }, { protocol: 'TCP' }]);
    expect(s.egress[0].ports).toEqual([{ port: 'dns', protocol: 'TCP' }]);
  });

  test.each([
    ['no rules: [Ingress]', { podSelector: {} }, ['Ingress']],
    ['ingress rules only: [Ingress]', { podSelector: {}, ingress: [{}] }, ['Ingress']],
    ['egress rules: [Ingress, Egress]', { podSelector: {}, egress: [{}] }, ['Ingress', 'Egress']],
    ['egress: [] is empty: [Ingress]', { podSelector: {}, egress: [] }, ['Ingress']],
    ['policyTypes: [] is defaulted like a missing one', { podSelector: {}, egress: [{}], policyTypes: [] }, ['Ingress', 'Egress']],
    ['an explicit [Egress] is kept', { podSelector: {}, ingress: [{}], policyTypes: ['Egress'] }, ['Egress']],
  ])('SetDefaults_NetworkPolicy: %s', (_name, spec, expected) => {
    expect(stored(spec).policyTypes).toEqual(expected);
  });

  test('Go zero values: a missing or null spec / podSelector is stored as {} (every pod of the namespace)', () => {
    const noSpec = admitNetworkPolicy({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p' } });
    expect(noSpec.object.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    expect(stored({ podSelector: null })).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  });

  test('null list items take the zero value of their type; null optional fields are dropped', () => {
    const s = stored({ podSelector: {}, ingress: [null], egress: [{ to: [{ podSelector: {}, namespaceSelector: null }], ports: [{ port: 80, protocol: null }] }] });
    expect(s.ingress).toEqual([{}]);
    expect(s.egress).toEqual([{ to: [{ podSelector: {} }], ports: [{ port: 80, protocol: 'TCP' }] }]);
  });
});
