/**
 * One line of a Hubble export, read into an observed connection.
 *
 * The format (sources in /work/notes/hubble-flow.md): `hubble observe -o json` (an alias of
 * `-o jsonpb` since cilium/hubble PR #826) prints one `GetFlowsResponse` per line,
 * `{"flow":{…},"node_name":…,"time":…}`; older CLIs and `hubble/pkg/printer` `JSONLegacyOutput`
 * print the bare `Flow`. Keys are proto names (`protojson.MarshalOptions{UseProtoNames: true}` in
 * api/v1/flow/flow.pb.json.go: `source_port`, `is_reply`, and `IP`, `TCP`, `ICMPv4`, `Type` as
 * written in flow.proto); enums are names; unset fields are left out (so a missing key is the
 * zero value). lowerCamelCase keys, which protojson also reads, are accepted too. Unknown keys
 * are ignored, as the hubble CLI's own `--input-file` reader does.
 *
 * The other response types (`lost_events`, `node_status`, and in exporter files `agent_event`,
 * `debug_event`) are records, not flows.
 */
import { FlowProto, HttpRequestSpec } from '../model';
import { endIdentity, isKnown, ObservedEnd } from './identity';

/** What one line holds. */
export type LineRecord =
  | { readonly kind: 'flow'; readonly flow: Record<string, unknown> }
  | { readonly kind: 'record'; readonly type: string; readonly detail: string; readonly lostEvents: number }
  | { readonly kind: 'invalid'; readonly message: string };

/** Non-flow response types of `GetFlowsResponse` / `ExportEvent` (observer.proto). */
const RECORD_TYPES: Readonly<Record<string, string>> = {
  lost_events: 'lost_events', lostEvents: 'lost_events',
  node_status: 'node_status', nodeStatus: 'node_status',
  agent_event: 'agent_event', agentEvent: 'agent_event',
  debug_event: 'debug_event', debugEvent: 'debug_event',
};

/** Keys only a bare (legacy `-o json`) Flow has at the top level. */
const BARE_FLOW_KEYS = ['verdict', 'IP', 'l4', 'source', 'destination', 'Type', 'event_type', 'eventType'];

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

const camelNames = new Map<string, string>();

/** A field by proto name, or by its lowerCamelCase JSON name. */
function field(o: Record<string, unknown> | undefined, proto: string): unknown {
  if (!o) return undefined;
  const v = o[proto];
  if (v !== undefined) return v;
  let camel = camelNames.get(proto);
  if (camel === undefined) {
    camel = proto.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
    camelNames.set(proto, camel);
  }
  return camel !== proto ? o[camel] : undefined;
}

function snippet(text: string): string {
  const t = text.trim();
  return t.length > 80 ? `${t.slice(0, 77)}...` : t;
}

/** Reads one line. Blank lines are the caller's business. */
export function parseLine(text: string): LineRecord {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e: any) {
    return { kind: 'invalid', message: `not a flow: not JSON (${e && e.message ? e.message : e}): ${snippet(text)}` };
  }
  const o = obj(v);
  if (!o) return { kind: 'invalid', message: `not a flow: ${snippet(text)}` };
  const flow = obj(o.flow);
  if (flow) return { kind: 'flow', flow };
  for (const k of Object.keys(RECORD_TYPES)) {
    const r = obj(o[k]);
    if (!r) continue;
    const type = RECORD_TYPES[k];
    if (type === 'lost_events') {
      const n = Number(field(r, 'num_events_lost') ?? 0);
      const lost = Number.isFinite(n) ? n : 0;
      const src = typeof r.source === 'string' ? ` at ${r.source}` : '';
      return { kind: 'record', type, detail: `${lost} events lost${src}: the export is missing flows`, lostEvents: lost };
    }
    return { kind: 'record', type, detail: 'not a flow', lostEvents: 0 };
  }
  if (BARE_FLOW_KEYS.some((k) => k in o)) return { kind: 'flow', flow: o };
  return { kind: 'invalid', message: `not a flow: ${snippet(text)}` };
}

/** A connection as Hubble saw it, in the engine's terms. */
export interface ObservedConnection {
  readonly src: ObservedEnd;
  readonly dst: ObservedEnd;
  readonly proto: FlowProto;
  /** Destination port; for ICMP the type. */
  readonly port: number;
  readonly http?: HttpRequestSpec;
  readonly dns?: string;
}

/** A name and the addresses a flow shows for it (DNS answers, `destination_names`). */
export interface NameAddresses {
  readonly name: string;
  readonly ips: readonly string[];
}

/** What one flow tells. */
export type FlowReading =
  | { readonly kind: 'reply'; readonly why: string; readonly names: readonly NameAddresses[] }
  | { readonly kind: 'unreplayable'; readonly reason: string; readonly names: readonly NameAddresses[] }
  | {
    readonly kind: 'connection';
    readonly conn: ObservedConnection;
    /** Hubble's verdict name (`FORWARDED`, `DROPPED`, `AUDIT`, ...; `VERDICT_UNKNOWN` when absent). */
    readonly verdict: string;
    /** DROPPED by policy: drop_reason_desc POLICY_DENIED (133) / POLICY_DENY (181), an L7 drop, or no reason given. */
    readonly policyDrop: boolean;
    readonly names: readonly NameAddresses[];
  };

const POLICY_DROP_REASONS = new Set(['POLICY_DENIED', 'POLICY_DENY', '133', '181']);

/** The path and query of an HTTP URL as Hubble prints it (`url.URL.String()`: `http://host/path?q`). */
export function httpRequest(http: Record<string, unknown>): HttpRequestSpec {
  const method = typeof http.method === 'string' && http.method !== '' ? http.method : 'GET';
  const raw = typeof http.url === 'string' ? http.url : '';
  let path = '/';
  let host: string | undefined;
  const m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/([^/?#]*)([^#]*)/.exec(raw);
  if (m) {
    const authority = m[1].includes('@') ? m[1].slice(m[1].lastIndexOf('@') + 1) : m[1];
    host = authority !== '' ? authority : undefined;
    path = m[2] === '' ? '/' : m[2].startsWith('?') ? `/${m[2]}` : m[2];
  } else if (raw !== '') {
    path = raw.split('#')[0];
  }
  return host !== undefined ? { method, path, host } : { method, path };
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : [];
}

/** Names with addresses that a flow carries: DNS answers (`l7.dns.query` / `ips`) and `*_names`. */
function namesOf(flow: Record<string, unknown>, l7: Record<string, unknown> | undefined, ip: Record<string, unknown> | undefined): NameAddresses[] {
  const out: NameAddresses[] = [];
  const dns = obj(field(l7, 'dns'));
  if (dns && typeof dns.query === 'string' && dns.query !== '') {
    const ips = stringList(dns.ips);
    if (ips.length > 0) out.push({ name: dns.query, ips });
  }
  for (const [names, addr] of [['destination_names', 'destination'], ['source_names', 'source']] as const) {
    const a = ip ? ip[addr] : undefined;
    if (typeof a !== 'string' || a === '') continue;
    for (const n of stringList(field(flow, names))) out.push({ name: n, ips: [a] });
  }
  return out;
}

interface L4Reading {
  readonly proto?: FlowProto;
  readonly port?: number;
  readonly icmpReply?: boolean;
  readonly flags?: Record<string, unknown>;
  readonly error?: string;
}

function readL4(l4: Record<string, unknown> | undefined): L4Reading {
  if (!l4 || Object.keys(l4).length === 0) return { error: 'no L4 (only IP): cannot be replayed against port rules' };
  for (const [key, proto] of [['TCP', 'TCP'], ['UDP', 'UDP'], ['SCTP', 'SCTP']] as const) {
    const p = obj(l4[key] ?? l4[key.toLowerCase()]);
    if (!p) continue;
    const port = Number(field(p, 'destination_port') ?? 0);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) return { error: `${key} flow without a destination port` };
    return { proto, port, flags: obj(p.flags) };
  }
  for (const [key, proto, echoReply] of [['ICMPv4', 'ICMP', 0], ['ICMPv6', 'ICMPV6', 129]] as const) {
    const p = obj(l4[key] ?? l4[key.charAt(0).toLowerCase() + key.slice(1)]);
    if (!p) continue;
    const type = Number(p.type ?? 0); // echo reply (type 0) prints as {} (EmitUnpopulated: false)
    if (!Number.isInteger(type) || type < 0 || type > 255) return { error: `${key} flow with type ${JSON.stringify(p.type)}` };
    return { proto, port: type, icmpReply: type === echoReply };
  }
  return { error: `unknown protocol ${Object.keys(l4).slice(0, 2).join(', ')}` };
}

/**
 * Reads a flow. Replies (`is_reply: true`) are not connections of their own. When `is_reply` is
 * absent (Hubble: "it is unknown whether it is a reply or not", e.g. on policy-verdict events),
 * a TCP packet whose flags show an established or answering segment (flags present, no SYN, or
 * SYN+ACK), an ICMP echo reply and an L7 `RESPONSE` are taken as replies too; a TCP packet
 * without flags (L7 flows carry none) and `is_reply: false` are requests. Socket load-balancing
 * events (`Type: SOCK`) cannot be replayed.
 */
export function readFlow(flow: Record<string, unknown>): FlowReading {
  const ip = obj(field(flow, 'IP')) ?? obj(flow.ip);
  const l7 = obj(field(flow, 'l7'));
  const names = namesOf(flow, l7, ip);
  const l4 = readL4(obj(field(flow, 'l4')));
  const isReply = field(flow, 'is_reply');
  const replyFlag = typeof isReply === 'boolean' ? isReply : obj(isReply) ? (obj(isReply)!.value === true) : undefined;
  if (replyFlag === true) return { kind: 'reply', why: 'is_reply', names };
  const l7type = l7 ? l7.type : undefined;
  if (replyFlag === undefined) {
    if (l7type === 'RESPONSE') return { kind: 'reply', why: 'L7 response', names };
    if (l4.flags) {
      const syn = l4.flags.SYN === true;
      const ack = l4.flags.ACK === true;
      if (!syn || ack) return { kind: 'reply', why: 'TCP flags without SYN, or SYN+ACK', names };
    }
    if (l4.icmpReply) return { kind: 'reply', why: 'ICMP echo reply', names };
  }
  if (l4.error !== undefined) return { kind: 'unreplayable', reason: l4.error, names };
  if (field(flow, 'Type') === 'SOCK') {
    // socket-LB events (flow.proto FlowType SOCK, sock_xlate_point) show the service address
    // before translation: policy sees the backend, in the flows that follow
    return { kind: 'unreplayable', reason: 'socket load-balancing event (Type SOCK): its destination is the service address, which policy never sees', names };
  }
  const srcIp = ip && typeof ip.source === 'string' && ip.source !== '' ? ip.source : undefined;
  const dstIp = ip && typeof ip.destination === 'string' && ip.destination !== '' ? ip.destination : undefined;
  const src = endIdentity(field(flow, 'source'), srcIp, 'source');
  if (!isKnown(src)) return { kind: 'unreplayable', reason: src.reason, names };
  const dst = endIdentity(field(flow, 'destination'), dstIp, 'destination');
  if (!isKnown(dst)) return { kind: 'unreplayable', reason: dst.reason, names };

  let proto = l4.proto!;
  if (proto === 'ICMP' && ip && field(ip, 'ipVersion') === 'IPv6') proto = 'ICMPV6';
  let http: HttpRequestSpec | undefined;
  let dns: string | undefined;
  const httpRec = obj(field(l7, 'http'));
  const dnsRec = obj(field(l7, 'dns'));
  if (httpRec) http = httpRequest(httpRec);
  else if (dnsRec && typeof dnsRec.query === 'string' && dnsRec.query !== '') dns = dnsRec.query;

  const verdict = typeof flow.verdict === 'string' && flow.verdict !== '' ? flow.verdict : 'VERDICT_UNKNOWN';
  let policyDrop = false;
  if (verdict === 'DROPPED') {
    const desc = field(flow, 'drop_reason_desc') ?? field(flow, 'drop_reason');
    policyDrop = desc === undefined || POLICY_DROP_REASONS.has(String(desc)) || l7 !== undefined;
  }
  return { kind: 'connection', conn: { src, dst, proto, port: l4.port!, http, dns }, verdict, policyDrop, names };
}
