/**
 * Objects the verifier does not evaluate (src/verify/intake/unevaluated.ts: kinds that change
 * what Cilium enforces or who a flow comes from, and host policies) as lint warnings, so that the
 * command line and the validation plugin show them as well as the reports do.
 */
import { hostPolicyNotice, unevaluated } from '../intake/unevaluated';
import type { Issue } from './finding';
import { objName, rulesOf } from './util';

const FIX: Readonly<Record<string, string>> = {
  CiliumEgressGatewayPolicy: 'check the flows it routes on a cluster; firewalls outside the cluster must admit the gateway node\'s address',
  CiliumLocalRedirectPolicy: 'check the redirected flows on a cluster; policies must admit the node-local backend pods and their ports',
  CiliumClusterwideLocalRedirectPolicy: 'check the redirected flows on a cluster; policies must admit the node-local backend pods and their ports',
  CiliumEnvoyConfig: 'admit the ingress identity (fromEntities: [ingress]) at the backends and check the flows on a cluster',
  CiliumClusterwideEnvoyConfig: 'admit the ingress identity (fromEntities: [ingress]) at the backends and check the flows on a cluster',
  CiliumNodeConfig: 'keep policy enforcement settings the same on every node, or verify the nodes it selects on a cluster',
  AdminNetworkPolicy: 'write the rules as a CiliumClusterwideNetworkPolicy, which Cilium enforces',
  BaselineAdminNetworkPolicy: 'write the rules as a CiliumClusterwideNetworkPolicy, which Cilium enforces',
  ClusterNetworkPolicy: 'write the rules as a CiliumClusterwideNetworkPolicy, or check them on a Cilium 1.20+ cluster with the feature on',
};

function relative(message: string, prefix: string, subject: string): string {
  return message.startsWith(`${prefix} `) ? `${subject} ${message.slice(prefix.length + 1)}` : message;
}

/** The not-evaluated warning of an object of a kind the verifier leaves out, if any. */
export function notEvaluatedKind(o: any): Issue | undefined {
  const u = unevaluated(o);
  if (!u) {
    return undefined;
  }
  return {
    path: 'kind',
    severity: 'warning',
    rule: 'not-evaluated',
    message: relative(u.message, u.object, 'this object'),
    fix: FIX[o.kind] ?? 'check its effect on a cluster',
  };
}

/** The not-evaluated warnings of the host policies (rules with a nodeSelector) of an admitted Cilium policy. */
export function notEvaluatedHostPolicies(stored: any): Issue[] {
  return rulesOf(stored).filter(({ rule }) => rule && typeof rule.nodeSelector === 'object' && rule.nodeSelector !== null).map(({ path }) => {
    const name = objName(stored);
    const n = hostPolicyNotice(name, path);
    return {
      path,
      severity: 'warning' as const,
      rule: 'not-evaluated',
      message: relative(n.message, `${name} ${path}`, 'this rule'),
      fix: 'check the host firewall on a cluster (cilium-dbg policy get and Hubble on the nodes it selects)',
    };
  });
}
