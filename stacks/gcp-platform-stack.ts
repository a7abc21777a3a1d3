import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { GcsBackend, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { ResolvedPlatformConfig } from '../constructs/config';
import { GcpPlatform } from '../constructs/gcp';
import { ALL_IMAGES, ALL_SERVICE_ACCOUNTS } from '../constructs/platform';

export interface GcpPlatformStackProps {
  readonly config: ResolvedPlatformConfig;
}

/**
 * GCP labels from tags: lowercase letters, digits and `_` in keys (cdktf writes provider label keys with `_` for `-`,
 * so they are written that way here), values also keep `-`; anything else becomes `_`, at most 63 characters.
 */
function asLabels(tags: Readonly<Record<string, string>>): Record<string, string> {
  const clean = (s: string, allowed: RegExp): string => s.toLowerCase().replace(allowed, '_').slice(0, 63);
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [clean(k, /[^a-z0-9_]/g), clean(v, /[^a-z0-9_-]/g)]));
}

/**
 * One GCP platform per config. The provider takes credentials the standard way (Application Default Credentials);
 * nothing test-only is set here. State is local unless the config names a state bucket (GCS backend, which locks).
 */
export class GcpPlatformStack extends TerraformStack {
  public readonly platform: GcpPlatform;

  constructor(scope: Construct, id: string, props: GcpPlatformStackProps) {
    super(scope, id);
    const c = props.config;
    if (c.gcp === undefined) throw new Error(`GcpPlatformStack: config ${c.name} has no gcp.project`);
    new GoogleProvider(this, 'google', {
      project: c.gcp.project,
      region: c.region,
      defaultLabels: asLabels({ vpctune_platform: c.name, managed_by: 'vpctune', ...c.tags }),
    });
    if (c.state !== undefined) {
      new GcsBackend(this, { bucket: c.state.bucket, prefix: c.state.key ?? `vpctune/${c.name}` });
    } else {
      // State beside the synthesized stack (relative, so the output holds no machine path).
      new LocalBackend(this, { path: 'terraform.tfstate' });
    }
    this.platform = new GcpPlatform(this, 'platform', { config: c });
    const p = this.platform;

    new TerraformOutput(this, 'cluster_name', { value: p.cluster.cluster.name });
    new TerraformOutput(this, 'cluster_endpoint', { value: p.cluster.cluster.endpoint });
    // The API server's CA (base64 PEM): the in-cluster stack's Kubernetes and Helm providers trust it.
    new TerraformOutput(this, 'cluster_ca_certificate', { value: p.cluster.cluster.masterAuth.clusterCaCertificate });
    new TerraformOutput(this, 'bucket', { value: p.artifacts.bucket.name });
    new TerraformOutput(this, 'gpu_pools', { value: Object.fromEntries(c.gpuPools.map((g) => [g.name, g.sku.instanceType])) });
    for (const image of ALL_IMAGES) new TerraformOutput(this, `registry_${image}`, { value: p.repositoryUrl(image) });
    for (const sa of ALL_SERVICE_ACCOUNTS) new TerraformOutput(this, `service_account_${sa.replace(/-/g, '_')}`, { value: p.serviceAccountEmail(sa) });
    if (p.bastion !== undefined) new TerraformOutput(this, 'bastion_instance', { value: p.bastion.instance.name });
    if (p.database !== undefined) {
      new TerraformOutput(this, 'database_endpoint', { value: p.database.endpoint });
      // Secret Manager secret id (projects/P/secrets/NAME); its latest version is {"username", "password"}
      new TerraformOutput(this, 'database_secret_id', { value: p.database.secretId });
    }
  }
}
