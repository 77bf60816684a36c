/**
 * The `SecuredPostgres` construct: the CNPG `Cluster`, its `ScheduledBackup` and the Cilium
 * policies of its instances and Jobs. Its props are in `secured-postgres-props.ts` and their
 * checks in `secured-postgres-validation.ts`; the CNPG labels and ports in `cnpg.ts`.
 */
import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  Cluster, ClusterSpecBackup, ClusterSpecBackupBarmanObjectStoreDataCompression, ClusterSpecBackupBarmanObjectStoreWalCompression,
  ClusterSpecExternalClusters, ClusterSpecPlugins, ScheduledBackup, ScheduledBackupSpecBackupOwnerReference, ScheduledBackupSpecMethod,
} from '../../imports/postgresql.cnpg.io';
import { AccessTargetConfig, IAccessTarget } from '../access/access-target';
import { _toKplusPodSelectorConfig } from '../access/kplus-selectors';
import { DnsServer } from '../common/dns-server';
import { _OutputOrder } from '../common/output-order';
import { CiliumPolicy } from '../policy/cilium-policy';
import { _libraryPolicy } from '../policy/policy-base';
import { _inputError } from '../policy/errors';
import { _checkNamespaceName } from '../policy/labels';
import { _joinName, _kebab } from '../policy/names';
import { Entity, Peer } from '../policy/peer';
import { Port } from '../policy/port';
import { LabelRequirement, PodSelector } from '../policy/selector';
import { PodAntiAffinityType } from './anti-affinity';
import {
  CLUSTER_LABEL, FIXED_PARAMETERS, INSTANCE_METRICS_PORT, INSTANCE_STATUS_PORT, JOB_ROLE_LABEL, POD_ROLE_LABEL, POSTGRES_PORT,
} from './cnpg';
import { ExternalSslMode } from './external-cluster';
import { PostgresMonitoringOptions } from './monitoring';
import { OperatorLocation } from './operator-location';
import { Pooler, PoolerOptions } from './pooler';
import { _allowPlatformEgress, _poolersOf, IPostgresCluster } from './postgres-cluster';
import { SecuredPostgresProps } from './secured-postgres-props';
import {
  validateBackup, validateExternalClusters, validateIdentifier, validateImage, validateName, validateQuantity,
} from './secured-postgres-validation';

/** The image used when none is given: pinned by tag. */
const DEFAULT_IMAGE = 'ghcr.io/cloudnative-pg/postgresql:17.5';

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
export class SecuredPostgres extends Construct implements IPostgresCluster, IAccessTarget, kplus.IPodSelector, kplus.INetworkPolicyPeer {
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


  constructor(scope: Construct, id: string, props: SecuredPostgresProps = {}) {
    super(scope, id);
    _OutputOrder.of(this).own(this);
    const name = props.name ?? _kebab(id);
    const ns = props.namespace ?? Chart.of(this).namespace;
    validateName(this, name);
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
    validateImage(this, image);
    const storageSize = props.storageSize ?? '10Gi';
    validateQuantity(this, 'storageSize', storageSize);
    const database = props.database ?? 'app';
    const owner = props.owner ?? database;
    validateIdentifier(this, 'database', database);
    validateIdentifier(this, 'owner', owner);
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
      validateBackup(this, props.backup);
    }
    const externals = props.externalClusters ?? [];
    validateExternalClusters(this, externals);
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

    this.instancesDefaultDeny = new CiliumPolicy(this, 'InstancesDefaultDeny', _libraryPolicy({
      namespace: ns,
      name: _joinName([name, 'instances-default-deny']),
      selector: this.instanceSelector,
      isolateIngress: true,
      isolateEgress: true,
      description: `Baseline: ingress and egress default deny for the instances of CNPG cluster ${name}`,
    }));
    this.instancesIngress = new CiliumPolicy(this, 'InstancesIngress', _libraryPolicy({
      namespace: ns,
      name: _joinName([name, 'instances-ingress']),
      selector: this.instanceSelector,
      isolateEgress: true,
    }));
    this.instancesEgress = new CiliumPolicy(this, 'InstancesEgress', _libraryPolicy({
      namespace: ns,
      name: _joinName([name, 'instances-egress']),
      selector: this.instanceSelector,
      isolateIngress: true,
    }));
    this.jobsDefaultDeny = new CiliumPolicy(this, 'JobsDefaultDeny', _libraryPolicy({
      namespace: ns,
      name: _joinName([name, 'jobs-default-deny']),
      selector: this.jobSelector,
      isolateIngress: true,
      isolateEgress: true,
      description: `Baseline: ingress and egress default deny for the bootstrap, join and recovery Job pods of CNPG cluster ${name}`,
    }));
    this.jobsEgress = new CiliumPolicy(this, 'JobsEgress', _libraryPolicy({
      namespace: ns,
      name: _joinName([name, 'jobs-egress']),
      selector: this.jobSelector,
      isolateIngress: true,
    }));

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
    _allowPlatformEgress(this.instancesEgress, this, byName);
    for (const d of [...backupDestinations, ...externalDestinations]) {
      this.instancesEgress.allowEgress({ peers: d._peers, ports: [Port.tcp(d.port)] });
    }

    // Jobs, egress (their ingress stays closed).
    this.jobsEgress.allowEgress({ peers: [instancesPeer], ports: [Port.tcp(POSTGRES_PORT)] });
    _allowPlatformEgress(this.jobsEgress, this, byName);
    for (const d of [...backupDestinations, ...externalDestinations]) {
      this.jobsEgress.allowEgress({ peers: d._peers, ports: [Port.tcp(d.port)] });
    }
  }

  /** The poolers added with `addPooler`. */
  public get poolers(): Pooler[] {
    return _poolersOf(this).filter((p): p is Pooler => p instanceof Pooler);
  }

  /**
   * Adds a PgBouncer pooler in front of the cluster, with its own default-deny policies and
   * egress to the instances, the API server and DNS. Grant clients access to it with
   * `AccessGrant`, like the cluster itself.
   */
  public addPooler(id: string, options: PoolerOptions = {}): Pooler {
    return new Pooler(this, id, { ...options, cluster: this });
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
    return _toKplusPodSelectorConfig(this.instanceSelector, this.namespace);
  }

  /** The instances as a cdk8s-plus network policy peer, for `connections.allowTo(db)`. */
  public toNetworkPolicyPeerConfig(): kplus.NetworkPolicyPeerConfig {
    return { podSelector: this.toPodSelectorConfig() };
  }

  /** The instances as a cdk8s-plus pod selector. */
  public toPodSelector(): kplus.IPodSelector | undefined {
    return this;
  }
}

function sortedMap(m: { [key: string]: string }): { [key: string]: string } {
  const out: { [key: string]: string } = {};
  for (const k of Object.keys(m).sort()) {
    out[k] = m[k];
  }
  return out;
}
