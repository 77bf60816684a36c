/**
 * Facts of CloudNativePG that the policies are built from: the labels it puts on its pods, the
 * ports they listen on, and the PostgreSQL parameters it manages itself.
 *
 * Sources, in the CloudNativePG code: labels from `pkg/specs/pods.go` (instances),
 * `pkg/specs/jobs.go` (Jobs) and `pkg/specs/pgbouncer/deployments.go` (poolers); ports from
 * `pkg/management/url/url.go`, `pkg/postgres/configuration.go` and
 * `pkg/management/pgbouncer/config/config.go`; the fixed parameters from the documentation's
 * "PostgreSQL Configuration" page.
 * @see https://cloudnative-pg.io/documentation/current/labels_annotations/
 * @see https://cloudnative-pg.io/documentation/current/postgresql_conf/
 */

/** The label CNPG puts on every pod it creates for a cluster (instances, Jobs, poolers). */
export const CLUSTER_LABEL = 'cnpg.io/cluster';
/** `instance` on instance pods, `pooler` on PgBouncer pods, absent on Job pods. */
export const POD_ROLE_LABEL = 'cnpg.io/podRole';
/** Present (with the Job's role) on bootstrap, join, recovery, import and upgrade Job pods. */
export const JOB_ROLE_LABEL = 'cnpg.io/jobRole';
/** The pooler's name on its PgBouncer pods (the only label its Deployment selects on). */
export const POOLER_NAME_LABEL = 'cnpg.io/poolerName';

/** PostgreSQL, on instances (`ServerPort`). */
export const POSTGRES_PORT = 5432;
/** The instance manager's status/probe endpoint on instance pods (`StatusPort`). */
export const INSTANCE_STATUS_PORT = 8000;
/** Prometheus metrics of instance pods (`PostgresMetricsPort`). */
export const INSTANCE_METRICS_PORT = 9187;
/** PgBouncer, on pooler pods (`PgBouncerPort`). */
export const PGBOUNCER_PORT = 5432;
/** Prometheus metrics of PgBouncer pods (`PgBouncerMetricsPort`). */
export const PGBOUNCER_METRICS_PORT = 9127;

/**
 * PostgreSQL parameters CloudNativePG manages itself; the operator's webhook rejects a Cluster
 * that sets them.
 */
export const FIXED_PARAMETERS = [
  'archive_command', 'archive_mode', 'config_file', 'data_directory', 'full_page_writes',
  'hba_file', 'ident_file', 'listen_addresses', 'log_destination', 'logging_collector', 'port',
  'primary_conninfo', 'primary_slot_name', 'restore_command', 'ssl', 'ssl_ca_file',
  'ssl_cert_file', 'ssl_key_file', 'unix_socket_directories',
];
