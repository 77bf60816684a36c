/**
 * What a policy is given: the allow and deny rules of one direction, as the user writes them.
 * How they are checked, merged and rendered: `rule-checks.ts`, `rule-merge.ts`, `rule-json.ts`,
 * tied together by `rule-set.ts`.
 */
import { DnsRule, HttpRule } from './l7';
import { Peer } from './peer';
import { IcmpType, Port } from './port';

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
