/**
 * Layer 3: whether a rule item's peers select a flow's other end (semantics reference §3–§7,
 * §10): endpoint selectors on identity labels, entities (§5), CIDRs (§6: never pods, nodes only
 * with `policy-cidr-match-mode=nodes`, `/0` also selects `reserved:world`), node selectors, and
 * FQDNs (§10: only names the source learned through the DNS proxy).
 */
import { dnsSelectorMatches } from '../../cilium/dns';
import { CLUSTER_ENTITY_RESERVED, WORLD_ENTITY_RESERVED } from '../../cilium/identities';
import { K8S, POLICY_CLUSTER } from '../../cilium/labels';
import { cidrContains, parseIp } from '../../cilium/net';
import { Selector, selectorMatches } from '../identity/labels';
import { hasReserved } from '../identity/peers';
import { Dir, PeerMatcher, PeerSet } from '../intake/rules';
import { Peer } from '../model';

/** Whether `src` learned `name` through the DNS proxy (an FQDN rule only has the addresses of learned names). */
export type FqdnLearned = (src: Peer, name: string) => boolean;

/** Peer matching for one estate. */
export class PeerMatching {
  private readonly dnsByIp = new Map<string, string[]>();

  constructor(
    private readonly clusterName: string,
    private readonly minor: number,
    dns: Readonly<Record<string, readonly string[]>>,
    private readonly fqdnLearned: FqdnLearned,
  ) {
    for (const name of Object.keys(dns)) {
      for (const ip of dns[name] ?? []) {
        const parsed = parseIp(ip);
        const key = parsed ? `${parsed.family}:${parsed.value}` : String(ip);
        const list = this.dnsByIp.get(key) ?? [];
        list.push(name);
        this.dnsByIp.set(key, list);
      }
    }
  }

  /** Whether an endpoint selector selects the peer's identity. */
  public selects(sel: Selector, peer: Peer): boolean {
    return selectorMatches(sel, peer.labels);
  }

  /** §5 entities. */
  public entityMatches(entity: string, peer: Peer): boolean {
    switch (entity) {
      case 'all':
        return true;
      case 'world':
        return WORLD_ENTITY_RESERVED.some((n) => hasReserved(peer, n));
      case 'cluster':
        return (
          CLUSTER_ENTITY_RESERVED.some((n) => hasReserved(peer, n)) ||
          peer.labels.some((l) => l.source === K8S && l.key === POLICY_CLUSTER && l.value === this.clusterName)
        );
      case 'none':
        return false;
      default:
        return hasReserved(peer, entity);
    }
  }

  /** §6 CIDR rules. */
  public cidrMatches(m: Extract<PeerMatcher, { kind: 'cidr' }>, peer: Peer): boolean {
    const world = this.entityMatches('world', peer);
    if (!peer.cidrSelectable || !peer.ip) {
      // without an address only `/0` (which also selects reserved:world) can match
      return m.cidr.bits === 0 && world && m.except.length === 0;
    }
    const ip = parseIp(peer.ip);
    if (!ip) return false;
    // `/0` selects reserved:world for either family
    if (!cidrContains(m.cidr, ip) && !(m.cidr.bits === 0 && world)) return false;
    for (const e of m.except) if (cidrContains(e, ip)) return false;
    return true;
  }

  /** Whether one matcher selects `peer`, for `subject` in direction `dir`. */
  public matcherSelects(m: PeerMatcher, peer: Peer, subject: Peer, dir: Dir): boolean {
    switch (m.kind) {
      case 'selector':
        return this.selects(m.sel, peer);
      case 'entity':
        return this.entityMatches(m.name, peer);
      case 'cidr':
        return this.cidrMatches(m, peer);
      case 'fqdn':
        return dir === 'egress' && this.fqdnMatches(m.sel, peer, subject);
      case 'nodes':
        return (peer.kind === 'host' || peer.kind === 'remote-node' || peer.kind === 'kube-apiserver') && selectorMatches(m.sel, []);
      default:
        return false;
    }
  }

  /** Whether a rule item's peers select `peer`. */
  public peersSelect(set: PeerSet, peer: Peer, subject: Peer, dir: Dir): boolean {
    if (set.kind === 'any') return true;
    for (const m of set.matchers) if (this.matcherSelects(m, peer, subject, dir)) return true;
    return false;
  }

  /** The names the scenario's `dns` maps to the peer's address. */
  public namesOf(peer: Peer): string[] {
    if (!peer.ip) return [];
    const ip = parseIp(peer.ip);
    const key = ip ? `${ip.family}:${ip.value}` : peer.ip;
    return this.dnsByIp.get(key) ?? [];
  }

  /** §10: an FQDN selector matches a world address when a name it admits resolves to it and the source learned that name. */
  private fqdnMatches(sel: any, peer: Peer, src: Peer): boolean {
    if (peer.kind !== 'world') return false;
    for (const name of this.namesOf(peer)) {
      if (dnsSelectorMatches(sel, name, this.minor) && this.fqdnLearned(src, name)) return true;
    }
    return false;
  }
}
