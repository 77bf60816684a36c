/**
 * What the linter reports: findings, their severity, and its input and options.
 */
import type { AdmissionCache } from '../intake/admission-cache';

/** Severity of a finding. */
export type Severity = 'error' | 'warning';

/** One finding. */
export interface Finding {
  readonly file: string;
  /** `Kind namespace/name` of the object. */
  readonly object: string;
  /** Path inside the object, e.g. `spec.ingress`. */
  readonly path: string;
  readonly severity: Severity;
  /** Stable id of the rule, e.g. `empty-section`. */
  readonly rule: string;
  readonly message: string;
  readonly fix: string;
}

/** A finding before it is attributed to a file and an object. */
export type Issue = Omit<Finding, 'file' | 'object'>;

/** An object to lint and the file it came from. */
export interface LintInput {
  readonly file?: string;
  readonly object: any;
}

/** Options of the linter. */
export interface LintOptions {
  /** Cilium version the findings are for ("1.16".."1.19"). Default "1.19". */
  readonly version?: string;
  /** The agent's `enable-l7-proxy` (Helm `l7Proxy`, default true); false makes every L7 rule an agent rejection. */
  readonly enableL7Proxy?: boolean;
  /**
   * The agent's `policy-default-local-cluster` (1.18+; default off in 1.18, on from 1.19): peers
   * of Kubernetes NetworkPolicies are scoped to the local cluster.
   */
  readonly policyDefaultLocalCluster?: boolean;
  /** Admissions shared with other readers of the same objects (the validation plugin's report). */
  readonly admissions?: AdmissionCache;
}
