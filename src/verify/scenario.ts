/**
 * Scenario files (shared/scenario-format.md): loading and validation. Every error names the
 * file and the key; unknown keys are ignored.
 */
import * as fs from 'fs';
import { parseYamlDocuments } from './intake/manifests';
import {
  DEFAULT_ENV,
  EndpointDef,
  FlowInput,
  FlowProto,
  HttpRequestSpec,
  InputError,
  NamespaceDef,
  PolicyManifest,
  Scenario,
  ServiceDef,
  VerdictName,
  VerifyEnv,
  versionMinor,
} from './model';
import { parseIp } from '../cilium/net';

const PROTOS: Record<string, FlowProto> = {
  TCP: 'TCP',
  UDP: 'UDP',
  SCTP: 'SCTP',
  ICMP: 'ICMP',
  ICMPV4: 'ICMP',
  ICMPV6: 'ICMPV6',
  ICMP6: 'ICMPV6',
};

const VERDICTS: Record<string, VerdictName> = { ALLOW: 'ALLOW', DROP: 'DROP', L7_DENY: 'L7_DENY' };

const PEER_NAMES = ['host', 'remote-node', 'kube-apiserver', 'health', 'ingress', 'init', 'world', 'unmanaged'];

function isMap(v: any): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);
}

function typeName(v: any): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${typeof v} ${JSON.stringify(v)}`;
}

class Checker {
  constructor(private readonly file: string) {}

  fail(key: string, msg: string): never {
    throw new InputError(this.file, key, msg);
  }

  map(v: any, key: string): Record<string, any> {
    if (!isMap(v)) this.fail(key, `must be a map, got ${typeName(v)}`);
    return v;
  }

  list(v: any, key: string): any[] {
    if (!Array.isArray(v)) this.fail(key, `must be a list, got ${typeName(v)}`);
    return v;
  }

  str(v: any, key: string): string {
    if (typeof v !== 'string' || v === '') this.fail(key, `must be a non-empty string, got ${typeName(v)}`);
    return v;
  }

  scalar(v: any, key: string): string {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return this.fail(key, `must be a string, got ${typeName(v)}`);
  }

  bool(v: any, key: string): boolean {
    if (typeof v !== 'boolean') this.fail(key, `must be true or false, got ${typeName(v)}`);
    return v;
  }

  labels(v: any, key: string): Record<string, string> {
    if (v === undefined || v === null) return {};
    const m = this.map(v, key);
    const out: Record<string, string> = {};
    for (const k of Object.keys(m)) out[k] = this.scalar(m[k], `${key}.${k}`);
    return out;
  }

  enumOf<T extends string>(v: any, key: string, allowed: readonly T[]): T {
    if (typeof v !== 'string' || !allowed.includes(v as T)) {
      this.fail(key, `must be one of ${allowed.map((a) => (a === '' ? '""' : a)).join(', ')}, got ${typeName(v)}`);
    }
    return v as T;
  }
}

function parseEnv(raw: any, c: Checker): VerifyEnv {
  if (raw === undefined || raw === null) return DEFAULT_ENV;
  const m = c.map(raw, 'env');
  const env: any = { ...DEFAULT_ENV };
  if (m.policyEnforcementMode !== undefined) {
    env.policyEnforcementMode = c.enumOf(m.policyEnforcementMode, 'env.policyEnforcementMode', ['default', 'always', 'never'] as const);
  }
  if (m.allowLocalhost !== undefined) {
    env.allowLocalhost = c.enumOf(m.allowLocalhost, 'env.allowLocalhost', ['always', 'policy'] as const);
  }
  if (m.enableNonDefaultDenyPolicies !== undefined) {
    env.enableNonDefaultDenyPolicies = c.bool(m.enableNonDefaultDenyPolicies, 'env.enableNonDefaultDenyPolicies');
  }
  if (m.enableL7Proxy !== undefined) env.enableL7Proxy = c.bool(m.enableL7Proxy, 'env.enableL7Proxy');
  if (m.clusterName !== undefined) env.clusterName = c.str(m.clusterName, 'env.clusterName');
  if (m.policyDefaultLocalCluster !== undefined && m.policyDefaultLocalCluster !== null) {
    env.policyDefaultLocalCluster = c.bool(m.policyDefaultLocalCluster, 'env.policyDefaultLocalCluster');
  }
  if (m.policyCidrMatchMode !== undefined && m.policyCidrMatchMode !== null) {
    env.policyCidrMatchMode = c.enumOf(m.policyCidrMatchMode, 'env.policyCidrMatchMode', ['', 'nodes'] as const);
  }
  if (m.nodes !== undefined && m.nodes !== null) {
    const nodes = c.map(m.nodes, 'env.nodes');
    const out: Record<string, string> = {};
    for (const k of Object.keys(nodes)) {
      const ip = c.scalar(nodes[k], `env.nodes.${k}`);
      if (!parseIp(ip)) c.fail(`env.nodes.${k}`, `not an IP address: ${JSON.stringify(ip)}`);
      out[k] = ip;
    }
    env.nodes = out;
  }
  if (m.version !== undefined) {
    const minor = versionMinor(m.version);
    if (minor === undefined) c.fail('env.version', `must be a Cilium version "1.16" .. "1.19", got ${typeName(m.version)}`);
    env.version = `1.${Math.min(19, Math.max(16, minor))}`;
  }
  return env as VerifyEnv;
}

function parseNamedPorts(v: any, key: string, c: Checker): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  const m = c.map(v, key);
  const out: Record<string, string> = {};
  for (const k of Object.keys(m)) {
    const s = c.scalar(m[k], `${key}.${k}`);
    if (!/^\s*[0-9]+\s*(\/\s*(TCP|UDP|SCTP|tcp|udp|sctp)\s*)?$/.test(s)) {
      c.fail(`${key}.${k}`, `must be "<port>/<protocol>", got ${JSON.stringify(s)}`);
    }
    out[k] = s;
  }
  return out;
}

function parseEndpoint(name: string, v: any, key: string, c: Checker): EndpointDef {
  const m = v === null || v === undefined ? {} : c.map(v, key);
  const namespace = m.namespace === undefined || m.namespace === null ? 'default' : c.str(m.namespace, `${key}.namespace`);
  const labels = c.labels(m.labels, `${key}.labels`);
  const serviceAccount = m.serviceAccount === undefined || m.serviceAccount === null ? undefined : c.str(m.serviceAccount, `${key}.serviceAccount`);
  let ip: string | undefined;
  if (m.ip !== undefined && m.ip !== null) {
    ip = c.str(m.ip, `${key}.ip`);
    if (!parseIp(ip)) c.fail(`${key}.ip`, `not an IP address: ${JSON.stringify(ip)}`);
  }
  const namedPorts = parseNamedPorts(m.namedPorts, `${key}.namedPorts`, c);
  return { name, namespace, labels, serviceAccount, ip, namedPorts };
}

function parseEndpoints(raw: any, c: Checker): EndpointDef[] {
  if (raw === undefined || raw === null) return [];
  const out: EndpointDef[] = [];
  if (Array.isArray(raw)) {
    raw.forEach((e, i) => {
      const m = c.map(e, `endpoints[${i}]`);
      const name = c.str(m.name, `endpoints[${i}].name`);
      out.push(parseEndpoint(name, m, `endpoints[${i}]`, c));
    });
  } else {
    const m = c.map(raw, 'endpoints');
    for (const name of Object.keys(m)) out.push(parseEndpoint(name, m[name], `endpoints.${name}`, c));
  }
  const seen = new Set<string>();
  for (const e of out) {
    if (seen.has(e.name)) c.fail(`endpoints.${e.name}`, 'duplicate endpoint name');
    seen.add(e.name);
  }
  return out;
}

function parseServices(raw: any, c: Checker): ServiceDef[] {
  if (raw === undefined || raw === null) return [];
  return c.list(raw, 'services').map((s, i) => {
    const key = `services[${i}]`;
    const m = c.map(s, key);
    const name = c.str(m.name, `${key}.name`);
    const namespace = m.namespace === undefined || m.namespace === null ? 'default' : c.str(m.namespace, `${key}.namespace`);
    const selector = m.selector === undefined || m.selector === null ? undefined : c.labels(m.selector, `${key}.selector`);
    let endpoints: string[] | undefined;
    if (m.endpoints !== undefined && m.endpoints !== null) {
      endpoints = c.list(m.endpoints, `${key}.endpoints`).map((ip, j) => {
        const t = c.str(ip, `${key}.endpoints[${j}]`);
        if (!parseIp(t)) c.fail(`${key}.endpoints[${j}]`, `not an IP address: ${JSON.stringify(t)}`);
        return t;
      });
    }
    const labels = c.labels(m.labels, `${key}.labels`);
    return { name, namespace, selector, endpoints, labels };
  });
}

function parseDns(raw: any, c: Checker): Record<string, string[]> {
  if (raw === undefined || raw === null) return {};
  const m = c.map(raw, 'dns');
  const out: Record<string, string[]> = {};
  for (const name of Object.keys(m)) {
    const v = m[name];
    const list = typeof v === 'string' ? [v] : c.list(v, `dns.${name}`);
    out[name] = list.map((ip, j) => {
      const t = c.str(ip, `dns.${name}[${j}]`);
      if (!parseIp(t)) c.fail(`dns.${name}[${j}]`, `not an IP address: ${JSON.stringify(t)}`);
      return t;
    });
  }
  return out;
}

function parseNamespaces(raw: any, c: Checker): Record<string, NamespaceDef> {
  if (raw === undefined || raw === null) return {};
  const m = c.map(raw, 'namespaces');
  const out: Record<string, NamespaceDef> = {};
  for (const ns of Object.keys(m)) {
    const v = m[ns] === null || m[ns] === undefined ? {} : c.map(m[ns], `namespaces.${ns}`);
    out[ns] = { labels: c.labels(v.labels, `namespaces.${ns}.labels`) };
  }
  return out;
}

function isPeerName(s: string, endpoints: Set<string>): boolean {
  if (endpoints.has(s)) return true;
  const colon = s.indexOf(':');
  const head = colon >= 0 ? s.slice(0, colon) : s;
  const arg = colon >= 0 ? s.slice(colon + 1) : undefined;
  if (head === 'world' || head === 'unmanaged') return arg === undefined || parseIp(arg) !== undefined;
  return arg === undefined && PEER_NAMES.includes(head);
}

function parseHttp(v: any, key: string, c: Checker): HttpRequestSpec {
  const m = c.map(v, key);
  const out: any = {};
  if (m.method !== undefined && m.method !== null) out.method = c.str(m.method, `${key}.method`);
  if (m.path !== undefined && m.path !== null) out.path = c.str(m.path, `${key}.path`);
  if (m.host !== undefined && m.host !== null) out.host = c.str(m.host, `${key}.host`);
  if (m.headers !== undefined && m.headers !== null) {
    if (Array.isArray(m.headers)) {
      const h: Record<string, string> = {};
      m.headers.forEach((x: any, i: number) => {
        const s = c.str(x, `${key}.headers[${i}]`);
        const idx = s.indexOf(':');
        if (idx <= 0) c.fail(`${key}.headers[${i}]`, `must be "Name: value", got ${JSON.stringify(s)}`);
        h[s.slice(0, idx).trim()] = s.slice(idx + 1).trim();
      });
      out.headers = h;
    } else {
      out.headers = c.labels(m.headers, `${key}.headers`);
    }
  }
  return out;
}

function parseFlows(raw: any, endpoints: EndpointDef[], c: Checker): FlowInput[] {
  if (raw === undefined || raw === null) return [];
  const names = new Set(endpoints.map((e) => e.name));
  return c.list(raw, 'flows').map((f, i) => {
    const key = `flows[${i}]`;
    const m = c.map(f, key);
    const ends: Record<string, string> = {};
    for (const end of ['src', 'dst']) {
      if (m[end] === undefined || m[end] === null) c.fail(`${key}.${end}`, 'is required');
      const s = c.str(m[end], `${key}.${end}`);
      if (!isPeerName(s, names)) {
        const slash = s.indexOf('/');
        const nsName = slash > 0 && endpoints.some((e) => `${e.namespace}/${e.name}` === s);
        if (!nsName) {
          c.fail(
            `${key}.${end}`,
            `unknown endpoint ${JSON.stringify(s)} (not in endpoints, and not a peer: world:<ip>, host, remote-node, kube-apiserver, health, ingress, unmanaged:<ip>, init)`,
          );
        }
      }
      ends[end] = s;
    }
    if (m.proto === undefined || m.proto === null) c.fail(`${key}.proto`, 'is required (TCP, UDP, SCTP or ICMP)');
    const protoRaw = c.str(m.proto, `${key}.proto`);
    const proto = PROTOS[protoRaw.toUpperCase()];
    if (!proto) c.fail(`${key}.proto`, `must be one of TCP, UDP, SCTP, ICMP, got ${JSON.stringify(protoRaw)}`);
    let port: number | undefined;
    if (m.port !== undefined && m.port !== null) {
      let p = m.port;
      if (typeof p === 'string' && /^[0-9]+$/.test(p)) p = Number(p);
      const max = proto === 'ICMP' || proto === 'ICMPV6' ? 255 : 65535;
      if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > max) {
        c.fail(`${key}.port`, `must be an integer 0..${max}, got ${typeName(m.port)}`);
      }
      port = p;
    } else if (proto !== 'ICMP' && proto !== 'ICMPV6' && (m.dns === undefined || m.dns === null)) {
      c.fail(`${key}.port`, `is required for ${proto}`);
    }
    const http = m.http === undefined || m.http === null ? undefined : parseHttp(m.http, `${key}.http`, c);
    const dns = m.dns === undefined || m.dns === null ? undefined : c.str(m.dns, `${key}.dns`);
    let expect: VerdictName | undefined;
    if (m.expect !== undefined && m.expect !== null) {
      const e = c.str(m.expect, `${key}.expect`);
      expect = VERDICTS[e.toUpperCase().replace(/-/g, '_')];
      if (!expect) c.fail(`${key}.expect`, `must be one of ALLOW, DROP, L7_DENY, got ${JSON.stringify(e)}`);
    }
    return { src: ends.src, dst: ends.dst, proto, port, http, dns, expect };
  });
}

function parsePolicies(raw: any, file: string, c: Checker): PolicyManifest[] {
  if (raw === undefined || raw === null) return [];
  return c.list(raw, 'policies').map((p, i) => {
    c.map(p, `policies[${i}]`);
    return { object: p, source: `${file} policies[${i}]` };
  });
}

/** Validates a parsed scenario document. */
export function parseScenarioObject(doc: any, file = '<scenario>'): Scenario {
  const c = new Checker(file);
  const m = c.map(doc, '');
  const env = parseEnv(m.env, c);
  const endpoints = parseEndpoints(m.endpoints, c);
  return {
    file,
    env,
    policies: parsePolicies(m.policies, file, c),
    namespaces: parseNamespaces(m.namespaces, c),
    endpoints,
    services: parseServices(m.services, c),
    dns: parseDns(m.dns, c),
    flows: parseFlows(m.flows, endpoints, c),
  };
}

/** Parses scenario YAML text. */
export function parseScenario(text: string, file = '<scenario>'): Scenario {
  const docs = parseYamlDocuments(text, file);
  if (docs.length === 0) throw new InputError(file, '', 'empty file: expected a scenario document');
  if (docs.length > 1) throw new InputError(file, '', `expected one YAML document, found ${docs.length}`);
  return parseScenarioObject(docs[0], file);
}

/** Reads and validates a scenario file. */
export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    throw new InputError(file, '', `cannot read: ${e && e.code === 'ENOENT' ? 'no such file' : e && e.code === 'EISDIR' ? 'is a directory' : e && e.message ? e.message : e}`);
  }
  return parseScenario(text, file);
}
