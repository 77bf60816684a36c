/**
 * A CloudNativePG cluster as the pods around it see it: what a pooler needs of the cluster it
 * sits in front of. `SecuredPostgres` implements it; `Pooler` depends on this file only, so the
 * cluster can create poolers without the two files depending on each other.
 */
import { IConstruct } from 'constructs';
import { DnsServer } from '../common/dns-server';
import { CiliumPolicy } from '../policy/cilium-policy';
import { _inputError } from '../policy/errors';
import { DnsRule } from '../policy/l7';
import { Entity, Peer } from '../policy/peer';
import { Port } from '../policy/port';
import { PodSelector } from '../policy/selector';
import { POSTGRES_PORT } from './cnpg';
import { PostgresMonitoringOptions } from './monitoring';

/** A CloudNativePG cluster that poolers can connect to (a `SecuredPostgres`). */
export interface IPostgresCluster extends IConstruct {
  /** The CNPG `Cluster` name. */
  readonly name: string;
  /** The namespace. */
  readonly namespace: string;
  /** The instance pods: `cnpg.io/cluster: <name>`, `cnpg.io/podRole: instance`. */
  readonly instanceSelector: PodSelector;
  /** The instances' ingress policy: a pooler is admitted there on 5432. */
  readonly instancesIngress: CiliumPolicy;
  /** DNS servers the cluster's pods use. */
  readonly dnsServers: DnsServer[];
  /** API server ports (the backend ports, after DNAT). */
  readonly apiServerPorts: Port[];
  /** Whether the node may reach the pods (for `allow-localhost=policy`). */
  readonly allowProbesFromHost: boolean;
  /** Metrics scrapers, when monitoring is on. */
  readonly monitoring?: PostgresMonitoringOptions;
}

/** API server and DNS egress, shared by every pod kind of a cluster (instances, Jobs, poolers). @internal */
export function _allowPlatformEgress(policy: CiliumPolicy, cluster: IPostgresCluster, dnsProxy: boolean): void {
  policy.allowEgress({ peers: [Peer.entities(Entity.KUBE_APISERVER)], ports: cluster.apiServerPorts.length > 0 ? cluster.apiServerPorts : undefined });
  for (const dns of cluster.dnsServers) {
    policy.allowEgress({
      peers: [dns._peer()],
      ports: [dns._port()],
      dns: dnsProxy ? [DnsRule.anyName()] : undefined,
    });
  }
}

/** What the cluster needs to know of a pooler. */
interface PoolerLike extends IConstruct {
  readonly name: string;
  readonly selector: PodSelector;
}

// A cluster's poolers hang off the cluster object (as the chart indexes hang off the chart), so
// that a pooler created with `new Pooler(...)` in any scope is listed too.
const POOLERS = Symbol('cdk8s-secured-postgres.poolers');

/** Registers a pooler with its cluster: its name must be free, and the instances admit it on 5432. @internal */
export function _registerPooler(cluster: IPostgresCluster, pooler: PoolerLike): void {
  const host = cluster as unknown as { [POOLERS]?: PoolerLike[] };
  const list = host[POOLERS] ?? (host[POOLERS] = []);
  if (list.some((p) => p.name === pooler.name)) {
    throw _inputError(pooler, 'name', `a pooler named "${pooler.name}" already exists for cluster ${cluster.name}`, 'give each pooler its own name (the default is <cluster>-pooler-<type>)');
  }
  list.push(pooler);
  cluster.instancesIngress.allowIngress({ peers: [Peer.pods(pooler.selector, cluster.namespace)], ports: [Port.tcp(POSTGRES_PORT)] });
}

/** The poolers registered with a cluster, in the order they were created. @internal */
export function _poolersOf(cluster: IPostgresCluster): readonly IConstruct[] {
  return (cluster as unknown as { [POOLERS]?: PoolerLike[] })[POOLERS] ?? [];
}
