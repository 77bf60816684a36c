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
  /** The L7 rules, as their JSON (object keys sorted); made with the first rule. */
  l7?: Set<string>;
}

interface PeerState {
  peer: Peer;
  all: boolean;
  ports: Map<string, PortEntry>;
  icmps?: Map<string, IcmpType>;
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

/** Compares strings by code unit. @internal */
export function _cmp(a: string, b: string): number {
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
  private denyRules?: DenyRule[];

  constructor(public readonly direction: Direction) {}

  public get isEmpty(): boolean {
    return this.allowRules.length === 0 && !this.denyRules;
  }

  public get hasAllow(): boolean {
    return this.allowRules.length > 0;
  }

  public get hasDeny(): boolean {
    return !!this.denyRules;
  }

  public get allowRulesView(): readonly AllowRule[] {
    return this.allowRules;
  }

  public get denyRulesView(): readonly DenyRule[] {
    return this.denyRules ?? [];
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
      (this.denyRules ??= []).push(rule);
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
    for (let i = 0; i < peers.length; i++) {
      const p = peers[i];
      for (let j = 0; j < p._problems.length; j++) {
        problems.push({ ...p._problems[j], field: `${field} ${p._problems[j].field}` });
      }
      if (this.direction === Direction.INGRESS && (p.kind === PeerKind.FQDN || p.kind === PeerKind.SERVICES)) {
        problems.push({ field: `${field} peers`, problem: `${p.kind} peer "${p.description}" can only be an egress destination`, fix: 'use pods, entities or CIDRs as ingress peers' });
      }
      if (deny && p.kind === PeerKind.FQDN) {
        problems.push({ field: `${field} peers`, problem: `FQDN peer "${p.description}" cannot be denied: toFQDNs is not in the deny schema and would be pruned, leaving a deny-nothing rule`, fix: 'deny CIDRs instead, or allow only the names you need' });
      }
    }
    const ports = rule.ports ?? [];
    for (let i = 0; i < ports.length; i++) {
      if (!ports[i]._valid) {
        problems.push(...ports[i]._problems(`${field} port`));
      }
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
    for (let i = 0; i < http.length; i++) {
      if (!http[i]._valid) {
        problems.push(...http[i]._problems(`${field} http`));
      }
    }
    for (let i = 0; i < dns.length; i++) {
      problems.push(...dns[i]._problems(`${field} dns`));
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
      const l7Items: string[] = l7Kind === 'http' ? http.map((h) => h._json) : l7Kind === 'dns' ? dns.map((d) => d._json) : [];
      const ports = rule.ports ?? [];
      const icmps = rule.icmps ?? [];
      for (const peer of rule.peers) {
        let st = byPeer.get(peer._key);
        if (!st) {
          st = { peer, all: false, ports: new Map() };
          byPeer.set(peer._key, st);
        }
        if (ports.length === 0 && icmps.length === 0) {
          st.all = true;
        }
        for (const i of icmps) {
          (st.icmps ??= new Map()).set(i._key, i);
        }
        for (const port of ports) {
          let e = st.ports.get(port._key);
          if (!e) {
            e = { port, l7Kind };
            st.ports.set(port._key, e);
          } else if (e.l7Kind !== l7Kind) {
            if (e.l7Kind && l7Kind) {
              problems.push({ field: `${this.direction} rules`, problem: `both HTTP and DNS rules for ${peer.description} on ${port}`, fix: 'Cilium cannot merge two L7 parsers on one port; keep one' });
            } else {
              problems.push(shadow(peer, port, peer));
            }
          }
          for (const item of l7Items) {
            (e.l7 ??= new Set()).add(item);
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

  /**
   * Renders allow items: fresh objects with their keys sorted, as written to the manifest
   * (nothing is shared with another item or policy).
   */
  public renderAllow(): any[] {
    return this.allowRules.length === 0 ? [] : this.renderItems(this.peerStates(this.allowRules).states, false);
  }

  /** Renders deny items (like `renderAllow`). */
  public renderDeny(): any[] {
    return !this.denyRules ? [] : this.renderItems(this.peerStates(this.denyRules).states, true);
  }

  /**
   * Items are ordered by their JSON with the L3 field first and the ports part after it (as
   * `JSON.stringify({ ...l3, ...part })` spells it); the keys are composed from the JSON of
   * the peers, ports and L7 rules instead of stringifying every item.
   */
  private renderItems(states: PeerState[], deny: boolean): any[] {
    // Group peers of one kind by what they are allowed, so that each item lists every peer
    // with identical ports and L7 rules.
    const groups = new Map<string, { kind: PeerKind; peers: Peer[]; part: Part }>();
    const single = states.length === 1; // one peer: every part is its own group
    const add = (st: PeerState, part: Part) => {
      const key = single ? String(groups.size) : `${st.peer.kind}|${part.json}`;
      let g = groups.get(key);
      if (!g) {
        g = { kind: st.peer.kind, peers: [], part };
        groups.set(key, g);
      }
      g.peers.push(st.peer);
    };
    for (const st of states) {
      if (st.all) {
        add(st, EVERY_PORT);
        continue;
      }
      if (st.ports.size > 0) {
        const toPorts = renderPorts([...st.ports.values()], deny);
        add(st, { field: 'toPorts', json: `{"toPorts":${toPorts.json}}`, value: toPorts.values });
      }
      if (st.icmps && st.icmps.size > 0) {
        const sorted = [...st.icmps.values()].sort((a, b) => _cmp(a._key, b._key));
        const icmps = chunks(sorted, 40).map((c) => ({ fields: c.map((i) => i._render()) }));
        add(st, { field: 'icmps', json: JSON.stringify({ icmps }), value: icmps });
      }
    }
    const items: { key: string; item: any }[] = [];
    for (const g of groups.values()) {
      const l3 = renderL3(this.direction, g.kind, g.peers);
      const partInner = g.part.json.length > 2 ? g.part.json.slice(1, -1) : '';
      const inner = l3 ? (partInner ? `"${l3.field}":${l3.json},${partInner}` : `"${l3.field}":${l3.json}`) : partInner;
      const item: any = {};
      // Each group has a part of its own (the parts of the states that joined it are dropped).
      const partValue = g.part.value;
      if (l3 && (g.part.field === undefined || l3.field < g.part.field)) {
        item[l3.field] = l3.value;
      }
      if (g.part.field !== undefined) {
        item[g.part.field] = partValue;
      }
      if (l3 && g.part.field !== undefined && l3.field > g.part.field) {
        item[l3.field] = l3.value;
      }
      items.push({ key: `{${inner}}`, item });
    }
    if (items.length < 2) {
      return items.map((x) => x.item);
    }
    return items
      .sort((a, b) => _cmp(a.key, b.key))
      .filter((x, idx, all) => idx === 0 || all[idx - 1].key !== x.key)
      .map((x) => x.item);
  }
}

/** What an item allows besides its peers: every port, `toPorts` or `icmps`; its JSON and value. */
interface Part {
  readonly field?: 'toPorts' | 'icmps';
  readonly json: string;
  readonly value?: any;
}

/** No ports part: every port and protocol (no value, so it can be shared). */
const EVERY_PORT: Part = { json: '{}' };

function shadow(broad: Peer, port: Port, narrow: Peer): _Problem {
  return {
    field: 'rules',
    problem: `an L4-only allow for ${broad.description} on ${port} would shadow the L7 rules for ${narrow.description} on that port (Cilium then allows every request)`,
    fix: 'give the L7 rules to every allow of that port, or narrow the L4-only rule',
  };
}

/**
 * The `toPorts` of one peer: plain ports first (sorted, 40 per entry), then one entry per set of
 * L7 rules (ordered by JSON). Returns fresh values with sorted keys and the JSON of the list
 * in the L1 key order (`ports`, then `rules`).
 */
function renderPorts(entries: PortEntry[], deny: boolean): { values: any[]; json: string } {
  const values: any[] = [];
  const jsons: string[] = [];
  const plain = entries.filter((e) => !e.l7Kind).sort((a, b) => _cmp(a.port._sortKey, b.port._sortKey));
  for (const c of chunks(plain, 40)) {
    values.push({ ports: c.map((e) => e.port._renderSorted()) });
    jsons.push(`{"ports":[${c.map((e) => e.port._json).join(',')}]}`);
  }
  if (!deny) {
    const byL7 = new Map<string, { kind: string; rules: string[]; ports: Port[] }>();
    for (const e of entries) {
      if (!e.l7Kind) {
        continue;
      }
      const rules = [...e.l7!].sort();
      const key = `${e.l7Kind}|[${rules.join(',')}]`;
      let g = byL7.get(key);
      if (!g) {
        g = { kind: e.l7Kind, rules, ports: [] };
        byL7.set(key, g);
      }
      g.ports.push(e.port);
    }
    const l7Entries: { json: string; value: any }[] = [];
    for (const g of byL7.values()) {
      const ports = g.ports.sort((a, b) => _cmp(a._sortKey, b._sortKey));
      for (const c of chunks(ports, 40)) {
        l7Entries.push({
          json: `{"ports":[${c.map((p) => p._json).join(',')}],"rules":{"${g.kind}":[${g.rules.join(',')}]}}`,
          // The rules' JSON has its keys sorted: parsing it gives fresh, sorted objects.
          value: { ports: c.map((p) => p._renderSorted()), rules: { [g.kind]: g.rules.map((r) => JSON.parse(r)) } },
        });
      }
    }
    if (l7Entries.length > 1) {
      l7Entries.sort((a, b) => _cmp(a.json, b.json));
    }
    for (const e of l7Entries) {
      values.push(e.value);
      jsons.push(e.json);
    }
  }
  return { values, json: `[${jsons.join(',')}]` };
}

/** The L3 part of an item: its field, its value (fresh, sorted keys) and the value's JSON. */
function renderL3(direction: Direction, kind: PeerKind, peers: Peer[]): { field: string; value: any[]; json: string } | undefined {
  if (kind === PeerKind.ANY) {
    return undefined;
  }
  const field = (direction === Direction.INGRESS ? FROM : TO)[kind];
  if (kind === PeerKind.ENTITIES) {
    const names = [...new Set(peers.flatMap((p) => p._value as string[]))].sort();
    return { field, value: names, json: JSON.stringify(names) };
  }
  if (peers.length === 1) {
    return { field, value: [peers[0]._renderSorted()], json: `[${peers[0]._json}]` };
  }
  const byJson = new Map<string, Peer>();
  for (const p of peers) {
    byJson.set(p._json, p);
  }
  const keys = [...byJson.keys()].sort();
  return { field, value: keys.map((k) => byJson.get(k)!._renderSorted()), json: `[${keys.join(',')}]` };
}
