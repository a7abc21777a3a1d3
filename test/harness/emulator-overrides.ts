/**
 * Test-only changes that let a synthesized stack be applied, re-planned and destroyed against the moto AWS
 * emulator. They are applied by the harness to a copy of `cdk.tf.json` and never by the stacks users deploy.
 *
 * What moto does not emulate faithfully (measured; see test/harness/README.md):
 * - EKS `access_config` does not round-trip: a re-plan wants to replace the cluster.
 * - Node groups come back with an invented `remote_access` and without `update_config`: a re-plan wants to
 *   replace them.
 * - A tagged launch template reads back an extra `launch-template` tag specification (see EMULATOR_IGNORE_CHANGES).
 * - The Auto Scaling group behind a managed node group is fictitious, so `aws_autoscaling_group_tag` on it fails.
 * - EKS add-ons and access entries are not emulated (see EMULATOR_DROPPED_TYPES).
 * Each fix is applied to exactly those attributes and resources, and recorded in the returned overrides.
 */
import { applyOfflineOverrides, DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY, OfflineOverrideOptions } from './offline-overrides';
import { awsProviderConfigs, cloneJson, dataSourceTypes, Override, OverrideResult, providerAddress, resourceTypes, TerraformBlock, TerraformJson } from './stack-json';

/**
 * Resource/data-source type prefix → the provider's `endpoints` key. The longest matching prefix wins;
 * `null` marks types the provider evaluates locally (no endpoint needed).
 */
export const SERVICE_BY_TYPE_PREFIX: Readonly<Record<string, string | null>> = {
  aws_iam_policy_document: null,
  aws_partition: null,
  aws_arn: null,
  aws_default_tags: null,
  aws_caller_identity: 'sts',
  aws_eks_cluster_auth: 'sts',
  aws_region: 'ec2',
  aws_regions: 'ec2',
  aws_availability_zone: 'ec2',
  aws_availability_zones: 'ec2',
  aws_vpc: 'ec2',
  aws_subnet: 'ec2',
  aws_route: 'ec2',
  aws_main_route_table_association: 'ec2',
  aws_internet_gateway: 'ec2',
  aws_egress_only_internet_gateway: 'ec2',
  aws_nat_gateway: 'ec2',
  aws_eip: 'ec2',
  aws_security_group: 'ec2',
  aws_network_acl: 'ec2',
  aws_network_interface: 'ec2',
  aws_default_: 'ec2',
  aws_launch_template: 'ec2',
  aws_instance: 'ec2',
  aws_ami: 'ec2',
  aws_key_pair: 'ec2',
  aws_ebs_: 'ec2',
  aws_volume_attachment: 'ec2',
  aws_placement_group: 'ec2',
  aws_flow_log: 'ec2',
  aws_prefix_list: 'ec2',
  aws_ec2_: 'ec2',
  aws_eks_: 'eks',
  aws_iam_: 'iam',
  aws_kms_: 'kms',
  aws_s3_: 's3',
  aws_ecr_: 'ecr',
  aws_autoscaling_: 'autoscaling',
  aws_cloudwatch_log_: 'logs',
  aws_cloudwatch_event_: 'events',
  aws_cloudwatch_metric_alarm: 'cloudwatch',
  aws_cloudwatch_dashboard: 'cloudwatch',
  aws_ssm_: 'ssm',
  aws_secretsmanager_: 'secretsmanager',
  aws_db_: 'rds',
  aws_sqs_: 'sqs',
  aws_sns_: 'sns',
  aws_route53_: 'route53',
  aws_acm_: 'acm',
  aws_efs_: 'efs',
  aws_lambda_: 'lambda',
  aws_dynamodb_: 'dynamodb',
  aws_lb: 'elbv2',
  aws_alb: 'elbv2',
};

/** Services every emulated provider talks to regardless of resources (the provider's own identity calls). */
export const ALWAYS_EMULATED_SERVICES: readonly string[] = ['sts'];

/**
 * `ignore_changes` added per resource type: exactly what moto (5.2.1) does not round-trip.
 * - `aws_eks_cluster.access_config`: not returned as written.
 * - `aws_eks_node_group.remote_access` (invented) and `update_config` (dropped).
 * - `aws_launch_template.tag_specifications`: moto's CreateLaunchTemplate copies the template's own tags (the
 *   top-level `launch-template` TagSpecification the provider sends for `tags`/`default_tags`) into the version
 *   data (moto/ec2/responses/launch_templates.py), which real EC2 does not; a tagged template then reads back an
 *   extra `tag_specifications { resource_type = "launch-template" }`, and the re-plan wants a new version of every
 *   template and an update of every node group using one.
 * - `aws_db_parameter_group.parameter`: moto's DescribeDBParameters returns parameters without their `Source`; the
 *   provider keeps only those whose Source is `user`, so `rds.force_ssl = 1` reads back as missing.
 */
export const EMULATOR_IGNORE_CHANGES: Readonly<Record<string, readonly string[]>> = {
  aws_eks_cluster: ['access_config'],
  aws_db_parameter_group: ['parameter'],
  aws_eks_node_group: ['remote_access', 'update_config'],
  aws_launch_template: ['tag_specifications'],
};

/**
 * Resource types removed from emulator runs: moto 5.2.1 has no such objects.
 * - `aws_autoscaling_group_tag`: the Auto Scaling group behind a managed node group is fictitious.
 * - `aws_eks_addon` (the VPC CNI add-on with its IRSA role): moto's EKS has no add-on API (CreateAddon is not routed).
 * - `aws_eks_access_entry`, `aws_eks_access_policy_association` (cluster admins): moto's EKS has no access entry API.
 */
export const EMULATOR_DROPPED_TYPES: readonly string[] = ['aws_autoscaling_group_tag', 'aws_eks_addon', 'aws_eks_access_policy_association', 'aws_eks_access_entry'];

export interface EmulatorOverrideOptions extends OfflineOverrideOptions {
  /** Base URL of the emulator, e.g. `http://127.0.0.1:41234`. */
  readonly endpoint: string;
  /** Endpoint keys added beyond those derived from the stack's types. @default none */
  readonly extraServices?: readonly string[];
  /**
   * Keep the stack's S3 backend (pointed at the emulator, with dummy keys and skip flags) instead of a local one, to
   * prove remote state and its locking. @default false
   */
  readonly keepS3Backend?: boolean;
}

/** Returns the endpoint key for an AWS type, null when local-only, or undefined when the table does not know it. */
export function serviceForType(type: string): string | null | undefined {
  let best: string | undefined;
  for (const prefix of Object.keys(SERVICE_BY_TYPE_PREFIX)) {
    if (type.startsWith(prefix) && (best === undefined || prefix.length > best.length)) best = prefix;
  }
  return best === undefined ? undefined : SERVICE_BY_TYPE_PREFIX[best];
}

/**
 * The endpoint keys a stack needs: derived from its `aws_*` resource and data-source types, plus sts.
 * Throws, naming the types, when a type is not in SERVICE_BY_TYPE_PREFIX (a request to an unmapped service would
 * otherwise go to the real AWS endpoint and hang offline).
 */
export function servicesUsed(json: TerraformJson): string[] {
  const services = new Set<string>(ALWAYS_EMULATED_SERVICES);
  const unknown: string[] = [];
  for (const type of [...resourceTypes(json), ...dataSourceTypes(json)]) {
    if (!type.startsWith('aws_')) continue;
    const service = serviceForType(type);
    if (service === undefined) unknown.push(type);
    else if (service !== null) services.add(service);
  }
  if (unknown.length > 0) {
    throw new Error(
      `emulator overrides: no endpoint mapping for ${[...new Set(unknown)].sort().join(', ')}; add the type prefix to SERVICE_BY_TYPE_PREFIX in test/harness/emulator-overrides.ts`,
    );
  }
  return [...services].sort();
}

function referencesTo(value: unknown, address: string): boolean {
  const pattern = new RegExp(`(^|[^A-Za-z0-9_.])${address.replace(/\./g, '\\.')}([^A-Za-z0-9_-]|$)`);
  if (typeof value === 'string') return pattern.test(value);
  if (Array.isArray(value)) return value.some((v) => referencesTo(v, address));
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([k, v]) => k !== '//' && referencesTo(v, address));
  return false;
}

function dropResources(json: TerraformJson, type: string, overrides: Override[]): void {
  const byName = json.resource?.[type];
  if (byName === undefined) return;
  const dropped = Object.keys(byName).map((name) => `${type}.${name}`);
  delete json.resource![type];
  for (const address of dropped) overrides.push({ address, change: 'removed (emulator has no such object)' });

  const blocks: Array<[string, TerraformBlock]> = [];
  for (const [t, named] of Object.entries(json.resource ?? {})) for (const [n, b] of Object.entries(named)) blocks.push([`${t}.${n}`, b]);
  for (const [t, named] of Object.entries(json.data ?? {})) for (const [n, b] of Object.entries(named)) blocks.push([`data.${t}.${n}`, b]);
  for (const [addr, block] of blocks) {
    const dependsOn = block['depends_on'];
    if (Array.isArray(dependsOn)) {
      const kept = dependsOn.filter((d) => !dropped.includes(String(d).replace(/^\$\{(.*)\}$/, '$1')));
      if (kept.length !== dependsOn.length) {
        if (kept.length > 0) block['depends_on'] = kept;
        else delete block['depends_on'];
        overrides.push({ address: addr, change: `depends_on -= ${type}` });
      }
    }
    for (const d of dropped) {
      if (referencesTo({ ...block, depends_on: undefined }, d)) {
        throw new Error(`emulator overrides: ${addr} references ${d}, which the emulator run removes; do not read attributes of ${type}`);
      }
    }
  }
  for (const [name, out] of Object.entries(json.output ?? {})) {
    if (dropped.some((d) => referencesTo(out, d))) {
      delete json.output![name];
      overrides.push({ address: `output.${name}`, change: `removed (references ${type})` });
    }
  }
}

/** A reference to the security group EKS creates for a cluster (moto 5.2.1 creates none and returns ''). */
const CLUSTER_SG_REFERENCE = /\$\{aws_eks_cluster\.([A-Za-z0-9_-]+)\.vpc_config\[0\]\.cluster_security_group_id\}/g;

/**
 * moto's EKS creates no cluster security group, so a rule naming it (the database's ingress from the nodes) fails with
 * InvalidGroup.NotFound. Each referenced cluster gets a stand-in security group in the stack's VPC, and the references
 * point at it.
 */
function standInClusterSecurityGroups(json: TerraformJson, overrides: Override[]): void {
  const text = JSON.stringify(json.resource ?? {});
  const clusters = [...new Set([...text.matchAll(CLUSTER_SG_REFERENCE)].map((m) => m[1] as string))];
  if (clusters.length === 0) return;
  const vpc = Object.keys(json.resource?.['aws_vpc'] ?? {})[0];
  if (vpc === undefined) throw new Error('emulator overrides: the stack references an EKS cluster security group but has no aws_vpc to put a stand-in in');
  json.resource = JSON.parse(text.replace(CLUSTER_SG_REFERENCE, (_m, cluster: string) => `\${aws_security_group.emulator_cluster_sg_${cluster}.id}`)) as TerraformJson['resource'];
  const groups = (json.resource!['aws_security_group'] ??= {});
  for (const cluster of clusters) {
    groups[`emulator_cluster_sg_${cluster}`] = { name: `emulator-cluster-sg-${cluster}`.slice(0, 255), description: 'stand-in for the EKS cluster security group', vpc_id: `\${aws_vpc.${vpc}.id}` };
    overrides.push({ address: `aws_security_group.emulator_cluster_sg_${cluster}`, change: `added: stands in for aws_eks_cluster.${cluster}'s cluster security group` });
  }
}

/**
 * Returns a copy of the stack ready for moto: the offline overrides (dummy keys, skip flags, local backend), then
 * on every `aws` provider `endpoints` for each service the stack uses and `s3_use_path_style = true`; then
 * the emulator fixes (`ignore_changes`, dropped `aws_autoscaling_group_tag`). `overrides` lists every change.
 */
export function applyEmulatorOverrides(stack: TerraformJson, options: EmulatorOverrideOptions): OverrideResult {
  if (!/^https?:\/\/[^/]+$/.test(options.endpoint)) {
    throw new Error(`emulator overrides: endpoint must be a base URL like http://127.0.0.1:5000, got '${options.endpoint}'`);
  }
  const offline = applyOfflineOverrides(stack, options);
  const json = offline.json;
  const overrides: Override[] = [...offline.overrides];
  const s3Backend = stack.terraform?.backend?.['s3'] as Record<string, unknown> | undefined;
  if (options.keepS3Backend === true) {
    if (s3Backend === undefined) throw new Error('emulator overrides: keepS3Backend is set but the stack has no S3 backend');
    (json.terraform ??= {}).backend = {
      s3: {
        ...cloneJson(s3Backend),
        endpoints: { s3: options.endpoint, dynamodb: options.endpoint, sts: options.endpoint },
        use_path_style: true,
        access_key: DUMMY_ACCESS_KEY,
        secret_key: DUMMY_SECRET_KEY,
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_metadata_api_check: true,
        skip_region_validation: true,
      },
    };
    overrides.push({ address: 'terraform.backend', change: `s3 kept, endpoints {s3, dynamodb, sts} -> ${options.endpoint}, dummy keys, skip flags` });
  }

  standInClusterSecurityGroups(json, overrides);
  // Removing resources first: their types then need no endpoint.
  for (const type of EMULATOR_DROPPED_TYPES) dropResources(json, type, overrides);

  const services = [...new Set([...servicesUsed(json), ...(options.extraServices ?? [])])].sort();
  for (const config of awsProviderConfigs(json)) {
    const address = providerAddress(config);
    config['endpoints'] = [Object.fromEntries(services.map((s) => [s, options.endpoint]))];
    overrides.push({ address, change: `endpoints = {${services.join(', ')}} -> ${options.endpoint}` });
    config['s3_use_path_style'] = true;
    overrides.push({ address, change: 's3_use_path_style = true' });
  }

  for (const [type, attrs] of Object.entries(EMULATOR_IGNORE_CHANGES)) {
    for (const [name, block] of Object.entries(json.resource?.[type] ?? {})) {
      const lifecycle = (block['lifecycle'] ??= {}) as Record<string, unknown>;
      const current = lifecycle['ignore_changes'];
      if (current === 'all') continue;
      const list = Array.isArray(current) ? current.map(String) : [];
      const added = attrs.filter((a) => !list.includes(a));
      if (added.length === 0) continue;
      lifecycle['ignore_changes'] = [...list, ...added];
      overrides.push({ address: `${type}.${name}`, change: `lifecycle.ignore_changes += ${added.join(', ')}` });
    }
  }
  return { json, overrides };
}
