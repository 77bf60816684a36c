import { Destination } from './destination';

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
