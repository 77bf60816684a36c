import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applySchema, goPatternToRegExp } from '../../src/verify/intake/schema';
import { _CILIUM_POLICY_SCHEMAS } from '../../src/verify/intake/schema-data.generated';
import { CRD_DIR_HINT, loadCrdSchemas, validateStrict } from '../util/crd-schema';

const S119 = _CILIUM_POLICY_SCHEMAS['1.19'];
const S118 = _CILIUM_POLICY_SCHEMAS['1.18'];
const cnp = (spec: any) => ({ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'db' }, spec });
const errs = (obj: any, schema = S119) => applySchema(obj, schema).errors;
const ingressPort = (port: any, extra: any = {}) => cnp({ endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port, ...extra }] }] }] });

describe('schema | structural validator on small schemas', () => {
  const obj = {
    type: 'object',
    required: ['name'],
    properties: {
      name: { type: 'string', maxLength: 5, minLength: 1 },
      count: { type: 'integer', minimum: 1, maximum: 3 },
      mode: { type: 'string', enum: ['a', 'b'] },
      tags: { type: 'array', maxItems: 2, minItems: 1, items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
      size: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
      free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      map: { type: 'object', additionalProperties: { type: 'string' } },
      nested: { type: 'object', properties: { x: { type: 'string', default: 'dflt' }, y: { type: 'string' } } },
    },
  };

  test('a valid object passes unchanged', () => {
    const v = { name: 'ab', count: 2, mode: 'a', tags: ['x'], size: '1Gi', free: { anything: [1, { z: 2 }] }, map: { k: 'v' } };
    expect(applySchema(v, obj)).toEqual({ value: v, errors: [], pruned: [] });
  });

  test.each([
    [{}, 'name: required field missing'],
    [{ name: 'toolong' }, 'name: longer than 5 characters'],
    [{ name: '' }, 'name: shorter than 1 characters'],
    [{ name: 'a', count: 0 }, 'count: 0 is below the minimum 1'],
    [{ name: 'a', count: 4 }, 'count: 4 is above the maximum 3'],
    [{ name: 'a', count: 1.5 }, 'count: must be of type integer'],
    [{ name: 'a', count: '2' }, 'count: must be of type integer'],
    [{ name: 'a', mode: 'c' }, 'mode: "c" is not one of "a", "b"'],
    [{ name: 'a', tags: ['x', 'y', 'z'] }, 'tags: must have at most 2 items'],
    [{ name: 'a', tags: [] }, 'tags: must have at least 1 items'],
    [{ name: 'a', tags: ['x', 'x'] }, 'tags: duplicate items in a set'],
    [{ name: 'a', size: true }, 'size: must be an integer or a string'],
    [{ name: 'a', size: 1.5 }, 'size: must be an integer or a string'],
    [{ name: 'a', map: { k: 1 } }, 'map.k: must be of type string'],
  ])('%j is rejected: %s', (v, msg) => {
    expect(applySchema(v, obj).errors.join('\n')).toContain(msg);
  });

  test('int-or-string accepts both', () => {
    expect(applySchema({ name: 'a', size: 3 }, obj).errors).toEqual([]);
    expect(applySchema({ name: 'a', size: '3' }, obj).errors).toEqual([]);
  });

  test('unknown fields are pruned and their paths reported; preserve-unknown-fields keeps them', () => {
    const r = applySchema({ name: 'a', extra: 1, nested: { y: 'b', z: 2 }, free: { q: 1 } }, obj);
    expect(r.errors).toEqual([]);
    expect(r.pruned).toEqual(['extra', 'nested.z']);
    expect(r.value).toEqual({ name: 'a', nested: { x: 'dflt', y: 'b' }, free: { q: 1 } });
  });

  test('strict mode reports unknown fields as errors and does not default', () => {
    const r = applySchema({ name: 'a', extra: 1, nested: {} }, obj, { strict: true });
    expect(r.pruned).toEqual([]);
    expect(r.errors).toEqual(['extra: unknown field "extra" (not in the CRD schema; the API server would prune it)']);
    expect(r.value.nested).toEqual({});
  });

  test('null for a non-nullable field is dropped', () => {
    expect(applySchema({ name: 'a', mode: null }, obj).value).toEqual({ name: 'a' });
  });

  test('list-type map: duplicate keys are rejected', () => {
    const s = { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' }, v: { type: 'string' } } } };
    expect(applySchema([{ name: 'a', v: '1' }, { name: 'a', v: '2' }], s).errors.join()).toMatch(/\[1\]: duplicate entry/);
    expect(applySchema([{ name: 'a' }, { name: 'b' }], s).errors).toEqual([]);
  });
});

describe('schema | Go RE2 patterns', () => {
  test('\\PC (no control characters) is translated, not read as the letters P and C', () => {
    const re = goPatternToRegExp('^\\PC*$')!;
    expect(re.test('hello world')).toBe(true);
    expect(re.test('')).toBe(true);
    expect(re.test('tab\there')).toBe(false);
    expect(re.test('bell\u0007')).toBe(false);
  });

  test('\\A, \\z, (?i) and (?P<name>) are translated', () => {
    expect(goPatternToRegExp('\\Aab\\z')!.test('ab')).toBe(true);
    expect(goPatternToRegExp('\\Aab\\z')!.test('abc')).toBe(false);
    expect(goPatternToRegExp('(?i)^abc$')!.test('ABC')).toBe(true);
    expect(goPatternToRegExp('^(?P<x>a+)$')!.test('aaa')).toBe(true);
  });

  test('log.value uses \\PC: printable values pass, control characters fail (v1.18+)', () => {
    const ok = cnp({ endpointSelector: {}, ingress: [{}], log: { value: 'db-ingress audit' } });
    expect(errs(ok)).toEqual([]);
    expect(errs(ok, S118)).toEqual([]);
    const bad = cnp({ endpointSelector: {}, ingress: [{}], log: { value: 'a\u0001b' } });
    expect(errs(bad).join()).toMatch(/spec\.log\.value: .* does not match the pattern/);
    const long = cnp({ endpointSelector: {}, ingress: [{}], log: { value: 'x'.repeat(33) } });
    expect(errs(long).join()).toMatch(/longer than 32 characters/);
  });

  test('the CRD port pattern is effectively unanchored (§8.1): "99999" and "80x" pass the schema', () => {
    expect(errs(ingressPort('99999'))).toEqual([]);
    expect(errs(ingressPort('80x'))).toEqual([]);
    expect(errs(ingressPort('postgresql'))).toEqual([]);
    expect(errs(ingressPort('5432'))).toEqual([]);
    // only strings with neither a digit run at the start nor a letter anywhere fail
    expect(errs(ingressPort('-')).join()).toMatch(/does not match the pattern/);
    expect(errs(ingressPort('')).join()).toMatch(/does not match the pattern/);
  });
});

describe('schema | the Cilium policy CRD (generated copy)', () => {
  test('an integer port fails (type string)', () => {
    expect(errs(ingressPort(5432)).join()).toMatch(/spec\.ingress\[0\]\.toPorts\[0\]\.ports\[0\]\.port: must be of type string/);
  });

  test.each([
    ['an endPort above 65535', ingressPort('80', { endPort: 70000 }), /endPort: 70000 is above the maximum 65535/],
    ['protocol "tcp" (case-sensitive enum)', ingressPort('80', { protocol: 'tcp' }), /"tcp" is not one of/],
    ['entity world-ipv4', cnp({ endpointSelector: {}, egress: [{ toEntities: ['world-ipv4'] }] }), /not one of/],
    ['a bare IP (format cidr, net.ParseCIDR)', cnp({ endpointSelector: {}, egress: [{ toCIDR: ['10.0.0.1'] }] }), /is not a CIDR/],
    ['prefix length 33', cnp({ endpointSelector: {}, egress: [{ toCIDR: ['10.0.0.0/33'] }] }), /is not a CIDR/],
    ['cidr and cidrGroupRef in one toCIDRSet item (oneOf)', cnp({ endpointSelector: {}, egress: [{ toCIDRSet: [{ cidr: '10.0.0.0/8', cidrGroupRef: 'g' }] }] }), /toCIDRSet\[0\]: must have exactly one of/],
    ['both endpointSelector and nodeSelector (oneOf)', { ...cnp({ endpointSelector: {}, nodeSelector: {}, ingress: [{}] }), kind: 'CiliumClusterwideNetworkPolicy' }, /exactly one of endpointSelector, nodeSelector \(has 2\)/],
    ['a matchLabels value longer than 63', cnp({ endpointSelector: { matchLabels: { app: 'a'.repeat(64) } }, ingress: [{}] }), /longer than 63/],
    ['a matchLabels value with a space', cnp({ endpointSelector: { matchLabels: { app: 'a b' } }, ingress: [{}] }), /does not match the pattern/],
    ['operator "in"', cnp({ endpointSelector: { matchExpressions: [{ key: 'app', operator: 'in', values: ['a'] }] }, ingress: [{}] }), /"in" is not one of/],
    ['41 ports', cnp({ endpointSelector: {}, ingress: [{ toPorts: [{ ports: Array.from({ length: 41 }, (_, i) => ({ port: String(1000 + i) })) }] }] }), /at most 40 items/],
    ['a toFQDNs name with a slash', cnp({ endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: 'a/b' }] }] }), /matchName: .* does not match/],
    ['ICMP type "256" (string: the pattern applies)', cnp({ endpointSelector: {}, egress: [{ icmps: [{ fields: [{ type: '256' }] }] }] }), /type: "256" does not match the pattern/],
    ['ICMP type "echo" (names are CamelCase)', cnp({ endpointSelector: {}, egress: [{ icmps: [{ fields: [{ type: 'echo' }] }] }] }), /type: "echo" does not match the pattern/],
    ['ICMP type true', cnp({ endpointSelector: {}, egress: [{ icmps: [{ fields: [{ type: true }] }] }] }), /type: must be an integer or a string, got boolean/],
    ['a v1.19 fromRequires entry (maxItems 0)', cnp({ endpointSelector: {}, ingress: [{ fromRequires: [{}] }] }), /fromRequires: must have at most 0 items/],
  ])('rejects %s', (_n, obj, msg) => {
    expect(errs(obj).join('\n')).toMatch(msg);
  });

  test('v1.18 differences: port is required, VRRP is not in the enum, fromRequires is allowed', () => {
    const noPort = cnp({ endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ protocol: 'TCP' }] }] }] });
    expect(errs(noPort)).toEqual([]);
    expect(errs(noPort, S118).join()).toMatch(/port: required field missing/);
    const vrrp = cnp({ endpointSelector: {}, ingress: [{ toPorts: [{ ports: [{ port: '0', protocol: 'VRRP' }] }] }] });
    expect(errs(vrrp)).toEqual([]);
    expect(errs(vrrp, S118).join()).toMatch(/"VRRP" is not one of/);
    const req = cnp({ endpointSelector: {}, ingress: [{ fromRequires: [{ matchLabels: { env: 'prod' } }] }] });
    expect(errs(req, S118)).toEqual([]);
  });

  test('format cidr is the API server\'s ParseCIDRSloppy: leading zeros pass (the agent refuses them)', () => {
    const spec = (c: string) => cnp({ endpointSelector: {}, egress: [{ toCIDR: [c] }] });
    for (const ok of ['10.0.0.0/8', '10.0.0.1/8', '010.000.0.1/8', '10.0.0.0/08', '2001:db8::/32', '::ffff:10.0.0.1/128', '0.0.0.0/0']) {
      expect([ok, errs(spec(ok))]).toEqual([ok, []]);
    }
    for (const bad of ['10.0.0.1', '10.0.0.0/33', '256.0.0.0/8', '10.0.0/8', 'fe80::1%eth0/64', '10.0.0.0/', ' 10.0.0.0/8', '2001:db8::/129']) {
      expect([bad, errs(spec(bad)).join()]).toEqual([bad, expect.stringMatching(/is not a CIDR/)]);
    }
  });

  test('the spec-level anyOf wants one of the four section keys present, even empty', () => {
    expect(errs(cnp({ endpointSelector: {} })).join()).toMatch(/at least one of ingress, ingressDeny, egress, egressDeny/);
    expect(errs(cnp({ endpointSelector: {}, ingress: [] }))).toEqual([]);
  });

  test('int-or-string: the pattern applies to strings only (integer ICMP type 256 passes the schema)', () => {
    expect(errs(cnp({ endpointSelector: {}, egress: [{ icmps: [{ fields: [{ type: 256 }] }] }] }))).toEqual([]);
    expect(errs(cnp({ endpointSelector: {}, egress: [{ icmps: [{ fields: [{ type: 'EchoRequest' }, { type: 8 }] }] }] }))).toEqual([]);
  });

  test('ICMP family is defaulted to IPv4 as the API server stores it', () => {
    const r = applySchema(cnp({ endpointSelector: {}, egress: [{ icmps: [{ fields: [{ type: 8 }] }] }] }), S119);
    expect(r.errors).toEqual([]);
    expect(r.value.spec.egress[0].icmps[0].fields[0]).toEqual({ type: 8, family: 'IPv4' });
  });

  test.each([
    ['a labelSelector key in a peer', { endpointSelector: {}, ingress: [{ fromEndpoints: [{ labelSelector: { matchLabels: { role: 'backend' } } }] }] }, ['spec.ingress[0].fromEndpoints[0].labelSelector']],
    ['rules under ingressDeny toPorts', { endpointSelector: {}, ingressDeny: [{ toPorts: [{ ports: [{ port: '80', protocol: 'TCP' }], rules: { http: [{}] } }] }] }, ['spec.ingressDeny[0].toPorts[0].rules']],
    ['toFQDNs in egressDeny', { endpointSelector: {}, egressDeny: [{ toFQDNs: [{ matchName: 'example.com' }] }] }, ['spec.egressDeny[0].toFQDNs']],
    ['misspelled fromEndpoint / toEntity', { endpointSelector: {}, ingress: [{ fromEndpoint: [{}] }], egress: [{ toEntity: ['world'] }] }, ['spec.ingress[0].fromEndpoint', 'spec.egress[0].toEntity']],
  ])('prunes %s', (_n, spec, paths) => {
    const r = applySchema(cnp(spec), S119);
    expect(r.errors).toEqual([]);
    expect(r.pruned).toEqual(paths);
  });

  test('the generated schemas carry no descriptions but keep properties named description', () => {
    const text = JSON.stringify(_CILIUM_POLICY_SCHEMAS);
    expect(text).not.toMatch(/"description":"/);
    expect(S119.properties.spec.properties.description).toEqual({ type: 'string' });
  });
});

const schemas = loadCrdSchemas();
const withCrds = schemas ? describe : describe.skip;
if (!schemas) {
  // eslint-disable-next-line no-console
  console.warn(`schema.test.ts: CRD-file tests skipped. ${CRD_DIR_HINT}`);
}

withCrds('schema | test/util/crd-schema (CRD files from $CRD_DIR)', () => {
  const valid = cnp({
    endpointSelector: { matchLabels: { 'cnpg.io/cluster': 'cluster-example' } },
    ingress: [{ fromEndpoints: [{ matchLabels: { role: 'backend' } }], toPorts: [{ ports: [{ port: '5432', protocol: 'TCP' }] }] }],
  });

  test('a valid CNP passes both Cilium schemas', () => {
    expect(validateStrict(valid)).toEqual([]);
    expect(validateStrict({ ...valid, kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'c' } })).toEqual([]);
  });

  test('an unknown field fails (strict), in both schemas', () => {
    const bad = cnp({ endpointSelector: {}, ingress: [{ fromEndpoints: [{ labelSelector: { matchLabels: { role: 'backend' } } }] }] });
    const e = validateStrict(bad);
    expect(e).toEqual([
      '[cilium v1.19] spec.ingress[0].fromEndpoints[0].labelSelector: unknown field "labelSelector" (not in the CRD schema; the API server would prune it)',
      '[cilium v1.18] spec.ingress[0].fromEndpoints[0].labelSelector: unknown field "labelSelector" (not in the CRD schema; the API server would prune it)',
    ]);
  });

  test('a bad enum fails', () => {
    expect(validateStrict(ingressPort('5432', { protocol: 'tcp' })).join('\n')).toMatch(/\[cilium v1.19\].*"tcp" is not one of/);
  });

  test('an integer port fails (type string)', () => {
    expect(validateStrict(ingressPort(5432)).join('\n')).toMatch(/port: must be of type string/);
  });

  test('CNPG kinds are checked against the CNPG CRDs', () => {
    const cluster = { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Cluster', metadata: { name: 'c', namespace: 'db' }, spec: { instances: 3, storage: { size: '1Gi' } } };
    expect(validateStrict(cluster)).toEqual([]);
    expect(validateStrict({ ...cluster, spec: { ...cluster.spec, instancez: 3 } }).join()).toMatch(/spec\.instancez: unknown field/);
    expect(validateStrict({ ...cluster, spec: { ...cluster.spec, instances: '3' } }).join()).toMatch(/spec\.instances: must be of type integer/);
    const pooler = { apiVersion: 'postgresql.cnpg.io/v1', kind: 'Pooler', metadata: { name: 'p' }, spec: { cluster: { name: 'c' }, type: 'rw', instances: 1, pgbouncer: { poolMode: 'sessio' } } };
    expect(validateStrict(pooler).join()).toMatch(/poolMode: "sessio" is not one of/);
  });

  test('a kind without a CRD in a known group fails; core kinds pass untouched', () => {
    expect(validateStrict({ apiVersion: 'cilium.io/v2', kind: 'CiliumConfig', metadata: { name: 'x' } })).toEqual(['cilium.io/v2 CiliumConfig: no such resource (no CRD for this apiVersion/kind)']);
    expect(validateStrict({ apiVersion: 'cilium.io/v1alpha1', kind: 'CiliumNetworkPolicy', metadata: { name: 'x' } }).length).toBe(1);
    expect(validateStrict({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { anything: 1 } })).toEqual([]);
  });

  test('CNP and CCNP schemas are identical apart from descriptions (and scope), per version', () => {
    const strip = (n: any, propertyMap = false): any => Array.isArray(n) ? n.map((x) => strip(x))
      : n && typeof n === 'object' ? Object.fromEntries(Object.entries(n).filter(([k]) => propertyMap || k !== 'description').map(([k, v]) => [k, strip(v, !propertyMap && k === 'properties')]))
        : n;
    expect(strip(schemas!.cnp119)).toEqual(strip(schemas!.ccnp119));
    expect(strip(schemas!.cnp118)).toEqual(strip(schemas!.ccnp118));
    expect(strip(schemas!.cnp119)).toEqual(S119);
    expect(strip(schemas!.cnp118)).toEqual(S118);
  });

  test('the generated schema data is fresh (scripts/gen-schema.js against $CRD_DIR)', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gen-schema-')), 'schema.ts');
    execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'gen-schema.js')], { env: { ...process.env, SCHEMA_OUT: out } });
    expect(fs.readFileSync(out, 'utf8')).toEqual(fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'verify', 'intake', 'schema-data.generated.ts'), 'utf8'));
  });

  test('the generated copy validates like the CRD files (all Cilium examples, a broken policy)', () => {
    const dir = path.join(process.env.CRD_DIR!, 'cilium', 'examples');
    if (!fs.existsSync(dir)) {
      return;
    }
    const YAML = require('yaml');
    const files: string[] = [];
    const walk = (d: string) => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.yaml') && files.push(path.join(d, e.name))));
    walk(dir);
    expect(files.length).toBeGreaterThanOrEqual(20);
    for (const f of files) {
      for (const doc of YAML.parseAllDocuments(fs.readFileSync(f, 'utf8'))) {
        const o = doc.toJS();
        expect([f, validateStrict(o)]).toEqual([f, []]);
        expect([f, errs(o), errs(o, S118)]).toEqual([f, [], []]);
      }
    }
  });
});
