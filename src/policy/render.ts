import { _Problem } from './errors';
import { DnsRule, HttpRule } from './l7';
import { Peer, PeerKind } from './peer';
import { IcmpType, Port, Protocol } from './port';

/** Traffic directions. */
export enum Direction {
  /** Traffic towards the selected pods. */
  INGRESS = 'ingress',
  /** Traffic from the selected pods. */
  EGRESS = 'egress',
}

/**
 * An allow rule: the peers, and optionally the ports and L7 rules. Peers of different kinds
 * are rendered as separate Cilium rules (Cilium accepts one L3 kind per rule), which keeps
 * the meaning.
 */
export interface AllowRule {
  /**
   * Who may be reached (egress) or may connect (ingress). `Peer.anyPeer()` makes an
   * L4-only rule.
   */
  readonly peers: Peer[];
  /**
   * Ports (and protocols). With no ports and no ICMP types the rule allows every port and
   * protocol, ICMP included.
   * @default - every port and protocol
   */
  readonly ports?: Port[];
  /**
   * HTTP requests allowed on the ports (TCP only). Requests matching none are refused with 403.
   * @default - no HTTP filtering
   */
  readonly http?: HttpRule[];
  /**
   * DNS query names allowed through the DNS proxy (egress to a DNS server only).
   * @default - no DNS filtering
   */
  readonly dns?: DnsRule[];
  /**
   * ICMP types, instead of ports.
   * @default - no ICMP rule
   */
  readonly icmps?: IcmpType[];
}

/** A deny rule. Denies win over every allow, from any policy; they have no L7 part. */
export interface DenyRule {
  /** The peers denied. */
  readonly peers: Peer[];
  /**
   * Ports denied.
   * @default - every port and protocol
   */
  readonly ports?: Port[];
  /**
   * ICMP types denied, instead of ports.
   * @default - no ICMP rule
   */
  readonly icmps?: IcmpType[];
}

interface PortEntry {
  port: Port;
  l7Kind?: 'http' | 'dns';
  l7: Map<string, any>;
}

interface PeerState {
  peer: Peer;
  all: boolean;
  ports: Map<string, PortEntry>;
  icmps: Map<string, IcmpType>;
}

/** The CRD's JSON field names per peer kind (the imported L1 types spell some in camel case). */
const FROM: Record<string, string> = {
  [PeerKind.ENDPOINTS]: 'fromEndpoints',
  [PeerKind.ENTITIES]: 'fromEntities',
  [PeerKind.CIDR]: 'fromCIDRSet',
};
const TO: Record<string, string> = {
  [PeerKind.ENDPOINTS]: 'toEndpoints',
  [PeerKind.ENTITIES]: 'toEntities',
  [PeerKind.CIDR]: 'toCIDRSet',
  [PeerKind.FQDN]: 'toFQDNs',
  [PeerKind.SERVICES]: 'toServices',
};

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) {
    out.push(xs.slice(i, i + n));
  }
  return out;
}

function portCovers(broad: Port, narrow: Port): boolean {
  if (broad.protocol !== Protocol.ANY && broad.protocol !== narrow.protocol) {
    return false;
  }
  if (broad.name !== undefined || narrow.name !== undefined) {
    return broad.name === narrow.name;
  }
  if (broad.startPort === 0) {
    return true;
  }
  const lo = broad.startPort!;
  const hi = broad.endPort ?? lo;
  const nlo = narrow.startPort!;
  const nhi = narrow.endPort ?? nlo;
  return nlo !== 0 && lo <= nlo && nhi <= hi;
}

function peerCovers(broad: Peer, narrow: Peer): boolean {
  if (broad._key === narrow._key || broad.kind === PeerKind.ANY) {
    return true;
  }
  const ents = broad._meta.entities ?? [];
  if (ents.includes('all')) {
    return true;
  }
  if (ents.includes('cluster') && narrow.kind === PeerKind.ENDPOINTS) {
    return true;
  }
  if (ents.includes('world') && (narrow.kind === PeerKind.CIDR || narrow.kind === PeerKind.FQDN)) {
    return true;
  }
  const bs = broad._meta;
  const ns = narrow._meta;
  if (broad.kind === PeerKind.ENDPOINTS && narrow.kind === PeerKind.ENDPOINTS && bs.selector?.selectsAll) {
    if (bs.anyNamespace) {
      return true;
    }
    if (bs.namespaces && ns.namespaces && ns.namespaces.every((n) => bs.namespaces!.includes(n))) {
      return true;
    }
  }
  return false;
}

/**
 * Renders rules of one direction into canonical Cilium rule items (in the shape of the
 * imported L1 types): validated, de-duplicated, merged per peer and port, sorted.
 *
 * @internal
 */
export class _RuleSet {
  private readonly allowRules: AllowRule[] = [];
  private l7Rules = 0;
  private fqdnRules = 0;
  private readonly denyRules: DenyRule[] = [];

  constructor(public readonly direction: Direction) {}

  public get isEmpty(): boolean {
    return this.allowRules.length === 0 && this.denyRules.length === 0;
  }

  public get hasAllow(): boolean {
    return this.allowRules.length > 0;
  }

  public get hasDeny(): boolean {
    return this.denyRules.length > 0;
  }

  public get allowRulesView(): readonly AllowRule[] {
    return this.allowRules;
  }

  /** Whether an allow rule names an FQDN peer (validation looks for their DNS rules). */
  public get hasFqdnPeers(): boolean {
    return this.fqdnRules > 0;
  }

  /** Validates and records an allow rule; returns problems (nothing recorded on problems). */
  public addAllow(rule: AllowRule, index: number): _Problem[] {
    const problems = this.checkRule(rule, index, false);
    if (problems.length === 0) {
      this.allowRules.push(rule);
      if ((rule.http ?? []).length > 0 || (rule.dns ?? []).length > 0) {
        this.l7Rules++;
      }
      // Conflicts and shadowing need an L7 rule: without one there is nothing to check.
      if (this.l7Rules > 0) {
        problems.push(...this.checkShadowing());
      }
      if (problems.length > 0) {
        this.allowRules.pop();
        if ((rule.http ?? []).length > 0 || (rule.dns ?? []).length > 0) {
          this.l7Rules--;
        }
      } else if (rule.peers.some((p) => p.kind === PeerKind.FQDN)) {
        this.fqdnRules++;
      }
    }
    return problems;
  }

  public addDeny(rule: DenyRule, index: number): _Problem[] {
    const problems = this.checkRule(rule, index, true);
    if (problems.length === 0) {
      this.denyRules.push(rule);
    }
    return problems;
  }

  private checkRule(rule: AllowRule, index: number, deny: boolean): _Problem[] {
    const field = `${this.direction}${deny ? 'Deny' : ''} rule ${index}`;
    const problems: _Problem[] = [];
    const peers = rule.peers ?? [];
    if (peers.length === 0) {
      problems.push({ field: `${field} peers`, problem: 'no peer given', fix: 'name the peers, or use Peer.anyPeer() for an L4-only rule that admits every peer' });
    }
    for (const p of peers) {
      problems.push(...p._problems.map((x) => ({ ...x, field: `${field} ${x.field}` })));
      if (this.direction === Direction.INGRESS && (p.kind === PeerKind.FQDN || p.kind === PeerKind.SERVICES)) {
        problems.push({ field: `${field} peers`, problem: `${p.kind} peer "${p.description}" can only be an egress destination`, fix: 'use pods, entities or CIDRs as ingress peers' });
      }
      if (deny && p.kind === PeerKind.FQDN) {
        problems.push({ field: `${field} peers`, problem: `FQDN peer "${p.description}" cannot be denied: toFQDNs is not in the deny schema and would be pruned, leaving a deny-nothing rule`, fix: 'deny CIDRs instead, or allow only the names you need' });
      }
    }
    const ports = rule.ports ?? [];
    for (const port of ports) {
      problems.push(...port._problems(`${field} port`));
    }
    const icmps = rule.icmps ?? [];
    for (const i of icmps) {
      problems.push(...i._problems(`${field} icmp`));
    }
    if (icmps.length > 0 && ports.length > 0) {
      problems.push({ field, problem: 'a rule cannot have both ports and ICMP types', fix: 'write the ICMP types in a separate rule' });
    }
    const http = rule.http ?? [];
    const dns = rule.dns ?? [];
    if (http.length > 0 && dns.length > 0) {
      problems.push({ field, problem: 'a rule cannot have both HTTP and DNS rules', fix: 'write them in separate rules' });
    }
    if (http.length > 0 || dns.length > 0) {
      const kind = http.length > 0 ? 'HTTP' : 'DNS';
      if (ports.length === 0) {
        problems.push({ field, problem: `${kind} rules without ports`, fix: kind === 'DNS' ? 'give the DNS port, e.g. Port.anyProtocol(53)' : 'give the TCP ports the HTTP rules apply to, e.g. Port.tcp(8080)' });
      }
      for (const port of ports) {
        if (port.startPort === 0) {
          problems.push({ field: `${field} port`, problem: `${kind} rules on ${port} (every port)`, fix: 'L7 rules need specific ports' });
        }
        if (kind === 'HTTP' && port.protocol !== Protocol.TCP) {
          problems.push({ field: `${field} port`, problem: `HTTP rules on ${port}: L7 rules apply to TCP only (protocol ANY is rejected too)`, fix: `use Port.tcp(${port.startPort ?? port.name})` });
        }
        if (kind === 'DNS' && port.endPort !== undefined) {
          problems.push({ field: `${field} port`, problem: `DNS rules on the port range ${port}`, fix: 'DNS rules need single ports, e.g. Port.anyProtocol(53)' });
        }
      }
      if (kind === 'DNS' && this.direction === Direction.INGRESS) {
        problems.push({ field, problem: 'DNS rules on ingress', fix: 'DNS rules apply to egress towards a DNS server only' });
      }
    }
    for (const h of http) {
      problems.push(...h._problems(`${field} http`));
    }
    for (const d of dns) {
      problems.push(...d._problems(`${field} dns`));
    }
    return problems;
  }

  private peerStates(rules: AllowRule[]): { states: PeerState[]; problems: _Problem[] } {
    const byPeer = new Map<string, PeerState>();
    const problems: _Problem[] = [];
    for (const rule of rules) {
      const http = rule.http ?? [];
      const dns = rule.dns ?? [];
      const l7Kind = http.length > 0 ? 'http' : dns.length > 0 ? 'dns' : undefined;
      const l7Items = l7Kind === 'http' ? http.map((h) => h._render()) : dns.map((d) => d._render());
      for (const peer of rule.peers) {
        let st = byPeer.get(peer._key);
        if (!st) {
          st = { peer, all: false, ports: new Map(), icmps: new Map() };
          byPeer.set(peer._key, st);
        }
        const ports = rule.ports ?? [];
        const icmps = rule.icmps ?? [];
        if (ports.length === 0 && icmps.length === 0) {
          st.all = true;
        }
        for (const i of icmps) {
          st.icmps.set(i._key, i);
        }
        for (const port of ports) {
          let e = st.ports.get(port._key);
          if (!e) {
            e = { port, l7Kind, l7: new Map() };
            st.ports.set(port._key, e);
          } else if (e.l7Kind !== l7Kind) {
            if (e.l7Kind && l7Kind) {
              problems.push({ field: `${this.direction} rules`, problem: `both HTTP and DNS rules for ${peer.description} on ${port}`, fix: 'Cilium cannot merge two L7 parsers on one port; keep one' });
            } else {
              problems.push(shadow(peer, port, peer));
            }
          }
          for (const item of l7Items) {
            e.l7.set(JSON.stringify(item), item);
          }
        }
      }
    }
    return { states: [...byPeer.values()], problems };
  }

  private checkShadowing(): _Problem[] {
    const { states, problems } = this.peerStates(this.allowRules);
    if (problems.length > 0) {
      return problems;
    }
    for (const narrow of states) {
      for (const e of narrow.ports.values()) {
        if (!e.l7Kind) {
          continue;
        }
        for (const broad of states) {
          if (!peerCovers(broad.peer, narrow.peer)) {
            continue;
          }
          if (broad.all) {
            return [shadow(broad.peer, e.port, narrow.peer)];
          }
          for (const b of broad.ports.values()) {
            if (!b.l7Kind && portCovers(b.port, e.port)) {
              return [shadow(broad.peer, e.port, narrow.peer)];
            }
          }
        }
      }
    }
    return [];
  }

  /** Renders allow items (L1 shape). */
  public renderAllow(): any[] {
    return this.renderItems(this.peerStates(this.allowRules).states, false);
  }

  /** Renders deny items (L1 shape). */
  public renderDeny(): any[] {
    return this.renderItems(this.peerStates(this.denyRules).states, true);
  }

  private renderItems(states: PeerState[], deny: boolean): any[] {
    // Group peers of one kind by what they are allowed, so that each item lists every peer
    // with identical ports and L7 rules.
    const groups = new Map<string, { kind: PeerKind; peers: Peer[]; part: any }>();
    const single = states.length === 1; // one peer: every part is its own group
    const add = (st: PeerState, part: any) => {
      const key = single ? String(groups.size) : `${st.peer.kind}|${JSON.stringify(part)}`;
      let g = groups.get(key);
      if (!g) {
        g = { kind: st.peer.kind, peers: [], part };
        groups.set(key, g);
      }
      g.peers.push(st.peer);
    };
    for (const st of states) {
      if (st.all) {
        add(st, {});
        continue;
      }
      if (st.ports.size > 0) {
        add(st, { toPorts: renderPorts([...st.ports.values()], deny) });
      }
      if (st.icmps.size > 0) {
        const fields = [...st.icmps.values()].sort((a, b) => cmp(a._key, b._key)).map((i) => i._render());
        add(st, { icmps: chunks(fields, 40).map((f) => ({ fields: f })) });
      }
    }
    const items: any[] = [];
    for (const g of groups.values()) {
      const l3 = renderL3(this.direction, g.kind, g.peers);
      items.push({ ...l3, ...g.part });
    }
    if (items.length < 2) {
      return items;
    }
    return items
      .map((i) => ({ key: JSON.stringify(i), i }))
      .sort((a, b) => cmp(a.key, b.key))
      .filter((x, idx, all) => idx === 0 || all[idx - 1].key !== x.key)
      .map((x) => x.i);
  }
}

function shadow(broad: Peer, port: Port, narrow: Peer): _Problem {
  return {
    field: 'rules',
    problem: `an L4-only allow for ${broad.description} on ${port} would shadow the L7 rules for ${narrow.description} on that port (Cilium then allows every request)`,
    fix: 'give the L7 rules to every allow of that port, or narrow the L4-only rule',
  };
}

function renderPorts(entries: PortEntry[], deny: boolean): any[] {
  const plain = entries.filter((e) => !e.l7Kind).sort((a, b) => cmp(a.port._sortKey, b.port._sortKey));
  const out: any[] = chunks(plain, 40).map((c) => ({ ports: c.map((e) => e.port._render()) }));
  if (deny) {
    return out;
  }
  const byL7 = new Map<string, { kind: string; rules: any[]; ports: Port[] }>();
  for (const e of entries.filter((x) => x.l7Kind)) {
    const rules = [...e.l7.keys()].sort().map((k) => e.l7.get(k));
    const key = `${e.l7Kind}|${JSON.stringify(rules)}`;
    let g = byL7.get(key);
    if (!g) {
      g = { kind: e.l7Kind!, rules, ports: [] };
      byL7.set(key, g);
    }
    g.ports.push(e.port);
  }
  const l7Entries: any[] = [];
  for (const g of byL7.values()) {
    const ports = g.ports.sort((a, b) => cmp(a._sortKey, b._sortKey));
    for (const c of chunks(ports, 40)) {
      l7Entries.push({ ports: c.map((p) => p._render()), rules: { [g.kind]: g.rules } });
    }
  }
  const sorted = l7Entries.length < 2 ? l7Entries
    : l7Entries.map((e) => ({ key: JSON.stringify(e), e })).sort((a, b) => cmp(a.key, b.key)).map((x) => x.e);
  return [...out, ...sorted];
}

function renderL3(direction: Direction, kind: PeerKind, peers: Peer[]): any {
  if (kind === PeerKind.ANY) {
    return {};
  }
  const field = (direction === Direction.INGRESS ? FROM : TO)[kind];
  const sortByJson = (xs: any[]) => {
    const m = new Map<string, any>();
    for (const x of xs) {
      m.set(JSON.stringify(x), x);
    }
    return [...m.keys()].sort().map((k) => m.get(k));
  };
  if (kind === PeerKind.ENTITIES) {
    return { [field]: [...new Set(peers.flatMap((p) => p._value as string[]))].sort() };
  }
  return { [field]: peers.length === 1 ? [peers[0]._value] : sortByJson(peers.map((p) => p._value)) };
}
