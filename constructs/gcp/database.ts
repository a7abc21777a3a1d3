import { SecretManagerSecret } from '@cdktf/provider-google/lib/secret-manager-secret';
import { SecretManagerSecretVersion } from '@cdktf/provider-google/lib/secret-manager-secret-version';
import { SqlDatabase } from '@cdktf/provider-google/lib/sql-database';
import { SqlDatabaseInstance } from '@cdktf/provider-google/lib/sql-database-instance';
import { SqlUser } from '@cdktf/provider-google/lib/sql-user';
import { Fn, ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { GCP_FORCE_DESTROY_LABEL } from '../policy/cloud-sql-rules';
import { GeneratedPassword } from '../platform/generated-password';
import { CLOUD_SQL_SIZE_RULES } from './database-size';
import { EncryptionKey } from './encryption-key';
import { PrivateServicesAccess } from './private-services-access';

/** PostgreSQL port. */
export const POSTGRES_PORT = 5432;

/** Defaults of the Cloud SQL database (the config's `database.instanceClass` and `storageGiB` on GCP). */
export const CLOUD_SQL_DEFAULTS = {
  /** 1 vCPU, 3.75 GiB, Enterprise edition: the controller's store is small (jobs, files, events). */
  tier: 'db-custom-1-3840',
  /** SSD GiB (Cloud SQL grows it automatically). */
  storageGiB: 10,
  /** Automated daily backups kept. */
  retainedBackups: 7,
  /** Days of write-ahead log kept for point-in-time recovery. */
  transactionLogRetentionDays: 7,
  /** PostgreSQL major version. */
  databaseVersion: 'POSTGRES_17',
} as const;

/** The database and the user the controller connects as (the secret's `username`). */
export const CLOUD_SQL_DATABASE = { name: 'vpctune', user: 'vpctune' } as const;

export interface CloudSqlDatabaseProps {
  /** Prefix of every resource name (the platform name). */
  readonly name: string;
  readonly project: string;
  readonly region: string;
  /** The platform VPC's id: the instance's only network. */
  readonly networkId: string;
  /** Private services access on that VPC: the instance takes its private IP from this range. */
  readonly privateServices: PrivateServicesAccess;
  /** The CMEK for the instance (disks, backups) and the password's secret; the Cloud SQL and Secret Manager agents use it. */
  readonly key: EncryptionKey;
  /** @default CLOUD_SQL_DEFAULTS.tier (db-custom-1-3840) */
  readonly tier?: string;
  /** @default CLOUD_SQL_DEFAULTS.storageGiB (10) */
  readonly storageGiB?: number;
  /** @default CLOUD_SQL_DEFAULTS.retainedBackups (7) */
  readonly retainedBackups?: number;
  /** Let `terraform destroy` delete the instance (no deletion protection). @default false */
  readonly forceDestroy?: boolean;
  /** Resources the instance waits for (the API enablement, if the caller manages it). @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/**
 * The controller's PostgreSQL on Cloud SQL: a private IP only (private services access, no public IPv4), TLS required
 * (`ssl_mode = ENCRYPTED_ONLY`), disks and backups under the platform's Cloud KMS key, daily backups with point-in-time
 * recovery, deletion protection (unless forceDestroy) both in Terraform and in the Cloud SQL API. The controller's
 * user has a password Terraform generates (GeneratedPassword), kept in a Secret Manager secret under the same key as
 * `{"username", "password"}` (the shape of RDS's managed secret, for the in-cluster stack).
 */
export class CloudSqlDatabase extends Construct {
  public readonly instance: SqlDatabaseInstance;
  public readonly secret: SecretManagerSecret;
  public readonly secretVersion: SecretManagerSecretVersion;

  constructor(scope: Construct, id: string, props: CloudSqlDatabaseProps) {
    super(scope, id);
    const tier = props.tier ?? CLOUD_SQL_DEFAULTS.tier;
    const storageGiB = props.storageGiB ?? CLOUD_SQL_DEFAULTS.storageGiB;
    const retained = props.retainedBackups ?? CLOUD_SQL_DEFAULTS.retainedBackups;
    const forceDestroy = props.forceDestroy ?? false;
    const tierProblem = CLOUD_SQL_SIZE_RULES.tier(tier);
    if (tierProblem !== undefined) throw new Error(`CloudSqlDatabase ${props.name}: tier ${tier} is not a Cloud SQL tier; allowed: ${tierProblem}`);
    const sizeProblem = Number.isInteger(storageGiB) ? CLOUD_SQL_SIZE_RULES.storageGiB(storageGiB) : 'a whole number';
    if (sizeProblem !== undefined) throw new Error(`CloudSqlDatabase ${props.name}: storageGiB ${storageGiB} is not allowed; allowed: ${sizeProblem}`);
    if (!Number.isInteger(retained) || retained < 1 || retained > 365) throw new Error(`CloudSqlDatabase ${props.name}: retainedBackups ${retained} is outside 1 to 365`);

    this.instance = new SqlDatabaseInstance(this, 'instance', {
      name: `${props.name}-controller`,
      project: props.project,
      region: props.region,
      databaseVersion: CLOUD_SQL_DEFAULTS.databaseVersion,
      encryptionKeyName: props.key.id,
      deletionProtection: !forceDestroy,
      settings: {
        // PostgreSQL 16 and later default to Enterprise Plus, which has only db-perf-optimized tiers.
        edition: 'ENTERPRISE',
        tier,
        availabilityType: 'ZONAL',
        diskType: 'PD_SSD',
        diskSize: storageGiB,
        diskAutoresize: true,
        deletionProtectionEnabled: !forceDestroy,
        ipConfiguration: {
          ipv4Enabled: false,
          privateNetwork: props.networkId,
          allocatedIpRange: props.privateServices.range.name,
          sslMode: 'ENCRYPTED_ONLY',
        },
        backupConfiguration: {
          enabled: true,
          startTime: '03:00',
          pointInTimeRecoveryEnabled: true,
          transactionLogRetentionDays: CLOUD_SQL_DEFAULTS.transactionLogRetentionDays,
          backupRetentionSettings: { retainedBackups: retained, retentionUnit: 'COUNT' },
        },
        maintenanceWindow: { day: 7, hour: 4, updateTrack: 'stable' },
        // the policy rules accept no deletion protection only on an instance marked disposable
        ...(forceDestroy ? { userLabels: { [GCP_FORCE_DESTROY_LABEL]: 'true' } } : {}),
      },
      dependsOn: [props.privateServices.connection, ...props.key.grants, ...(props.dependsOn ?? [])],
    });
    new SqlDatabase(this, 'database', { name: CLOUD_SQL_DATABASE.name, project: props.project, instance: this.instance.name });
    const password = new GeneratedPassword(this, 'password');
    // A PostgreSQL user that owns objects cannot be dropped; deleting the instance removes it.
    new SqlUser(this, 'user', { name: CLOUD_SQL_DATABASE.user, project: props.project, instance: this.instance.name, type: 'BUILT_IN', password: password.value, deletionPolicy: 'ABANDON' });
    this.secret = new SecretManagerSecret(this, 'secret', {
      secretId: `${props.name}-database`,
      project: props.project,
      replication: { userManaged: { replicas: [{ location: props.region, customerManagedEncryption: { kmsKeyName: props.key.id } }] } },
      dependsOn: [...props.key.grants],
    });
    this.secretVersion = new SecretManagerSecretVersion(this, 'secret-version', {
      secret: this.secret.id,
      secretData: Fn.jsonencode({ username: CLOUD_SQL_DATABASE.user, password: password.value }),
    });
  }

  /** `host:port` of the instance's private IP. */
  get endpoint(): string {
    return `${this.instance.privateIpAddress}:${POSTGRES_PORT}`;
  }

  /** The Secret Manager secret's id, `projects/PROJECT/secrets/NAME`: the latest version holds `{"username", "password"}`. */
  get secretId(): string {
    return this.secret.id;
  }
}
