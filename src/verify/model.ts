/**
 * Shared types of the offline Cilium policy verifier.
 *
 * These are plain TypeScript types for the engine and the command line. The jsii-friendly
 * facade lives in `verifier.ts`.
 */

/** Verdicts of a flow (scenario-format.md "Verdicts"). */
export type VerdictName = 'ALLOW' | 'DROP' | 'L7_DENY';

/** Protocols a flow may carry. ICMPv6 is ICMP towards/from an IPv6 address. */
export type FlowProto = 'TCP' | 'UDP' | 'SCTP' | 'ICMP' | 'ICMPV6';

/** Agent/daemon settings of a scenario (`env`). */
export interface VerifyEnv {
  readonly policyEnforcementMode: 'default' | 'always' | 'never';
  readonly allowLocalhost: 'always' | 'policy';
  readonly enableNonDefaultDenyPolicies: boolean;
  readonly enableL7Proxy: boolean;
  readonly clusterName: string;
  readonly policyCidrMatchMode: '' | 'nodes';
  /**
   * `policy-default-local-cluster` (v1.18+): peer selectors are scoped to the local cluster.
   * @default true from 1.19, false before
   */
  readonly policyDefaultLocalCluster?: boolean;
  /** Node IPs by peer name (`host`, `remote-node`, optionally `kube-apiserver`). */
  readonly nodes: Readonly<Record<string, string>>;
  /** Cilium minor version the verdicts are for, "1.16" .. "1.19". */
  readonly version: string;
}

export const DEFAULT_ENV: VerifyEnv = {
  policyEnforcementMode: 'default',
  allowLocalhost: 'always',
  enableNonDefaultDenyPolicies: true,
  enableL7Proxy: true,
  clusterName: 'default',
  policyCidrMatchMode: '',
  nodes: { 'host': '10.0.0.1', 'remote-node': '10.0.0.10' },
  version: '1.19',
};

/** A port (and protocol) probed in a connectivity matrix. */
export interface MatrixPort {
  readonly proto: 'TCP' | 'UDP' | 'SCTP' | 'ICMP';
  readonly port?: number;
}

/** A pod managed by Cilium. */
export interface EndpointDef {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly serviceAccount?: string;
  readonly ip?: string;
  /** Container ports by name: "<port>/<proto>" (proto defaults to TCP). */
  readonly namedPorts?: Readonly<Record<string, string>>;
}

/** A Kubernetes Service, for `toServices`. */
export interface ServiceDef {
  readonly name: string;
  readonly namespace: string;
  /** Pod selector; when absent the service is backed by `endpoints` IPs. */
  readonly selector?: Readonly<Record<string, string>>;
  readonly endpoints?: readonly string[];
  /** Labels of the Service object itself (for `k8sServiceSelector`). */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface HttpRequestSpec {
  readonly method?: string;
  readonly path?: string;
  readonly host?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One flow to evaluate. */
export interface FlowInput {
  readonly src: string;
  readonly dst: string;
  readonly proto: FlowProto;
  /** Destination port; for ICMP the ICMP type (default echo request). */
  readonly port?: number;
  readonly http?: HttpRequestSpec;
  readonly dns?: string;
  readonly expect?: VerdictName;
}

export interface NamespaceDef {
  readonly labels: Readonly<Record<string, string>>;
}

/** A complete, validated scenario. */
export interface Scenario {
  readonly file?: string;
  readonly env: VerifyEnv;
  readonly policies: readonly PolicyManifest[];
  readonly namespaces: Readonly<Record<string, NamespaceDef>>;
  readonly endpoints: readonly EndpointDef[];
  readonly services: readonly ServiceDef[];
  readonly dns: Readonly<Record<string, readonly string[]>>;
  readonly flows: readonly FlowInput[];
}

/** A manifest with where it came from (for messages). */
export interface PolicyManifest {
  readonly object: any;
  readonly source?: string;
}

/** A label of an identity: source (k8s, reserved, ...), key, value. */
export interface Label {
  readonly source: string;
  readonly key: string;
  readonly value: string;
}

export type PeerKind =
  | 'pod'
  | 'world'
  | 'host'
  | 'remote-node'
  | 'kube-apiserver'
  | 'health'
  | 'ingress'
  | 'unmanaged'
  | 'init';

/** A resolved flow end: a pod or one of the non-pod peers of scenario-format.md. */
export interface Peer {
  readonly kind: PeerKind;
  /** Name as written in the scenario. */
  readonly name: string;
  /** Identity labels (after the label filter). */
  readonly labels: readonly Label[];
  /** Stable key of the identity (sorted labels). */
  readonly identityKey: string;
  readonly ip?: string;
  readonly endpoint?: EndpointDef;
  /** Cilium endpoints that have a policy of their own (pods, health, init). */
  readonly hasPolicy: boolean;
  /** Whether CIDR rules can select this peer. */
  readonly cidrSelectable: boolean;
}

export interface PolicyRefData {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** Result of one direction (egress at the source, ingress at the destination). */
export interface DirectionResult {
  readonly direction: 'ingress' | 'egress';
  readonly verdict: VerdictName;
  readonly enforced: boolean;
  readonly defaultDeny: boolean;
  readonly policy?: PolicyRefData;
  /** Rule path inside the policy, e.g. `spec.ingress[1]`. */
  readonly rule?: string;
  readonly reason: string;
}

/** Result of a flow. */
export interface FlowResult {
  readonly verdict: VerdictName;
  readonly reason: string;
  /** Which side decided: the one that dropped/denied, else the last side that allowed. */
  readonly decidedBy?: 'ingress' | 'egress';
  readonly policy?: PolicyRefData;
  readonly rule?: string;
  readonly egress?: DirectionResult;
  readonly ingress?: DirectionResult;
  readonly notes: readonly string[];
}

/** Error in an input file; the CLI reports it with exit status 2. */
export class InputError extends Error {
  public readonly file: string;
  public readonly key: string;
  constructor(file: string, key: string, message: string) {
    super(`${file}${key ? `: ${key}` : ''}: ${message}`);
    this.file = file;
    this.key = key;
    this.name = 'InputError';
  }
}

/** Formats a policy reference: `CiliumNetworkPolicy default/x` or `CiliumClusterwideNetworkPolicy x`. */
export function formatPolicyRef(p: PolicyRefData): string {
  return p.namespace ? `${p.kind} ${p.namespace}/${p.name}` : `${p.kind} ${p.name}`;
}

/** Parses "1.19", 1.19, "v1.18.3" to the minor number; undefined when not a 1.x version. */
export function versionMinor(v: string | number | undefined): number | undefined {
  if (v === undefined || v === null) return undefined;
  let s = String(v).trim();
  if (s.startsWith('v')) s = s.slice(1);
  const m = /^1\.([0-9]+)(\.[0-9]+)?$/.exec(s);
  if (!m) return undefined;
  let minor = Number(m[1]);
  // YAML floats lose trailing zeros: 1.2 means 1.20
  if (m[1].length === 1 && typeof v === 'number') minor = minor * 10;
  return minor;
}
