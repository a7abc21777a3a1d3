import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsPlatform } from '../constructs/aws';
import { ResolvedPlatformConfig } from '../constructs/config';
import { ALL_IMAGES, ALL_SERVICE_ACCOUNTS } from '../constructs/platform';

export interface AwsPlatformStackProps {
  readonly config: ResolvedPlatformConfig;
}

/** The stack id of a config: `vpctune-<name>`, or the name itself when it already starts with `vpctune`. */
export function stackIdFor(config: ResolvedPlatformConfig): string {
  return /^vpctune(-|$)/.test(config.name) ? config.name : `vpctune-${config.name}`;
}

/**
 * One AWS platform per config. The provider takes credentials the standard way (environment, profile, SSO);
 * nothing test-only is set here. State is local unless the config names an S3 backend (native lockfile locking).
 */
export class AwsPlatformStack extends TerraformStack {
  public readonly platform: AwsPlatform;

  constructor(scope: Construct, id: string, props: AwsPlatformStackProps) {
    super(scope, id);
    const c = props.config;
    new AwsProvider(this, 'aws', {
      region: c.region,
      defaultTags: [{ tags: { 'vpctune.dev/platform': c.name, 'managed-by': 'vpctune', ...c.tags } }],
    });
    if (c.state !== undefined) {
      new S3Backend(this, {
        bucket: c.state.bucket,
        key: c.state.key ?? `vpctune/${c.name}.tfstate`,
        region: c.state.region ?? c.region,
        encrypt: true,
        ...(c.state.dynamodbTable !== undefined ? { dynamodbTable: c.state.dynamodbTable } : { useLockfile: true }),
      });
    } else {
      // State beside the synthesized stack (relative, so the output holds no machine path).
      new LocalBackend(this, { path: 'terraform.tfstate' });
    }
    this.platform = new AwsPlatform(this, 'platform', { config: c });
    const p = this.platform;

    new TerraformOutput(this, 'cluster_name', { value: p.cluster.cluster.name });
    new TerraformOutput(this, 'cluster_endpoint', { value: p.cluster.cluster.endpoint });
    // The API server's CA (base64 PEM): the in-cluster stack's Kubernetes and Helm providers trust it.
    new TerraformOutput(this, 'cluster_ca_certificate', { value: p.cluster.cluster.certificateAuthority.get(0).data });
    new TerraformOutput(this, 'cluster_oidc_issuer', { value: p.cluster.cluster.identity.get(0).oidc.get(0).issuer });
    new TerraformOutput(this, 'bucket', { value: p.artifacts.bucket.bucket });
    new TerraformOutput(this, 'gpu_pools', { value: Object.fromEntries(c.gpuPools.map((g) => [g.name, g.sku.instanceType])) });
    for (const image of ALL_IMAGES) new TerraformOutput(this, `registry_${image}`, { value: p.repositoryUrl(image) });
    for (const sa of ALL_SERVICE_ACCOUNTS) new TerraformOutput(this, `role_${sa.replace(/-/g, '_')}`, { value: p.roleArn(sa) });
    if (p.bastion !== undefined) new TerraformOutput(this, 'bastion_instance_id', { value: p.bastion.instance.id });
    new TerraformOutput(this, 'cluster_autoscaler_role_arn', { value: p.clusterAutoscalerIdentity.arn });
    if (p.database !== undefined) {
      new TerraformOutput(this, 'database_endpoint', { value: p.database.endpoint });
      new TerraformOutput(this, 'database_secret_arn', { value: p.database.secretArn });
    }
  }
}
