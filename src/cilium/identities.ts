/**
 * Reserved identities and entities of Cilium (semantics reference §3.1 and §5:
 * `pkg/identity/numericidentity.go`, `pkg/policy/api/entity.go`).
 */

/** Reserved identities by numeric id. */
export const RESERVED_IDENTITIES: Readonly<Record<number, string>> = {
  1: 'host',
  2: 'world',
  3: 'unmanaged',
  4: 'health',
  5: 'init',
  6: 'remote-node',
  7: 'kube-apiserver',
  8: 'ingress',
  9: 'world-ipv4',
  10: 'world-ipv6',
};

/** Entity names the CiliumNetworkPolicy CRD's enum accepts (`fromEntities` / `toEntities`). */
export const CRD_ENTITIES: readonly string[] = [
  'all', 'world', 'cluster', 'host', 'init', 'ingress', 'unmanaged', 'remote-node', 'health', 'none', 'kube-apiserver',
];

/** Entity names the agent knows (`EntitySelectorMapping`): the CRD's plus two it cannot be given. */
export const AGENT_ENTITIES: readonly string[] = [...CRD_ENTITIES, 'world-ipv4', 'world-ipv6'];

/** The reserved identities the `cluster` entity selects besides every pod of the local cluster. */
export const CLUSTER_ENTITY_RESERVED: readonly string[] = ['host', 'remote-node', 'init', 'ingress', 'health', 'unmanaged', 'kube-apiserver'];

/** The reserved identities the `world` entity selects. */
export const WORLD_ENTITY_RESERVED: readonly string[] = ['world', 'world-ipv4', 'world-ipv6'];
