import { DnsServer } from '../common/dns-server';
import { Port } from '../policy/port';
import { PodAntiAffinityType } from './anti-affinity';
import { PostgresBackup } from './backup';
import { ExternalClusterOptions } from './external-cluster';
import { PostgresMonitoringOptions } from './monitoring';
import { OperatorLocation } from './operator-location';

/** Props of `SecuredPostgres`. */
export interface SecuredPostgresProps {
  /**
   * The Cluster's `metadata.name`; also the value of `cnpg.io/cluster` on its pods. A DNS-1035
   * label of at most 50 characters (CNPG's limit).
   * @default - the construct id, kebab-cased
   */
  readonly name?: string;
  /**
   * The namespace of the Cluster and its policies.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Number of PostgreSQL instances (one primary, the rest replicas).
   * @default 3
   */
  readonly instances?: number;
  /**
   * The PostgreSQL image, pinned by tag or digest (`:latest` and untagged images are refused).
   * @default 'ghcr.io/cloudnative-pg/postgresql:17.5'
   */
  readonly imageName?: string;
  /**
   * Whether the `postgres` superuser can log in over the network (CNPG creates a
   * `<name>-superuser` secret).
   * @default false
   */
  readonly enableSuperuserAccess?: boolean;
  /**
   * Size of each instance's data volume (a Kubernetes quantity).
   * @default '10Gi'
   */
  readonly storageSize?: string;
  /**
   * Storage class of the data volumes.
   * @default - the cluster's default storage class
   */
  readonly storageClass?: string;
  /**
   * PostgreSQL parameters, merged over this construct's defaults
   * (`password_encryption: scram-sha-256`, `log_connections: on`, `log_disconnections: on`).
   * Parameters CNPG manages (`listen_addresses`, `port`, `ssl*`, `archive_command`, ...) are refused.
   * @default - the defaults above
   */
  readonly postgresqlParameters?: { [key: string]: string };
  /**
   * Refuse PostgreSQL connections over TCP without TLS: renders `hostnossl all all all reject`
   * as the first user `pg_hba` line, before CNPG's default password rule.
   * @default true
   */
  readonly requireTls?: boolean;
  /**
   * Further `pg_hba` lines, after the TLS rule.
   * @default - none
   */
  readonly pgHba?: string[];
  /**
   * The application database created by `initdb`.
   * @default 'app'
   */
  readonly database?: string;
  /**
   * Owner of the application database; its credentials are in the secret `<name>-app`.
   * @default - same as `database`
   */
  readonly owner?: string;
  /**
   * Enable data page checksums.
   * @default true
   */
  readonly dataChecksums?: boolean;
  /**
   * How instances are spread over nodes.
   * @default PodAntiAffinityType.PREFERRED
   */
  readonly podAntiAffinityType?: PodAntiAffinityType;
  /**
   * Whether CNPG keeps a PodDisruptionBudget for the cluster.
   * @default true
   */
  readonly enablePdb?: boolean;
  /**
   * Serve the metrics endpoint (9187) over TLS (`spec.monitoring.tls.enabled`, CNPG 1.24+).
   * @default true
   */
  readonly metricsTls?: boolean;
  /**
   * Where the operator runs.
   * @default OperatorLocation.yamlManifest()
   */
  readonly operator?: OperatorLocation;
  /**
   * The DNS servers the pods may query.
   * @default [DnsServer.kubeDns()]
   */
  readonly dnsServers?: DnsServer[];
  /**
   * Ports of the Kubernetes API server as the pods reach it after Service translation
   * (6443 on kubeadm, k3s and RKE2; 443 on many managed control planes). An empty list allows
   * every port.
   * @default [Port.tcp(443), Port.tcp(6443)]
   */
  readonly apiServerPorts?: Port[];
  /**
   * Admit the API server to the instances' port 8000, which `kubectl cnpg status` uses
   * (pods/proxy).
   * @default true
   */
  readonly allowStatusFromApiServer?: boolean;
  /**
   * Set when Cilium runs with `allow-localhost=policy`: admits the node (`host` entity) to the
   * probe ports (instances 8000, poolers 5432). Otherwise Cilium always lets the kubelet probe.
   * @default false
   */
  readonly allowProbesFromHost?: boolean;
  /**
   * Let Prometheus scrape the instances (9187) and the poolers (9127).
   * @default - no metrics access
   */
  readonly monitoring?: PostgresMonitoringOptions;
  /**
   * Backups and WAL archiving.
   * @default - no backups
   */
  readonly backup?: PostgresBackup;
  /**
   * External PostgreSQL servers the cluster connects to.
   * @default - none
   */
  readonly externalClusters?: ExternalClusterOptions[];
}
