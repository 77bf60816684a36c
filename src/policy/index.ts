import * as cilium from '../../imports/cilium.io';
import * as cnpg from '../../imports/postgresql.cnpg.io';

/** @internal */
export const _kinds = [cilium.CiliumNetworkPolicy.GVK.kind, cnpg.Cluster.GVK.kind];
