import { Destination } from './destination';

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
