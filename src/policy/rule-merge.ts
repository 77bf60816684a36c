/**
 * Rules of one direction merged per peer and port (what the agent ends up enforcing), and the
 * conflicts that merging reveals: two L7 parsers on one port, and an L4-only allow that shadows
 * L7 rules (Cilium then allows every request).
 */
import { _Problem } from './errors';
import { Peer, PeerKind } from './peer';
import { IcmpType, Port, Protocol } from './port';
import { AllowRule, Direction } from './rule';

/** One port of a peer, with the L7 rules every rule gives it. @internal */
export interface _PortEntry {
  port: Port;
  l7Kind?: 'http' | 'dns';
  /** The L7 rules, as their JSON (object keys sorted); made on first use, as most ports have none. */
  l7?: Set<string>;
}

/** Everything the rules allow (or deny) one peer. @internal */
export interface _PeerState {
  peer: Peer;
  /** A rule without ports and ICMP types: every port and protocol. */
  all: boolean;
  ports: Map<string, _PortEntry>;
  /** Made on first use: most peers have no ICMP types, and states are made afresh on every render. */
  icmps?: Map<string, IcmpType>;
}

/**
 * Merges rules per peer (by `Peer._key`) and per port (by `Port._key`): the peer states in the
 * order their peers first appear, and the conflicts found.
 *
 * @internal
 */
export function _mergeByPeer(direction: Direction, rules: readonly AllowRule[]): { states: _PeerState[]; problems: _Problem[] } {
  const byPeer = new Map<string, _PeerState>();
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
            problems.push({ field: `${direction} rules`, problem: `both HTTP and DNS rules for ${peer.description} on ${port}`, fix: 'Cilium cannot merge two L7 parsers on one port; keep one' });
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

/**
 * The first conflict of the merged rules: an L7 parser conflict, or an L4-only allow of a peer
 * and port that covers a peer and port with L7 rules. None: an empty list.
 *
 * @internal
 */
export function _shadowing(direction: Direction, rules: readonly AllowRule[]): _Problem[] {
  const { states, problems } = _mergeByPeer(direction, rules);
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

function shadow(broad: Peer, port: Port, narrow: Peer): _Problem {
  return {
    field: 'rules',
    problem: `an L4-only allow for ${broad.description} on ${port} would shadow the L7 rules for ${narrow.description} on that port (Cilium then allows every request)`,
    fix: 'give the L7 rules to every allow of that port, or narrow the L4-only rule',
  };
}
