import { DbInstance } from '@cdktf/provider-aws/lib/db-instance';
import { DbParameterGroup } from '@cdktf/provider-aws/lib/db-parameter-group';
import { DbSubnetGroup } from '@cdktf/provider-aws/lib/db-subnet-group';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Construct } from 'constructs';
import { FORCE_DESTROY_TAG } from '../policy/database-rules';
import { EncryptionKey } from './encryption-key';

/** PostgreSQL port. */
export const POSTGRES_PORT = 5432;

/** Defaults of the platform database (documented on the config's `database` section too). */
export const DATABASE_DEFAULTS = {
  /** Graviton burstable, 2 vCPU / 2 GiB: the controller's store is small (jobs, files, events). */
  instanceClass: 'db.t4g.small',
  /** gp3's minimum. */
  storageGiB: 20,
  /** Days of automated backups (point-in-time restore). */
  backupRetentionDays: 7,
  /** PostgreSQL major version (RDS picks the newest minor and upgrades minors in the maintenance window). */
  engineVersion: '17',
} as const;

export interface DatabaseProps {
  /** Prefix of every resource name (the platform name). */
  readonly name: string;
  readonly vpcId: string;
  /** Private subnets, at least two zones (RDS requires a subnet group over two). */
  readonly subnets: readonly Subnet[];
  /** The security group of the cluster's nodes: the only source allowed on 5432. */
  readonly clientSecurityGroupId: string;
  /** The customer KMS key (the platform key) for storage, snapshots and the master password's secret. */
  readonly key: EncryptionKey;
  /** @default DATABASE_DEFAULTS.instanceClass (db.t4g.small) */
  readonly instanceClass?: string;
  /** @default DATABASE_DEFAULTS.storageGiB (20) */
  readonly storageGiB?: number;
  /** @default DATABASE_DEFAULTS.backupRetentionDays (7) */
  readonly backupRetentionDays?: number;
  /** Let `terraform destroy` delete the instance without a final snapshot (no deletion protection). @default false */
  readonly forceDestroy?: boolean;
  /** Standby in a second zone. @default false */
  readonly multiAz?: boolean;
}

/**
 * The controller's PostgreSQL: RDS in the private subnets, not public, storage and the master password's secret
 * encrypted with the platform's KMS key, TLS required (`rds.force_ssl`), automated backups, deletion protection (unless
 * forceDestroy), the master password generated and rotated by RDS in Secrets Manager, reachable only from the
 * cluster's nodes on 5432.
 */
export class Database extends Construct {
  public readonly instance: DbInstance;
  public readonly securityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const instanceClass = props.instanceClass ?? DATABASE_DEFAULTS.instanceClass;
    const storageGiB = props.storageGiB ?? DATABASE_DEFAULTS.storageGiB;
    const backups = props.backupRetentionDays ?? DATABASE_DEFAULTS.backupRetentionDays;
    const forceDestroy = props.forceDestroy ?? false;
    if (!/^db\.[a-z0-9-]+\.[a-z0-9]+$/.test(instanceClass)) throw new Error(`Database ${props.name}: instanceClass ${instanceClass} is not an RDS instance class; allowed: db.FAMILY.SIZE, e.g. db.t4g.small`);
    if (!Number.isInteger(storageGiB) || storageGiB < 20 || storageGiB > 65536) throw new Error(`Database ${props.name}: storageGiB ${storageGiB} is outside 20 to 65536`);
    if (!Number.isInteger(backups) || backups < 1 || backups > 35) throw new Error(`Database ${props.name}: backupRetentionDays ${backups} is outside 1 to 35 (0 would turn automated backups off)`);
    if (props.subnets.length < 2) throw new Error(`Database ${props.name}: ${props.subnets.length} subnet(s) given; RDS needs subnets in at least 2 availability zones`);

    const subnetGroup = new DbSubnetGroup(this, 'subnets', { name: `${props.name}-database`, subnetIds: props.subnets.map((s) => s.id), description: `${props.name} database: private subnets` });
    this.securityGroup = new SecurityGroup(this, 'sg', {
      name: `${props.name}-database`,
      description: `PostgreSQL from the ${props.name} cluster nodes only`,
      vpcId: props.vpcId,
      ingress: [{ description: 'PostgreSQL from the cluster nodes', fromPort: POSTGRES_PORT, toPort: POSTGRES_PORT, protocol: 'tcp', securityGroups: [props.clientSecurityGroupId] }],
      // RDS opens no connections of its own
      egress: [],
      tags: { Name: `${props.name}-database` },
    });
    const parameters = new DbParameterGroup(this, 'parameters', {
      name: `${props.name}-postgres${DATABASE_DEFAULTS.engineVersion}`,
      family: `postgres${DATABASE_DEFAULTS.engineVersion}`,
      description: `${props.name} database: TLS required`,
      parameter: [{ name: 'rds.force_ssl', value: '1' }],
    });
    this.instance = new DbInstance(this, 'instance', {
      identifier: `${props.name}-controller`,
      engine: 'postgres',
      engineVersion: DATABASE_DEFAULTS.engineVersion,
      instanceClass,
      allocatedStorage: storageGiB,
      storageType: 'gp3',
      storageEncrypted: true,
      kmsKeyId: props.key.arn,
      dbName: 'vpctune',
      username: 'vpctune',
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: props.key.arn,
      port: POSTGRES_PORT,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [this.securityGroup.id],
      parameterGroupName: parameters.name,
      publiclyAccessible: false,
      multiAz: props.multiAz ?? false,
      backupRetentionPeriod: backups,
      copyTagsToSnapshot: true,
      autoMinorVersionUpgrade: true,
      deletionProtection: !forceDestroy,
      skipFinalSnapshot: forceDestroy,
      ...(forceDestroy ? {} : { finalSnapshotIdentifier: `${props.name}-controller-final` }),
      // the policy rules accept no deletion protection only on an instance marked disposable
      ...(forceDestroy ? { tags: { [FORCE_DESTROY_TAG]: 'true' } } : {}),
      dependsOn: [props.key.policy],
    });
  }

  /** `host:port` of the instance. */
  get endpoint(): string {
    return this.instance.endpoint;
  }

  /** ARN of the Secrets Manager secret RDS keeps the master user's credentials in. */
  get secretArn(): string {
    return this.instance.masterUserSecret.get(0).secretArn;
  }
}
