/**
 * A PgBouncer pooler in front of a CloudNativePG cluster (`IPostgresCluster`, which
 * `SecuredPostgres` implements and whose `addPooler()` creates one).
 */
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Pooler as CnpgPooler, PoolerSpecPgbouncerPoolMode, PoolerSpecType } from '../../imports/postgresql.cnpg.io';
import { AccessTargetConfig, IAccessTarget } from '../access/access-target';
import { _toKplusPodSelectorConfig } from '../access/kplus-selectors';
import { _OutputOrder } from '../common/output-order';
import { CiliumPolicy } from '../policy/cilium-policy';
import { _libraryPolicy } from '../policy/policy-base';
import { _inputError } from '../policy/errors';
import { _joinName } from '../policy/names';
import { Entity, Peer } from '../policy/peer';
import { Port } from '../policy/port';
import { PodSelector } from '../policy/selector';
import { PGBOUNCER_METRICS_PORT, PGBOUNCER_PORT, POOLER_NAME_LABEL } from './cnpg';
import { _allowPlatformEgress, _registerPooler, IPostgresCluster } from './postgres-cluster';

/** Which instances a pooler sends connections to. */
export enum PoolerType {
  /** The primary (`<cluster>-rw`). */
  RW = 'rw',
  /** The replicas (`<cluster>-ro`). */
  RO = 'ro',
  /** Any instance (`<cluster>-r`). */
  R = 'r',
}

/** PgBouncer pool modes. */
export enum PoolMode {
  /** A server connection per client connection, for the client's whole session. */
  SESSION = 'session',
  /** A server connection per transaction. */
  TRANSACTION = 'transaction',
}

/** What PgBouncer demands of client connections (`client_tls_sslmode`). */
export enum PoolerClientTls {
  /** TLS required; client certificates not checked. */
  REQUIRE = 'require',
  /** TLS with a client certificate signed by the cluster's client CA. */
  VERIFY_CA = 'verify-ca',
  /** As VERIFY_CA, and the certificate must match the host name. */
  VERIFY_FULL = 'verify-full',
}

/** Options of a pooler added with `SecuredPostgres.addPooler`. */
export interface PoolerOptions {
  /**
   * The Pooler's `metadata.name`; also its Service name and the value of `cnpg.io/poolerName`
   * on its pods. A DNS-1035 label of at most 63 characters.
   * @default - `<cluster>-pooler-<type>`
   */
  readonly name?: string;
  /**
   * Which instances the pooler connects to.
   * @default PoolerType.RW
   */
  readonly type?: PoolerType;
  /**
   * Number of PgBouncer pods.
   * @default 2
   */
  readonly instances?: number;
  /**
   * The pool mode.
   * @default PoolMode.SESSION
   */
  readonly poolMode?: PoolMode;
  /**
   * Further PgBouncer parameters (CNPG's allowed list, e.g. `max_client_conn`,
   * `default_pool_size`). `client_tls_sslmode` is set with `clientTls`.
   * @default - none
   */
  readonly parameters?: { [key: string]: string };
  /**
   * TLS required from clients.
   * @default PoolerClientTls.REQUIRE
   */
  readonly clientTls?: PoolerClientTls;
  /**
   * Serve PgBouncer metrics (9127) over TLS (`spec.monitoring.tls`, CNPG 1.30+; older
   * operators refuse the field).
   * @default false
   */
  readonly metricsTls?: boolean;
}

/** Props of `Pooler`. */
export interface PoolerProps extends PoolerOptions {
  /** The cluster the pooler connects to (a `SecuredPostgres`). */
  readonly cluster: IPostgresCluster;
}

/**
 * A CloudNativePG PgBouncer pooler in front of a `SecuredPostgres`, with client TLS required
 * and its own Cilium policies: ingress and egress default deny, egress to the cluster's
 * instances on 5432, to the API server (PgBouncer's manager watches its Pooler) and to DNS.
 * Clients are admitted with `AccessGrant`, which treats the pooler as an access target.
 *
 * @see https://cloudnative-pg.io/documentation/current/connection_pooling/
 */
export class Pooler extends Construct implements IAccessTarget, kplus.IPodSelector, kplus.INetworkPolicyPeer {
  /** The Pooler's name (its Service and `cnpg.io/poolerName`). */
  public readonly name: string;
  /** The namespace. */
  public readonly namespace: string;
  /** Which instances the pooler connects to. */
  public readonly type: PoolerType;
  /** The L1 CNPG `Pooler`. */
  public readonly apiObject: ApiObject;
  /** The PgBouncer pods: `cnpg.io/poolerName: <name>`. */
  public readonly selector: PodSelector;
  /** The pooler's service host, `<name>.<namespace>.svc`. */
  public readonly serviceHost: string;
  /** Baseline: isolates the PgBouncer pods in both directions. */
  public readonly defaultDeny: CiliumPolicy;
  /** Where the PgBouncer pods may connect. */
  public readonly egress: CiliumPolicy;
  /** Monitoring and probe ingress, when configured. */
  public readonly ingress?: CiliumPolicy;

  constructor(scope: Construct, id: string, props: PoolerProps) {
    super(scope, id);
    _OutputOrder.of(this).own(this);
    const cluster = props.cluster;
    if (!cluster) {
      throw _inputError(this, 'cluster', 'no cluster given', 'create poolers with db.addPooler(id, options)');
    }
    const type = props.type ?? PoolerType.RW;
    const name = props.name ?? `${cluster.name}-pooler-${type}`;
    if (!/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
      throw _inputError(this, 'name', `"${name}" is not a valid pooler name`, 'use a DNS-1035 label of at most 63 characters: lower-case letters, digits and "-", starting with a letter');
    }
    if ([cluster.name, `${cluster.name}-rw`, `${cluster.name}-ro`, `${cluster.name}-r`, `${cluster.name}-any`].includes(name)) {
      throw _inputError(this, 'name', `"${name}" clashes with the cluster or one of its Services`, 'choose another name, e.g. <cluster>-pooler-<type>');
    }
    const instances = props.instances ?? 2;
    if (!Number.isInteger(instances) || instances < 1) {
      throw _inputError(this, 'instances', `${instances} is not a valid number of PgBouncer pods`, 'give an integer of at least 1 (2 or more for availability)');
    }
    const parameters = props.parameters ?? {};
    for (const k of Object.keys(parameters)) {
      if (k === 'client_tls_sslmode') {
        throw _inputError(this, `parameters.${k}`, `"${parameters[k]}" would override the client TLS mode`, 'set clientTls instead (PoolerClientTls.REQUIRE, VERIFY_CA or VERIFY_FULL)');
      }
      if (/^(listen_addr|listen_port|unix_socket_dir|auth_.*|server_tls_.*|client_tls_(ca|cert|key)_file)$/.test(k)) {
        throw _inputError(this, `parameters.${k}`, `"${k}" is managed by CloudNativePG`, 'remove it; the operator configures listening, authentication and server TLS');
      }
    }
    const clientTls = props.clientTls ?? PoolerClientTls.REQUIRE;

    this.name = name;
    this.namespace = cluster.namespace;
    this.type = type;
    this.selector = PodSelector.labels({ [POOLER_NAME_LABEL]: name });
    this.serviceHost = `${name}.${cluster.namespace}.svc`;

    const allParams: { [key: string]: string } = { ...parameters, client_tls_sslmode: clientTls };
    const sortedParams: { [key: string]: string } = {};
    for (const k of Object.keys(allParams).sort()) {
      sortedParams[k] = allParams[k];
    }
    this.apiObject = new CnpgPooler(this, 'Resource', {
      metadata: { name, namespace: cluster.namespace },
      spec: {
        cluster: { name: cluster.name },
        type: type as unknown as PoolerSpecType,
        instances,
        pgbouncer: {
          poolMode: (props.poolMode ?? PoolMode.SESSION) as unknown as PoolerSpecPgbouncerPoolMode,
          parameters: sortedParams,
        },
        monitoring: props.metricsTls ? { tls: { enabled: true } } : undefined,
      },
    });

    this.defaultDeny = new CiliumPolicy(this, 'DefaultDeny', _libraryPolicy({
      namespace: cluster.namespace,
      name: _joinName([name, 'default-deny']),
      selector: this.selector,
      isolateIngress: true,
      isolateEgress: true,
      description: `Baseline: ingress and egress default deny for the PgBouncer pods of pooler ${name} (CNPG cluster ${cluster.name})`,
    }));
    this.egress = new CiliumPolicy(this, 'Egress', _libraryPolicy({
      namespace: cluster.namespace,
      name: _joinName([name, 'egress']),
      selector: this.selector,
      isolateIngress: true,
    }));
    this.egress.allowEgress({ peers: [Peer.pods(cluster.instanceSelector, cluster.namespace)], ports: [Port.tcp(PGBOUNCER_PORT)] });
    _allowPlatformEgress(this.egress, cluster, false);

    if (cluster.monitoring || cluster.allowProbesFromHost) {
      this.ingress = new CiliumPolicy(this, 'Ingress', _libraryPolicy({
        namespace: cluster.namespace,
        name: _joinName([name, 'ingress']),
        selector: this.selector,
        isolateEgress: true,
      }));
      if (cluster.monitoring) {
        this.ingress.allowIngress({
          peers: [Peer.pods(cluster.monitoring.scraperSelector, cluster.monitoring.scraperNamespace)],
          ports: [Port.tcp(PGBOUNCER_METRICS_PORT)],
        });
      }
      if (cluster.allowProbesFromHost) {
        this.ingress.allowIngress({ peers: [Peer.entities(Entity.HOST)], ports: [Port.tcp(PGBOUNCER_PORT)] });
      }
    }

    _registerPooler(cluster, this);
  }

  /** The PgBouncer pods as an `AccessGrant` target: port 5432, PostgreSQL (no L7 rules). */
  public toAccessTargetConfig(): AccessTargetConfig {
    return {
      name: this.name,
      namespace: this.namespace,
      selector: this.selector,
      defaultPorts: [Port.tcp(PGBOUNCER_PORT)],
      exposedPorts: [Port.tcp(PGBOUNCER_PORT), Port.tcp(PGBOUNCER_METRICS_PORT)],
      postgres: true,
    };
  }

  /** The PgBouncer pods as a cdk8s-plus pod selector. */
  public toPodSelectorConfig(): kplus.PodSelectorConfig {
    return _toKplusPodSelectorConfig(this.selector, this.namespace);
  }

  /** The PgBouncer pods as a cdk8s-plus network policy peer. */
  public toNetworkPolicyPeerConfig(): kplus.NetworkPolicyPeerConfig {
    return { podSelector: this.toPodSelectorConfig() };
  }

  /** The PgBouncer pods as a cdk8s-plus pod selector. */
  public toPodSelector(): kplus.IPodSelector | undefined {
    return this;
  }
}
