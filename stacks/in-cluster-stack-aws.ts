import { DataAwsSecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { Fn, type ITerraformDependable, type TerraformRemoteState } from 'cdktf';
import type { ResolvedPlatformConfig } from '../constructs/config';
import { DATABASE_URL_SECRET } from '../constructs/platform';
import { InClusterStack } from './in-cluster-stack';

/** The database RDS creates (constructs/aws/database.ts) and the TLS mode the controller connects with. */
export const RDS_DATABASE = { name: 'vpctune', sslmode: 'verify-full' } as const;

/**
 * The AWS in-cluster stack: the database URL Secret from RDS's managed master-user secret. Terraform reads the secret
 * (`data aws_secretsmanager_secret_version`) and writes the Secret (`kubernetes_secret_v1`): no operator to run, no
 * password in values or in the synthesized JSON; the password is in this stack's state, which is why that state lives
 * in the platform's encrypted backend. Re-apply after the password rotates (External Secrets is the choice when
 * rotation must reach the cluster by itself; it needs its operator and an IRSA role first).
 */
export class AwsInClusterStack extends InClusterStack {
  protected override configureProviders(config: ResolvedPlatformConfig): void {
    new AwsProvider(this, 'aws', { region: config.region });
  }

  protected override databaseSecret(_config: ResolvedPlatformConfig, state: TerraformRemoteState, outputs: ReadonlySet<string>): ITerraformDependable | undefined {
    if (!outputs.has('database_endpoint') || !outputs.has('database_secret_arn')) return undefined;
    const version = new DataAwsSecretsmanagerSecretVersion(this, 'database-credentials', { secretId: state.getString('database_secret_arn') });
    const credentials = Fn.jsondecode(version.secretString);
    const user = Fn.urlencode(Fn.lookup(credentials, 'username'));
    const password = Fn.urlencode(Fn.lookup(credentials, 'password'));
    return new SecretV1(this, 'database-url', {
      metadata: { name: DATABASE_URL_SECRET.name, namespace: this.namespace.metadata.name, labels: { 'app.kubernetes.io/part-of': 'vpctune' } },
      type: 'Opaque',
      data: { [DATABASE_URL_SECRET.key]: `postgres://${user}:${password}@${state.getString('database_endpoint')}/${RDS_DATABASE.name}?sslmode=${RDS_DATABASE.sslmode}` },
    });
  }
}
