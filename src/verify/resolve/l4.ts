/**
 * Layer 4: whether a rule item's ports cover a flow (semantics reference §8): protocols (ANY =
 * TCP, UDP and SCTP), port 0 = every port, ranges, ICMP types per address family, and named
 * ports — at ingress the subject's own container port of that name, at egress the one number
 * every endpoint agrees on (§8.3: a name used with two numbers allows nothing).
 */
import { Dir, L7Spec, NormItem, PortSpec } from '../intake/rules';
import { EndpointDef, Peer } from '../model';

/** A transport protocol as the evaluator sees it (ICMPv6 is ICMP with family 6). */
export type L4Proto = 'TCP' | 'UDP' | 'SCTP' | 'ICMP';

/** The L4 part of a flow. */
export interface L4Flow {
  readonly proto: L4Proto;
  /** Destination port; for ICMP the ICMP type. */
  readonly port: number;
  readonly family: 4 | 6;
}

/** A port rule of an item that covers a flow. */
export interface L4Match {
  readonly path: string;
  readonly l7?: L7Spec;
}

function parseNamedPort(v: string): { port: number; proto: string } | undefined {
  const m = /^\s*([0-9]+)\s*(?:\/\s*([A-Za-z]+))?\s*$/.exec(String(v));
  if (!m) return undefined;
  return { port: Number(m[1]), proto: (m[2] ?? 'TCP').toUpperCase() };
}

function namedPortOf(ep: EndpointDef, name: string): { port: number; proto: string } | undefined {
  const np = ep.namedPorts ?? {};
  for (const k of Object.keys(np)) if (k.toLowerCase() === name) return parseNamedPort(np[k]);
  return undefined;
}

/** Port matching against the endpoints of an estate (for named ports). */
export class PortMatcher {
  constructor(private readonly endpoints: readonly EndpointDef[]) {}

  /** The number a named port stands for, at `subject` in direction `dir`; undefined when none. */
  public resolveNamedPort(name: string, proto: L4Proto, dir: Dir, subject: Peer): number | undefined {
    if (dir === 'ingress') {
      if (!subject.endpoint) return undefined;
      const pp = namedPortOf(subject.endpoint, name);
      if (!pp || pp.proto !== proto || pp.port === 0) return undefined;
      return pp.port;
    }
    let port: number | undefined;
    for (const ep of this.endpoints) {
      const pp = namedPortOf(ep, name);
      if (!pp || pp.proto !== proto || pp.port === 0) continue;
      if (port !== undefined && pp.port !== port) return undefined;
      port = pp.port;
    }
    return port;
  }

  /** Whether one port spec covers the flow. */
  public portMatches(ps: PortSpec, flow: L4Flow, dir: Dir, subject: Peer): boolean {
    if (ps.invalid) return false;
    if (ps.icmp) {
      return flow.proto === 'ICMP' && ps.icmp.family === flow.family && ps.icmp.type === flow.port;
    }
    if (flow.proto === 'ICMP') return false;
    if (ps.proto !== 'ANY' && ps.proto !== flow.proto) return false;
    if (ps.name !== undefined) {
      const n = this.resolveNamedPort(ps.name, flow.proto, dir, subject);
      return n !== undefined && n === flow.port;
    }
    const p = ps.port ?? 0;
    if (p === 0) return true;
    if (ps.endPort !== undefined) return flow.port >= p && flow.port <= ps.endPort;
    return flow.port === p;
  }

  /** The port rules of an item that cover the flow; [] when none. */
  public matches(item: NormItem, flow: L4Flow, dir: Dir, subject: Peer): L4Match[] {
    if (item.l4.kind === 'all') return [{ path: item.path }];
    const out: L4Match[] = [];
    for (const pr of item.l4.rules) {
      if (pr.ports.some((ps) => this.portMatches(ps, flow, dir, subject))) out.push({ path: pr.path, l7: pr.l7 });
    }
    return out;
  }

  /** Whether the item covers the flow at all. */
  public covers(item: NormItem, flow: L4Flow, dir: Dir, subject: Peer): boolean {
    if (item.l4.kind === 'all') return true;
    for (const pr of item.l4.rules) {
      for (const ps of pr.ports) if (this.portMatches(ps, flow, dir, subject)) return true;
    }
    return false;
  }
}

/** Whether any port of the item is a named port (its coverage at ingress then depends on the subject). */
export function hasNamedPort(item: NormItem): boolean {
  return item.l4.kind === 'ports' && item.l4.rules.some((pr) => pr.ports.some((ps) => ps.name !== undefined));
}
