/**
 * The normalised rule model: what every policy front-end (CiliumNetworkPolicy,
 * CiliumClusterwideNetworkPolicy, Kubernetes NetworkPolicy) produces and every later stage
 * reads. It corresponds to the agent's `api.Rule` after `ParseToCiliumRule`: subjects and peer
 * selectors carry their injected namespace, peers and ports are parsed.
 */
import { Cidr } from '../../cilium/net';
import { Selector } from '../identity/labels';
import { PolicyRefData } from '../model';

/** A traffic direction, as seen from the endpoint whose policy applies. */
export type Dir = 'ingress' | 'egress';

/** One peer of a rule item. */
export type PeerMatcher =
  | { readonly kind: 'selector'; readonly sel: Selector }
  | { readonly kind: 'entity'; readonly name: string }
  | { readonly kind: 'cidr'; readonly cidr: Cidr; readonly except: readonly Cidr[] }
  | { readonly kind: 'fqdn'; readonly sel: any }
  | { readonly kind: 'nodes'; readonly sel: Selector }
  | { readonly kind: 'none' };

/** The peers of a rule item: any peer, or a list of matchers (an empty list selects nothing). */
export type PeerSet = { readonly kind: 'any' } | { readonly kind: 'list'; readonly matchers: readonly PeerMatcher[] };

/** One port (or ICMP type) of a rule item. */
export interface PortSpec {
  /** TCP, UDP, SCTP, ICMP, or ANY (= TCP, UDP and SCTP). */
  readonly proto: string;
  /** 0 = every port of the protocol. */
  readonly port?: number;
  /** Last port of an inclusive range. */
  readonly endPort?: number;
  /** A named port, lower-cased; resolved against container ports. */
  readonly name?: string;
  /** The agent could not parse it: matches nothing. */
  readonly invalid?: boolean;
  readonly icmp?: { readonly family: 4 | 6; readonly type: number };
}

/** The L7 rules of a port rule. */
export interface L7Spec {
  readonly kind: 'http' | 'dns' | 'kafka' | 'l7';
  readonly rules: readonly any[];
  /** Path of the rules, e.g. `spec.egress[0].toPorts[0].rules.http`. */
  readonly path: string;
}

/** One `toPorts` (or `icmps`) entry of a rule item. */
export interface PortRuleSpec {
  readonly path: string;
  readonly ports: readonly PortSpec[];
  readonly l7?: L7Spec;
}

/** The L4 part of a rule item: every port, or a list of port rules. */
export type L4Spec = { readonly kind: 'all' } | { readonly kind: 'ports'; readonly rules: readonly PortRuleSpec[] };

/** One normalised allow or deny item of a rule. */
export interface NormItem {
  /** Where it is in its policy, e.g. `spec.ingress[1]`. */
  readonly path: string;
  readonly peers: PeerSet;
  readonly l4: L4Spec;
}

/** The allow and deny items of one direction of a rule. */
export interface DirSections {
  readonly allow: readonly NormItem[];
  readonly deny: readonly NormItem[];
  /** The rule has a non-empty section for this direction: it enforces policy there. */
  readonly hasSection: boolean;
  /** The rule puts its subjects in default deny for this direction. */
  readonly defaultDeny: boolean;
}

/** An admitted rule (one spec of a policy), normalised. */
export interface NormRule {
  readonly policy: PolicyRefData;
  /** `spec`, `specs[1]`. */
  readonly path: string;
  readonly clusterwide: boolean;
  /** The policy's namespace; '' for cluster-wide policies. */
  readonly namespace: string;
  /** The subject selector (namespace injected); undefined for host policies (nodeSelector). */
  readonly subject?: Selector;
  readonly ingress: DirSections;
  readonly egress: DirSections;
}

/** A policy that exists in the input but has no effect, and why. */
export interface InertPolicy {
  readonly policy: PolicyRefData;
  readonly message: string;
  /** The subjects it would have selected (to tell which flows it concerns). */
  readonly subjects: readonly (Selector | undefined)[];
}

/** What a front-end makes of one manifest. */
export interface FrontEndResult {
  readonly rules: readonly NormRule[];
  /** Set when the policy has no effect at all (rejected by the API server or the agent). */
  readonly inert?: InertPolicy;
  /** Notes on an admitted policy (pruned fields). */
  readonly notes: readonly InertPolicy[];
}
