import { IConstruct } from 'constructs';
import { Port } from './policy/port';
import { PodSelector } from './policy/selector';

/**
 * What an access target tells `AccessGrant`: which pods receive the traffic, where, on which
 * ports, and whether L7 rules make sense for it.
 */
export interface AccessTargetConfig {
  /** A short readable name used in policy names and descriptions, e.g. `cluster-example`. */
  readonly name: string;
  /** The namespace of the target pods. */
  readonly namespace: string;
  /** The target pods, within `namespace`. */
  readonly selector: PodSelector;
  /** The ports a grant opens when it names none. */
  readonly defaultPorts: Port[];
  /**
   * Every port the target exposes; a grant to another port gets a warning.
   * @default - not known, no warning
   */
  readonly exposedPorts?: Port[];
  /**
   * Set for PostgreSQL targets: Cilium has no PostgreSQL L7 parser, so L7 rules are refused.
   * @default false
   */
  readonly postgres?: boolean;
}

/**
 * Something a client can be granted access to: a `SecuredPostgres` cluster, one of its
 * poolers, or any workload.
 */
export interface IAccessTarget extends IConstruct {
  /** Describes the target pods and ports. */
  toAccessTargetConfig(): AccessTargetConfig;
}
