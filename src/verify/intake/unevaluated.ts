/**
 * Kinds that change what Cilium enforces, or who a flow comes from, but that the verifier does
 * not evaluate. None of them passes in silence: each object found yields one warning naming it
 * and what the verdicts therefore leave out (research notes on Cilium's kinds, cited in
 * test/verify/unevaluated.test.ts).
 */

/** An object the verdicts do not take into account, and what that leaves out. */
export interface Unevaluated {
  /** `Kind namespace/name` or `Kind name`. */
  readonly object: string;
  readonly message: string;
}

interface KindNote {
  /** apiVersion group the kind belongs to (`cilium.io`, `policy.networking.k8s.io`). */
  readonly group: string;
  readonly what: string;
}

const KINDS: Readonly<Record<string, KindNote>> = {
  CiliumEgressGatewayPolicy: {
    group: 'cilium.io',
    what: 'traffic it selects leaves the cluster through a gateway node with the gateway\'s address; verdicts are computed as if the pod connected directly, and firewalls outside the cluster see the gateway IP',
  },
  CiliumLocalRedirectPolicy: {
    group: 'cilium.io',
    what: 'traffic to the service or address it names is redirected to node-local backend pods; verdicts for that traffic assume the original destination',
  },
  CiliumClusterwideLocalRedirectPolicy: {
    group: 'cilium.io',
    what: 'traffic to the service or address it names is redirected to node-local backend pods; verdicts for that traffic assume the original destination',
  },
  CiliumEnvoyConfig: {
    group: 'cilium.io',
    what: 'service traffic it redirects passes Cilium\'s Envoy, and backends see it coming from the ingress identity; verdicts assume the original client',
  },
  CiliumClusterwideEnvoyConfig: {
    group: 'cilium.io',
    what: 'service traffic it redirects passes Cilium\'s Envoy, and backends see it coming from the ingress identity; verdicts assume the original client',
  },
  CiliumNodeConfig: {
    group: 'cilium.io',
    what: 'it can change agent settings (policy enforcement mode, audit mode) on the nodes it selects; verdicts use the scenario\'s env for every node',
  },
  AdminNetworkPolicy: {
    group: 'policy.networking.k8s.io',
    what: 'Cilium 1.16-1.19 does not enforce it, so it has no effect: verdicts are right, but rules written there protect nothing',
  },
  BaselineAdminNetworkPolicy: {
    group: 'policy.networking.k8s.io',
    what: 'Cilium 1.16-1.19 does not enforce it, so it has no effect: verdicts are right, but rules written there protect nothing',
  },
  ClusterNetworkPolicy: {
    group: 'policy.networking.k8s.io',
    what: 'Cilium enforces it only from 1.20 with --enable-k8s-cluster-network-policy; verdicts do not include its rules',
  },
};

function refOf(o: any): string {
  const ns = o?.metadata?.namespace;
  return `${o?.kind} ${ns ? `${ns}/` : ''}${o?.metadata?.name ?? '<unnamed>'}`;
}

/** The warning for an object the verifier does not evaluate, or undefined when it needs none. */
export function unevaluated(o: any): Unevaluated | undefined {
  if (!o || typeof o !== 'object' || typeof o.kind !== 'string') return undefined;
  const note = KINDS[o.kind];
  if (!note || typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith(`${note.group}/`)) return undefined;
  return { object: refOf(o), message: `${refOf(o)} is not evaluated: ${note.what}` };
}

/** The warning for a host policy (a CiliumClusterwideNetworkPolicy rule with a nodeSelector). */
export function hostPolicyNotice(object: string, path: string): Unevaluated {
  return {
    object,
    message: `${object} ${path} is a host policy (nodeSelector) and is not evaluated: verdicts do not include the host firewall (traffic of the nodes and their host-network pods)`,
  };
}
