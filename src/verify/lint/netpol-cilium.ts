/**
 * Where Cilium enforces a Kubernetes NetworkPolicy differently from what Kubernetes specifies
 * (research notes on NetworkPolicy §A, cilium/cilium issues cited in each message):
 *
 * - `policyTypes` does not suppress a non-empty rule list (cilium/cilium#48703, open);
 * - a namespaceSelector made only of NotIn / DoesNotExist also matches identities that are not
 *   pods (world, host, ...) unless the local-cluster label is added to the peer
 *   (cilium/cilium#46949).
 *
 * `endPort` needs no check: Cilium ignored it up to 1.15 (cilium/cilium#28684) and honours it
 * from 1.16, where the supported range of this verifier starts.
 */
import type { Issue } from './finding';
import { peersOf } from './netpol-mistakes';

const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);

/** Rules in a direction that `policyTypes` leaves out: Kubernetes ignores them, Cilium does not. */
function policyTypesIgnored(stored: any): Issue[] {
  const out: Issue[] = [];
  const types: string[] = list(stored.spec?.policyTypes);
  for (const [dir, type, peers] of [['ingress', 'Ingress', 'sources'], ['egress', 'Egress', 'destinations']]) {
    if (list(stored.spec?.[dir]).length === 0 || types.includes(type)) {
      continue;
    }
    out.push({
      path: 'spec.policyTypes',
      severity: 'warning',
      rule: 'netpol-policytypes-ignored',
      message: `policyTypes ${JSON.stringify(types)} has no ${type}, so by Kubernetes the ${dir} rules are ignored, but Cilium enforces them anyway (cilium/cilium#48703): the selected pods become ${dir}-isolated and only the ${peers} these rules name are allowed`,
      fix: `add ${type} to policyTypes if the ${dir} rules are meant; otherwise remove spec.${dir}`,
    });
  }
  return out;
}

const NEGATIVE = ['NotIn', 'DoesNotExist'];

function onlyNegative(sel: any): boolean {
  const exprs = list(sel?.matchExpressions);
  return Object.keys(sel?.matchLabels ?? {}).length === 0 && exprs.length > 0 && exprs.every((e) => NEGATIVE.includes(e?.operator));
}

const CLUSTER_KEY = 'io.cilium.k8s.policy.cluster';

/**
 * Peers whose namespaceSelector is only NotIn/DoesNotExist. The agent adds the `Exists` on the
 * pod namespace only to an empty namespaceSelector, so such a peer has no requirement a non-pod
 * identity fails, unless the local cluster label is added (policy-default-local-cluster, 1.18+,
 * default on from 1.19) or the podSelector has a positive requirement.
 */
function negativeNamespaceSelectors(stored: any, minor: number, localCluster: boolean): Issue[] {
  const out: Issue[] = [];
  for (const { peer, path, dir } of peersOf(stored.spec)) {
    if (!peer.namespaceSelector || !onlyNegative(peer.namespaceSelector)) {
      continue;
    }
    const pod = peer.podSelector;
    const podEmptyOrNegative = !pod || (Object.keys(pod.matchLabels ?? {}).length === 0 && list(pod.matchExpressions).every((e) => NEGATIVE.includes(e?.operator)));
    if (!podEmptyOrNegative) {
      continue;
    }
    const namesCluster = list(pod?.matchExpressions).some((e) => e?.key === CLUSTER_KEY);
    const clusterLabelAdded = minor >= 18 && localCluster && !namesCluster;
    if (clusterLabelAdded) {
      continue;
    }
    const why = namesCluster
      ? 'the podSelector names the cluster label only negatively'
      : minor >= 18 ? `policy-default-local-cluster is off${minor === 18 ? ' (the 1.18 default)' : ''}` : `Cilium 1.${minor} adds no cluster label to NetworkPolicy peers`;
    out.push({
      path: `${path}.namespaceSelector`,
      severity: 'warning',
      rule: 'netpol-negative-namespace-selector',
      message: `this namespaceSelector has only NotIn/DoesNotExist requirements, and ${why}: Cilium then also matches identities that are not pods (world, host, remote-node, ...), so the rule ${dir === 'ingress' ? 'admits traffic from outside the cluster and from the nodes' : 'allows traffic to any address outside the cluster and to the nodes'} (cilium/cilium#46949)`,
      fix: 'add a positive requirement every namespace meets, e.g. {key: kubernetes.io/metadata.name, operator: Exists}, to the namespaceSelector',
    });
  }
  return out;
}

/** Cilium's deviations for one stored NetworkPolicy. */
export function netpolCiliumDeviations(stored: any, minor: number, policyDefaultLocalCluster: boolean): Issue[] {
  return [...policyTypesIgnored(stored), ...negativeNamespaceSelectors(stored, minor, policyDefaultLocalCluster)];
}
