import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  Cluster, ClusterSpecBackup, ClusterSpecBackupBarmanObjectStoreDataCompression, ClusterSpecBackupBarmanObjectStoreWalCompression,
  ClusterSpecExternalClusters, ClusterSpecPlugins, ScheduledBackup, ScheduledBackupSpecBackupOwnerReference, ScheduledBackupSpecMethod,
} from '../imports/postgresql.cnpg.io';
import { _OutputOrder } from './output-order';
import { _inputError, _Problem } from './policy/errors';
import { DnsRule } from './policy/l7';
import { _checkNamespaceName } from './policy/labels';
import { _joinName, _kebab } from './policy/names';
import { Entity, Peer, PeerKind } from './policy/peer';
import { CiliumPolicy } from './policy/policy';
import { Port } from './policy/port';
import { LabelRequirement, PodSelector } from './policy/selector';
import { Pooler, PoolerOptions } from './pooler';
import { AccessTargetConfig, IAccessTarget } from './target';

/** The label CNPG puts on every pod it creates for a cluster (instances, Jobs, poolers). */
const CLUSTER_LABEL = 'cnpg.io/cluster';
/** `instance` on instance pods, `pooler` on PgBouncer pods, absent on Job pods. */
const POD_ROLE_LABEL = 'cnpg.io/podRole';
/** Present (with the Job's role) on bootstrap, join, recovery, import and upgrade Job pods. */
const JOB_ROLE_LABEL = 'cnpg.io/jobRole';

/** PostgreSQL, on instances and on PgBouncer pods. */
const POSTGRES_PORT = 5432;
/** The instance manager's status/probe endpoint on instance pods. */
const INSTANCE_STATUS_PORT = 8000;
/** Prometheus metrics of instance pods. */
const INSTANCE_METRICS_PORT = 9187;

/**
 * PostgreSQL parameters CloudNativePG manages itself; the operator's webhook rejects a Cluster
 * that sets them.
 */
const FIXED_PARAMETERS = [
  'archive_command', 'archive_mode', 'config_file', 'data_directory', 'full_page_writes',
  'hba_file', 'ident_file', 'listen_addresses', 'log_destination', 'logging_collector', 'port',
  'primary_conninfo', 'primary_slot_name', 'restore_command', 'ssl', 'ssl_ca_file',
  'ssl_cert_file', 'ssl_key_file', 'unix_socket_directories',
];

/** The image used when none is given: pinned by tag. */
const DEFAULT_IMAGE = 'ghcr.io/cloudnative-pg/postgresql:17.5';

/**
 * Where the CloudNativePG operator runs: its namespace and its pod labels. The operator
 * connects to every instance on port 8000, so the instances' ingress admits exactly these pods.
 *
 * @see https://cloudnative-pg.io/documentation/current/installation_upgrade/
 */
export class OperatorLocation {
  /** The peer, made once (the class is immutable). */
  private podsPeer?: Peer;

  /**
   * The operator installed from the release manifest (`releases/cnpg-<version>.yaml`):
   * namespace `cnpg-system`, pods labelled `app.kubernetes.io/name: cloudnative-pg`.
   */
  public static yamlManifest(): OperatorLocation {
    // The default of every cluster: one instance, so its peer is made once.
    OperatorLocation.releaseManifest ??= new OperatorLocation('cnpg-system', PodSelector.labels({ 'app.kubernetes.io/name': 'cloudnative-pg' }), 'the operator installed from the release manifest');
    return OperatorLocation.releaseManifest;
  }

  private static releaseManifest?: OperatorLocation;

  /**
   * The operator installed with the `cloudnative-pg` Helm chart: pods labelled
   * `app.kubernetes.io/name: <nameOverride or cloudnative-pg>` and
   * `app.kubernetes.io/instance: <release>`, in the release namespace.
   *
   * @param release the Helm release name, e.g. `cnpg`
   * @param namespace the release namespace, e.g. `cnpg-system`
   * @param nameOverride the chart's `nameOverride` value, if set
   */
  public static helm(release: string, namespace: string, nameOverride?: string): OperatorLocation {
    return new OperatorLocation(namespace, PodSelector.labels({
      'app.kubernetes.io/name': nameOverride ?? 'cloudnative-pg',
      'app.kubernetes.io/instance': release,
    }), `the operator of Helm release ${release}`);
  }

  /**
   * Any other installation (OLM, kustomize overlays): the operator pods are `selector` in
   * `namespace`.
   */
  public static custom(selector: PodSelector, namespace: string): OperatorLocation {
    return new OperatorLocation(namespace, selector, 'the operator');
  }

  /** The operator's namespace. */
  public readonly namespace: string;
  /** The operator's pods, within `namespace`. */
  public readonly selector: PodSelector;
  /** A short description. */
  public readonly description: string;

  private constructor(namespace: string, selector: PodSelector, description: string) {
    this.namespace = namespace;
    this.selector = selector;
    this.description = description;
  }

  /** The operator pods as a policy peer. @internal */
  public _peer(): Peer {
    this.podsPeer ??= Peer.pods(this.selector, this.namespace);
    return this.podsPeer;
  }
}

/**
 * The cluster DNS service the pods resolve names with (`<cluster>-rw`, object stores, external
 * hosts). Egress default deny blocks DNS unless it is allowed to exactly these pods.
 */
export class DnsServer {
  /** The peer, made once (the class is immutable). */
  private podsPeer?: Peer;

  /** CoreDNS / kube-dns: pods `k8s-app: kube-dns` in `kube-system`, port 53 (UDP and TCP). */
  public static kubeDns(): DnsServer {
    // The default of every grant and cluster: one instance, so its peer is made once.
    DnsServer.kubeDnsServer ??= new DnsServer(PodSelector.labels({ 'k8s-app': 'kube-dns' }), 'kube-system', 53);
    return DnsServer.kubeDnsServer;
  }

  private static kubeDnsServer?: DnsServer;

  /**
   * NodeLocal DNSCache run as Cilium-managed pods (e.g. with a Cilium Local Redirect Policy):
   * pods `k8s-app: node-local-dns` in `kube-system`, port 53. Combine it with `kubeDns()`,
   * which the cache forwards to and which pods fall back to.
   */
  public static nodeLocalDnsCache(): DnsServer {
    return new DnsServer(PodSelector.labels({ 'k8s-app': 'node-local-dns' }), 'kube-system', 53);
  }

  /** OpenShift's DNS: pods `dns.operator.openshift.io/daemonset-dns: default` in `openshift-dns`, port 5353. */
  public static openShift(): DnsServer {
    return new DnsServer(PodSelector.labels({ 'dns.operator.openshift.io/daemonset-dns': 'default' }), 'openshift-dns', 5353);
  }

  /**
   * Any other DNS server run as pods.
   * @param port the DNS server's container port (after Service translation)
   */
  public static custom(selector: PodSelector, namespace: string, port?: number): DnsServer {
    return new DnsServer(selector, namespace, port ?? 53);
  }

  /** The DNS pods, within `namespace`. */
  public readonly selector: PodSelector;
  /** Their namespace. */
  public readonly namespace: string;
  /** Their DNS port, allowed on UDP and TCP. */
  public readonly port: number;

  private constructor(selector: PodSelector, namespace: string, port: number) {
    this.selector = selector;
    this.namespace = namespace;
    this.port = port;
  }

  /** @internal */
  public _peer(): Peer {
    this.podsPeer ??= Peer.pods(this.selector, this.namespace);
    return this.podsPeer;
  }

  /** The DNS port on every protocol (UDP and TCP). @internal */
  public _port(): Port {
    this.dnsPort ??= Port.anyProtocol(this.port);
    return this.dnsPort;
  }

  private dnsPort?: Port;
}

/**
 * A network destination outside the cluster's own pods: an object store, an external
 * PostgreSQL server. Given as DNS names (Cilium `toFQDNs`, the DNS rule they need is added
 * automatically), as CIDR ranges, or as in-cluster pods (e.g. MinIO), always with the TCP port.
 */
export class Destination {
  /**
   * An external host by exact DNS name, e.g. `s3.eu-west-1.amazonaws.com`. `toFQDNs` only
   * matches addresses outside the cluster; for in-cluster services use `pods()`.
   * @param port TCP port
   */
  public static fqdn(name: string, port?: number): Destination {
    return new Destination([Peer.fqdn(name)], port ?? 443, true, name);
  }

  /**
   * External hosts matching a DNS pattern, e.g. `*.s3.eu-west-1.amazonaws.com`
   * (virtual-hosted buckets).
   * @param port TCP port
   */
  public static fqdnPattern(pattern: string, port?: number): Destination {
    return new Destination([Peer.fqdnPattern(pattern)], port ?? 443, true, pattern);
  }

  /**
   * Addresses in these CIDR ranges.
   * @param port TCP port
   */
  public static cidrs(cidrs: string[], port?: number): Destination {
    return new Destination(cidrs.map((c) => Peer.cidr(c)), port ?? 443, false, cidrs.join(', '));
  }

  /**
   * In-cluster pods, e.g. MinIO: `PodSelector.labels({ app: 'minio' })` in `minio`.
   * @param port the pods' TCP container port (after Service translation)
   */
  public static pods(selector: PodSelector, namespace: string, port: number): Destination {
    return new Destination([Peer.pods(selector, namespace)], port, false, `${selector._describe()} in ${namespace}`);
  }

  /** The TCP port. */
  public readonly port: number;
  /** Whether the destination is given by DNS name (needs the DNS proxy). */
  public readonly byName: boolean;
  /** A short description. */
  public readonly description: string;
  /** @internal */
  public readonly _peers: Peer[];

  private constructor(peers: Peer[], port: number, byName: boolean, description: string) {
    this._peers = peers;
    this.port = port;
    this.byName = byName;
    this.description = description;
  }

  /** @internal */
  public _problems(field: string): _Problem[] {
    const problems: _Problem[] = [];
    if (this._peers.length === 0) {
      problems.push({ field, problem: 'no address given', fix: 'give at least one CIDR' });
    }
    for (const p of this._peers) {
      problems.push(...p._problems.map((q) => ({ ...q, field: `${field}: ${q.field}` })));
    }
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) {
      problems.push({ field: `${field}: port`, problem: `${this.port} is not a TCP port`, fix: 'give a port between 1 and 65535' });
    }
    return problems;
  }
}

/** Options of backups through the Barman Cloud CNPG-I plugin. */
export interface BarmanCloudPluginBackupOptions {
  /** Name of the `ObjectStore` (`barmancloud.cnpg.io/v1`) in the cluster's namespace. */
  readonly objectStoreName: string;
  /** Where the object store is reached: the instances and the recovery Jobs get egress to it. */
  readonly destinations: Destination[];
  /**
   * The plugin's name.
   * @default 'barman-cloud.cloudnative-pg.io'
   */
  readonly pluginName?: string;
  /**
   * Whether the plugin archives WAL (`isWALArchiver`).
   * @default true
   */
  readonly walArchiver?: boolean;
  /**
   * A six-field cron schedule (`ScheduledBackup`), e.g. `0 0 2 * * *`.
   * @default - no scheduled backup
   */
  readonly schedule?: string;
}

/** Options of backups with the in-tree Barman Cloud support (`spec.backup.barmanObjectStore`). */
export interface BarmanObjectStoreBackupOptions {
  /** The bucket path, e.g. `s3://backups/cluster-example`. */
  readonly destinationPath: string;
  /** Where the object store is reached: the instances and the recovery Jobs get egress to it. */
  readonly destinations: Destination[];
  /**
   * The S3 endpoint URL, for S3-compatible stores.
   * @default - AWS S3
   */
  readonly endpointUrl?: string;
  /**
   * Secret with keys `ACCESS_KEY_ID` and `ACCESS_SECRET_KEY`.
   * @default - none: set `inheritFromIamRole`
   */
  readonly s3CredentialsSecret?: string;
  /**
   * Use the pods' IAM role (IRSA) instead of a credentials secret. The STS and credential
   * endpoints must then be among `destinations`.
   * @default false
   */
  readonly inheritFromIamRole?: boolean;
  /**
   * How long backups are kept, e.g. `30d`, `4w`, `6m`.
   * @default '30d'
   */
  readonly retentionPolicy?: string;
  /**
   * A six-field cron schedule (`ScheduledBackup`), e.g. `0 0 2 * * *`.
   * @default - no scheduled backup
   */
  readonly schedule?: string;
}

/**
 * How the cluster is backed up. Both methods run Barman Cloud inside the instance pods (the
 * plugin as a sidecar), so it is the instances (and recovery Jobs) that reach the object store.
 */
export class PostgresBackup {
  /**
   * Backups and WAL archiving through the Barman Cloud plugin (recommended; the in-tree
   * method is deprecated since CNPG 1.26). The plugin and the `ObjectStore` are installed
   * separately.
   */
  public static barmanCloudPlugin(options: BarmanCloudPluginBackupOptions): PostgresBackup {
    return new PostgresBackup(options.destinations, options.schedule, options, undefined);
  }

  /** Backups with the in-tree `spec.backup.barmanObjectStore` (deprecated since CNPG 1.26). */
  public static barmanObjectStore(options: BarmanObjectStoreBackupOptions): PostgresBackup {
    return new PostgresBackup(options.destinations, options.schedule, undefined, options);
  }

  /** Where the object store is reached. */
  public readonly destinations: Destination[];
  /** The cron schedule, if any. */
  public readonly schedule?: string;
  /** @internal */ public readonly _plugin?: BarmanCloudPluginBackupOptions;
  /** @internal */ public readonly _inTree?: BarmanObjectStoreBackupOptions;

  private constructor(destinations: Destination[], schedule: string | undefined, plugin?: BarmanCloudPluginBackupOptions, inTree?: BarmanObjectStoreBackupOptions) {
    this.destinations = destinations ?? [];
    this.schedule = schedule;
    this._plugin = plugin;
    this._inTree = inTree;
  }
}

/** TLS modes libpq accepts towards an external cluster. */
export enum ExternalSslMode {
  /** Encrypt, verify the CA and the host name. */
  VERIFY_FULL = 'verify-full',
  /** Encrypt and verify the CA. */
  VERIFY_CA = 'verify-ca',
  /** Encrypt without verification. */
  REQUIRE = 'require',
}

/**
 * An external PostgreSQL server (`spec.externalClusters[]`): the source of an import, a
 * `pg_basebackup` bootstrap, a replica cluster or a logical subscription. Its instances and
 * Jobs get egress to it.
 */
export interface ExternalClusterOptions {
  /** The name CNPG refers to it by (`externalClusters[].name`). */
  readonly name: string;
  /** Host name or address the pods connect to. */
  readonly host: string;
  /** How the policies reach `host` (e.g. `Destination.fqdn(host, 5432)`). */
  readonly destination: Destination;
  /**
   * Database name.
   * @default 'postgres'
   */
  readonly dbname?: string;
  /**
   * User name.
   * @default 'postgres'
   */
  readonly user?: string;
  /**
   * Secret holding the password (key `password`).
   * @default - no password (certificate authentication)
   */
  readonly passwordSecret?: string;
  /**
   * libpq `sslmode`.
   * @default ExternalSslMode.VERIFY_FULL
   */
  readonly sslMode?: ExternalSslMode;
}

/** Options of monitoring access. */
export interface PostgresMonitoringOptions {
  /** The Prometheus pods, within `scraperNamespace`. */
  readonly scraperSelector: PodSelector;
  /** The namespace of the Prometheus pods. */
  readonly scraperNamespace: string;
}

/** How the operator spreads instances over nodes. */
export enum PodAntiAffinityType {
  /** Prefer different nodes; still schedules when there are too few. */
  PREFERRED = 'preferred',
  /** Require different nodes; instances stay pending when there are too few. */
  REQUIRED = 'required',
}

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

/**
 * A CloudNativePG cluster with secure defaults, locked down by Cilium policies in both
 * directions: instances, bootstrap/join Jobs and poolers get ingress and egress default deny
 * and exactly the flows CNPG needs (operator → instances 8000, instances ↔ instances 5432 and
 * 8000, Jobs and poolers → instances 5432, every pod → API server and DNS, optional
 * monitoring, backups and external clusters). Applications get access through `AccessGrant`
 * or, for Kubernetes NetworkPolicies, cdk8s-plus `connections.allowTo(db)`.
 *
 * Default deny does not hang on one object: every pod kind has a baseline policy isolating
 * both directions, and every allow policy also isolates both directions, so deleting any single
 * policy only removes the flows it allowed.
 *
 * @example
 * const db = new SecuredPostgres(chart, 'Db', { name: 'cluster-example', namespace: 'default' });
 * db.addPooler('Rw', { type: PoolerType.RW });
 *
 * @see https://cloudnative-pg.io/documentation/current/cloudnative-pg.v1/
 */
export class SecuredPostgres extends Construct implements IAccessTarget, kplus.IPodSelector, kplus.INetworkPolicyPeer {
  /** The Cluster's name (`cnpg.io/cluster` on its pods). */
  public readonly name: string;
  /** The namespace of the Cluster and its pods. */
  public readonly namespace: string;
  /** The L1 CNPG `Cluster`. */
  public readonly apiObject: ApiObject;
  /** The number of instances. */
  public readonly instances: number;
  /** Read-write service host, `<name>-rw.<namespace>.svc` (the primary). */
  public readonly rwServiceHost: string;
  /** Read-only service host, `<name>-ro.<namespace>.svc` (the replicas). */
  public readonly roServiceHost: string;
  /** Any-instance service host, `<name>-r.<namespace>.svc`. */
  public readonly rServiceHost: string;
  /** The secret CNPG creates with the application owner's credentials, `<name>-app`. */
  public readonly appSecretName: string;
  /** The application database. */
  public readonly database: string;
  /** The instance pods: `cnpg.io/cluster: <name>`, `cnpg.io/podRole: instance`. */
  public readonly instanceSelector: PodSelector;
  /** The Job pods: `cnpg.io/cluster: <name>`, `cnpg.io/jobRole` present, no `cnpg.io/podRole`. */
  public readonly jobSelector: PodSelector;
  /** Where the operator runs. */
  public readonly operator: OperatorLocation;
  /** The DNS servers the pods may query. */
  public readonly dnsServers: DnsServer[];
  /** The API server ports allowed. */
  public readonly apiServerPorts: Port[];
  /** Whether the host entity is admitted to probe ports. */
  public readonly allowProbesFromHost: boolean;
  /** Monitoring access, if any. */
  public readonly monitoring?: PostgresMonitoringOptions;
  /** Baseline: isolates the instances in both directions. */
  public readonly instancesDefaultDeny: CiliumPolicy;
  /** What may connect to the instances. */
  public readonly instancesIngress: CiliumPolicy;
  /** Where the instances may connect. */
  public readonly instancesEgress: CiliumPolicy;
  /** Baseline: isolates the Job pods in both directions. */
  public readonly jobsDefaultDeny: CiliumPolicy;
  /** Where the Job pods may connect. */
  public readonly jobsEgress: CiliumPolicy;
  /** The `ScheduledBackup`, when `backup.schedule` is set. */
  public readonly scheduledBackup?: ApiObject;

  private readonly _poolers: Pooler[] = [];

  constructor(scope: Construct, id: string, props: SecuredPostgresProps = {}) {
    super(scope, id);
    _OutputOrder.of(this).own(this);
    const name = props.name ?? _kebab(id);
    const ns = props.namespace ?? Chart.of(this).namespace;
    this.validateName(name);
    if (!ns) {
      throw _inputError(this, 'namespace', 'no namespace given and the chart has none', 'set the namespace prop, or create the chart with a namespace');
    }
    const nsProblems = _checkNamespaceName('namespace', ns);
    if (nsProblems.length > 0) {
      throw _inputError(this, 'namespace', nsProblems[0].problem, nsProblems[0].fix);
    }
    const instances = props.instances ?? 3;
    if (!Number.isInteger(instances) || instances < 1) {
      throw _inputError(this, 'instances', `${instances} is not a valid number of instances`, 'give an integer of at least 1 (3 for high availability)');
    }
    const image = props.imageName ?? DEFAULT_IMAGE;
    this.validateImage(image);
    const storageSize = props.storageSize ?? '10Gi';
    this.validateQuantity('storageSize', storageSize);
    const database = props.database ?? 'app';
    const owner = props.owner ?? database;
    this.validateIdentifier('database', database);
    this.validateIdentifier('owner', owner);
    const parameters: { [key: string]: string } = {
      password_encryption: 'scram-sha-256',
      log_connections: 'on',
      log_disconnections: 'on',
      ...(props.postgresqlParameters ?? {}),
    };
    for (const k of Object.keys(props.postgresqlParameters ?? {})) {
      if (FIXED_PARAMETERS.includes(k) || k.startsWith('ssl_') && ['ssl_ca_file', 'ssl_cert_file', 'ssl_key_file'].includes(k)) {
        throw _inputError(this, `postgresqlParameters.${k}`, `"${k}" is managed by CloudNativePG and the operator refuses a Cluster that sets it`, 'remove it; CNPG fixes listen_addresses, port, ssl and archiving itself');
      }
    }
    const pgHba = [...(props.requireTls ?? true ? ['hostnossl all all all reject'] : []), ...(props.pgHba ?? [])];
    for (const line of props.pgHba ?? []) {
      if (line.trim().length === 0 || line.includes('\n')) {
        throw _inputError(this, 'pgHba', `${JSON.stringify(line)} is not one pg_hba line`, 'give one non-empty rule per array element');
      }
    }
    if (props.backup) {
      this.validateBackup(props.backup);
    }
    const externals = props.externalClusters ?? [];
    this.validateExternalClusters(externals);
    if (props.monitoring) {
      const p = [...props.monitoring.scraperSelector._problems('monitoring.scraperSelector'), ..._checkNamespaceName('monitoring.scraperNamespace', props.monitoring.scraperNamespace)];
      if (p.length > 0) {
        throw _inputError(this, p[0].field, p[0].problem, p[0].fix);
      }
    }

    this.name = name;
    this.namespace = ns;
    this.instances = instances;
    this.database = database;
    this.rwServiceHost = `${name}-rw.${ns}.svc`;
    this.roServiceHost = `${name}-ro.${ns}.svc`;
    this.rServiceHost = `${name}-r.${ns}.svc`;
    this.appSecretName = `${name}-app`;
    this.instanceSelector = PodSelector.labels({ [CLUSTER_LABEL]: name, [POD_ROLE_LABEL]: 'instance' });
    this.jobSelector = PodSelector.labels({ [CLUSTER_LABEL]: name }, [
      LabelRequirement.exists(JOB_ROLE_LABEL),
      LabelRequirement.doesNotExist(POD_ROLE_LABEL),
    ]);
    this.operator = props.operator ?? OperatorLocation.yamlManifest();
    this.dnsServers = props.dnsServers ?? [DnsServer.kubeDns()];
    if (this.dnsServers.length === 0) {
      throw _inputError(this, 'dnsServers', 'an empty list', 'name at least one DNS server: the pods resolve <name>-rw and other hosts by name');
    }
    this.apiServerPorts = props.apiServerPorts ?? [Port.tcp(443), Port.tcp(6443)];
    this.allowProbesFromHost = props.allowProbesFromHost ?? false;
    this.monitoring = props.monitoring;

    // The L1 Cluster.
    const backupSpec: ClusterSpecBackup | undefined = props.backup?._inTree ? {
      retentionPolicy: props.backup._inTree.retentionPolicy ?? '30d',
      barmanObjectStore: {
        destinationPath: props.backup._inTree.destinationPath,
        endpointUrl: props.backup._inTree.endpointUrl,
        s3Credentials: props.backup._inTree.inheritFromIamRole
          ? { inheritFromIamRole: true }
          : {
            accessKeyId: { name: props.backup._inTree.s3CredentialsSecret!, key: 'ACCESS_KEY_ID' },
            secretAccessKey: { name: props.backup._inTree.s3CredentialsSecret!, key: 'ACCESS_SECRET_KEY' },
          },
        wal: { compression: ClusterSpecBackupBarmanObjectStoreWalCompression.GZIP },
        data: { compression: ClusterSpecBackupBarmanObjectStoreDataCompression.GZIP },
      },
    } : undefined;
    const plugins: ClusterSpecPlugins[] | undefined = props.backup?._plugin ? [{
      name: props.backup._plugin.pluginName ?? 'barman-cloud.cloudnative-pg.io',
      enabled: true,
      isWalArchiver: props.backup._plugin.walArchiver ?? true,
      parameters: { barmanObjectName: props.backup._plugin.objectStoreName },
    }] : undefined;
    const externalClusters: ClusterSpecExternalClusters[] | undefined = externals.length === 0 ? undefined : externals.map((e) => ({
      name: e.name,
      connectionParameters: {
        host: e.host,
        port: String(e.destination.port),
        dbname: e.dbname ?? 'postgres',
        user: e.user ?? 'postgres',
        sslmode: e.sslMode ?? ExternalSslMode.VERIFY_FULL,
      },
      password: e.passwordSecret ? { name: e.passwordSecret, key: 'password' } : undefined,
    }));

    this.apiObject = new Cluster(this, 'Resource', {
      metadata: { name, namespace: ns },
      spec: {
        instances,
        imageName: image,
        enableSuperuserAccess: props.enableSuperuserAccess ?? false,
        storage: { size: storageSize, storageClass: props.storageClass },
        postgresql: { parameters: sortedMap(parameters), pgHba: pgHba.length > 0 ? pgHba : undefined },
        bootstrap: {
          initdb: { database, owner, dataChecksums: props.dataChecksums ?? true },
        },
        affinity: {
          enablePodAntiAffinity: true,
          podAntiAffinityType: props.podAntiAffinityType ?? PodAntiAffinityType.PREFERRED,
          topologyKey: 'kubernetes.io/hostname',
        },
        enablePdb: props.enablePdb ?? true,
        monitoring: { tls: { enabled: props.metricsTls ?? true } },
        backup: backupSpec,
        plugins,
        externalClusters,
      },
    });

    if (props.backup?.schedule) {
      const plugin = props.backup._plugin;
      this.scheduledBackup = new ScheduledBackup(this, 'ScheduledBackup', {
        metadata: { name: _joinName([name, 'backup']), namespace: ns },
        spec: {
          cluster: { name },
          schedule: props.backup.schedule,
          method: plugin ? ScheduledBackupSpecMethod.PLUGIN : ScheduledBackupSpecMethod.BARMAN_OBJECT_STORE,
          pluginConfiguration: plugin ? { name: plugin.pluginName ?? 'barman-cloud.cloudnative-pg.io' } : undefined,
          backupOwnerReference: ScheduledBackupSpecBackupOwnerReference.SELF,
        },
      });
    }

    // Policies. Every policy isolates both directions, so none of them is load-bearing alone.
    const instancesPeer = Peer.pods(this.instanceSelector, ns);
    const jobsPeer = Peer.pods(this.jobSelector, ns);
    const backupDestinations = props.backup?.destinations ?? [];
    const externalDestinations = externals.map((e) => e.destination);
    const byName = [...backupDestinations, ...externalDestinations].some((d) => d.byName);

    this.instancesDefaultDeny = new CiliumPolicy(this, 'InstancesDefaultDeny', {
      namespace: ns,
      name: _joinName([name, 'instances-default-deny']),
      selector: this.instanceSelector,
      isolateIngress: true,
      isolateEgress: true,
      description: `Baseline: ingress and egress default deny for the instances of CNPG cluster ${name}`,
    });
    this.instancesIngress = new CiliumPolicy(this, 'InstancesIngress', {
      namespace: ns,
      name: _joinName([name, 'instances-ingress']),
      selector: this.instanceSelector,
      isolateEgress: true,
    });
    this.instancesEgress = new CiliumPolicy(this, 'InstancesEgress', {
      namespace: ns,
      name: _joinName([name, 'instances-egress']),
      selector: this.instanceSelector,
      isolateIngress: true,
    });
    this.jobsDefaultDeny = new CiliumPolicy(this, 'JobsDefaultDeny', {
      namespace: ns,
      name: _joinName([name, 'jobs-default-deny']),
      selector: this.jobSelector,
      isolateIngress: true,
      isolateEgress: true,
      description: `Baseline: ingress and egress default deny for the bootstrap, join and recovery Job pods of CNPG cluster ${name}`,
    });
    this.jobsEgress = new CiliumPolicy(this, 'JobsEgress', {
      namespace: ns,
      name: _joinName([name, 'jobs-egress']),
      selector: this.jobSelector,
      isolateIngress: true,
    });

    // Instances, ingress.
    this.instancesIngress.allowIngress({ peers: [this.operator._peer()], ports: [Port.tcp(INSTANCE_STATUS_PORT)] });
    this.instancesIngress.allowIngress({ peers: [instancesPeer], ports: [Port.tcp(POSTGRES_PORT), Port.tcp(INSTANCE_STATUS_PORT)] });
    this.instancesIngress.allowIngress({ peers: [jobsPeer], ports: [Port.tcp(POSTGRES_PORT)] });
    if (props.allowStatusFromApiServer ?? true) {
      this.instancesIngress.allowIngress({ peers: [Peer.entities(Entity.KUBE_APISERVER)], ports: [Port.tcp(INSTANCE_STATUS_PORT)] });
    }
    if (this.monitoring) {
      this.instancesIngress.allowIngress({
        peers: [Peer.pods(this.monitoring.scraperSelector, this.monitoring.scraperNamespace)],
        ports: [Port.tcp(INSTANCE_METRICS_PORT)],
      });
    }
    if (this.allowProbesFromHost) {
      this.instancesIngress.allowIngress({ peers: [Peer.entities(Entity.HOST)], ports: [Port.tcp(INSTANCE_STATUS_PORT)] });
    }

    // Instances, egress.
    this.instancesEgress.allowEgress({ peers: [instancesPeer], ports: [Port.tcp(POSTGRES_PORT), Port.tcp(INSTANCE_STATUS_PORT)] });
    this._allowPlatformEgress(this.instancesEgress, byName);
    for (const d of [...backupDestinations, ...externalDestinations]) {
      this.instancesEgress.allowEgress({ peers: d._peers, ports: [Port.tcp(d.port)] });
    }

    // Jobs, egress (their ingress stays closed).
    this.jobsEgress.allowEgress({ peers: [instancesPeer], ports: [Port.tcp(POSTGRES_PORT)] });
    this._allowPlatformEgress(this.jobsEgress, byName);
    for (const d of [...backupDestinations, ...externalDestinations]) {
      this.jobsEgress.allowEgress({ peers: d._peers, ports: [Port.tcp(d.port)] });
    }
  }

  /** The poolers added with `addPooler`. */
  public get poolers(): Pooler[] {
    return [...this._poolers];
  }

  /**
   * Adds a PgBouncer pooler in front of the cluster, with its own default-deny policies and
   * egress to the instances, the API server and DNS. Grant clients access to it with
   * `AccessGrant`, like the cluster itself.
   */
  public addPooler(id: string, options: PoolerOptions = {}): Pooler {
    return new Pooler(this, id, { ...options, cluster: this });
  }

  /** Registers a pooler: the instances admit it on 5432. @internal */
  public _registerPooler(pooler: Pooler): void {
    if (this._poolers.some((p) => p.name === pooler.name)) {
      throw _inputError(pooler, 'name', `a pooler named "${pooler.name}" already exists for cluster ${this.name}`, 'give each pooler its own name (the default is <cluster>-pooler-<type>)');
    }
    this._poolers.push(pooler);
    this.instancesIngress.allowIngress({ peers: [Peer.pods(pooler.selector, this.namespace)], ports: [Port.tcp(POSTGRES_PORT)] });
  }

  /** API server and DNS egress, shared by every pod kind. @internal */
  public _allowPlatformEgress(policy: CiliumPolicy, dnsProxy: boolean): void {
    policy.allowEgress({ peers: [Peer.entities(Entity.KUBE_APISERVER)], ports: this.apiServerPorts.length > 0 ? this.apiServerPorts : undefined });
    for (const dns of this.dnsServers) {
      policy.allowEgress({
        peers: [dns._peer()],
        ports: [dns._port()],
        dns: dnsProxy ? [DnsRule.anyName()] : undefined,
      });
    }
  }

  /** The instances as an `AccessGrant` target: port 5432, PostgreSQL (no L7 rules). */
  public toAccessTargetConfig(): AccessTargetConfig {
    return {
      name: this.name,
      namespace: this.namespace,
      selector: this.instanceSelector,
      defaultPorts: [Port.tcp(POSTGRES_PORT)],
      exposedPorts: [Port.tcp(POSTGRES_PORT), Port.tcp(INSTANCE_STATUS_PORT), Port.tcp(INSTANCE_METRICS_PORT)],
      postgres: true,
    };
  }

  /** The instances as a cdk8s-plus pod selector (Kubernetes NetworkPolicy peers). */
  public toPodSelectorConfig(): kplus.PodSelectorConfig {
    return {
      labelSelector: kplus.LabelSelector.of({ labels: { ...this.instanceSelector.matchLabels } }),
      namespaces: { names: [this.namespace] },
    };
  }

  /** The instances as a cdk8s-plus network policy peer, for `connections.allowTo(db)`. */
  public toNetworkPolicyPeerConfig(): kplus.NetworkPolicyPeerConfig {
    return { podSelector: this.toPodSelectorConfig() };
  }

  /** The instances as a cdk8s-plus pod selector. */
  public toPodSelector(): kplus.IPodSelector | undefined {
    return this;
  }

  private validateName(name: string): void {
    if (typeof name !== 'string' || !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
      throw _inputError(this, 'name', `"${name}" is not a valid CNPG cluster name`, 'use a DNS-1035 label: lower-case letters, digits and "-", starting with a letter and ending with a letter or digit');
    }
    if (name.length > 50) {
      throw _inputError(this, 'name', `"${name}" is ${name.length} characters long`, 'use at most 50 characters (CloudNativePG\'s limit for cluster names)');
    }
  }

  private validateImage(image: string): void {
    const at = image.indexOf('@');
    const ref = at >= 0 ? image.slice(0, at) : image;
    const digest = at >= 0 ? image.slice(at + 1) : undefined;
    if (digest !== undefined) {
      if (!/^sha256:[a-f0-9]{64}$/.test(digest)) {
        throw _inputError(this, 'imageName', `"${image}" has an invalid digest`, 'write the digest as sha256:<64 hex characters>');
      }
      return;
    }
    const lastSlash = ref.lastIndexOf('/');
    const colon = ref.lastIndexOf(':');
    const tag = colon > lastSlash ? ref.slice(colon + 1) : undefined;
    if (!tag) {
      throw _inputError(this, 'imageName', `"${image}" is not pinned`, 'pin a tag or a digest, e.g. "ghcr.io/cloudnative-pg/postgresql:17.5" or "...@sha256:<digest>"');
    }
    if (tag === 'latest') {
      throw _inputError(this, 'imageName', `"${image}" uses the moving tag "latest"`, 'pin a version tag or a digest, e.g. "ghcr.io/cloudnative-pg/postgresql:17.5"');
    }
  }

  private validateQuantity(field: string, q: string): void {
    const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(q ?? '');
    if (!m) {
      throw _inputError(this, field, `"${q}" is not a Kubernetes quantity`, 'write a size such as "10Gi" or "500Mi"');
    }
    if (Number(m[1]) <= 0) {
      throw _inputError(this, field, `"${q}" is not a positive size`, 'give a size greater than zero, such as "10Gi"');
    }
  }

  private validateIdentifier(field: string, value: string): void {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(value ?? '')) {
      throw _inputError(this, field, `"${value}" is not a plain PostgreSQL identifier`, 'use lower-case letters, digits and "_", starting with a letter or "_", at most 63 characters');
    }
    if (['postgres', 'template0', 'template1'].includes(value)) {
      throw _inputError(this, field, `"${value}" is reserved by PostgreSQL or CloudNativePG`, 'choose another name, e.g. "app"');
    }
  }

  private validateBackup(backup: PostgresBackup): void {
    if (backup.destinations.length === 0) {
      throw _inputError(this, 'backup.destinations', 'no destination given, so the pods could not reach the object store', 'give the object store as Destination.fqdn(...), Destination.cidrs(...) or Destination.pods(...)');
    }
    backup.destinations.forEach((d, i) => this.throwFirst(d._problems(`backup.destinations[${i}]`)));
    if (backup._plugin && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(backup._plugin.objectStoreName ?? '')) {
      throw _inputError(this, 'backup.objectStoreName', `"${backup._plugin.objectStoreName}" is not a valid object name`, 'give the name of the ObjectStore resource');
    }
    const inTree = backup._inTree;
    if (inTree) {
      if (!/^(s3|gs|https?):\/\/\S+$/.test(inTree.destinationPath ?? '')) {
        throw _inputError(this, 'backup.destinationPath', `"${inTree.destinationPath}" is not an object store path`, 'write it as s3://bucket/path');
      }
      if (!inTree.s3CredentialsSecret && !inTree.inheritFromIamRole) {
        throw _inputError(this, 'backup.s3CredentialsSecret', 'no credentials given', 'name a secret with ACCESS_KEY_ID and ACCESS_SECRET_KEY, or set inheritFromIamRole');
      }
      if (inTree.retentionPolicy !== undefined && !/^[1-9][0-9]*[dwm]$/.test(inTree.retentionPolicy)) {
        throw _inputError(this, 'backup.retentionPolicy', `"${inTree.retentionPolicy}" is not a retention policy`, 'write a number followed by d, w or m, e.g. "30d"');
      }
    }
    if (backup.schedule !== undefined && backup.schedule.trim().split(/\s+/).length !== 6) {
      throw _inputError(this, 'backup.schedule', `"${backup.schedule}" is not a six-field cron schedule`, 'CNPG schedules have seconds first, e.g. "0 0 2 * * *" for 02:00 daily');
    }
  }

  private validateExternalClusters(externals: ExternalClusterOptions[]): void {
    const seen = new Set<string>();
    externals.forEach((e, i) => {
      const field = `externalClusters[${i}]`;
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(e.name ?? '')) {
        throw _inputError(this, `${field}.name`, `"${e.name}" is not a valid name`, 'use lower-case letters, digits and "-"');
      }
      if (seen.has(e.name)) {
        throw _inputError(this, `${field}.name`, `"${e.name}" is used twice`, 'give every external cluster its own name');
      }
      seen.add(e.name);
      if (!e.host) {
        throw _inputError(this, `${field}.host`, 'empty host', 'give the host name or address the pods connect to');
      }
      this.throwFirst(e.destination._problems(`${field}.destination`));
      if (e.destination._peers.some((p) => p.kind === PeerKind.FQDN) && e.destination.description !== e.host && !e.destination.description.includes('*')) {
        throw _inputError(this, `${field}.destination`, `destination "${e.destination.description}" does not match host "${e.host}"`, `use Destination.fqdn("${e.host}", port)`);
      }
    });
  }

  private throwFirst(problems: _Problem[]): void {
    if (problems.length > 0) {
      throw _inputError(this, problems[0].field, problems[0].problem, problems[0].fix);
    }
  }
}

function sortedMap(m: { [key: string]: string }): { [key: string]: string } {
  const out: { [key: string]: string } = {};
  for (const k of Object.keys(m).sort()) {
    out[k] = m[k];
  }
  return out;
}
