/**
 * Small helpers over a synthesized cdktf stack (`cdk.tf.json`): Terraform JSON syntax, where a provider or a
 * nested block may be written as one object or as an array of objects.
 */

/** A Terraform JSON document as cdktf writes it. Only the parts the harness touches are typed. */
export interface TerraformJson {
  '//'?: unknown;
  terraform?: {
    backend?: Record<string, unknown>;
    cloud?: unknown;
    required_providers?: Record<string, { source?: string; version?: string }>;
    [key: string]: unknown;
  };
  provider?: Record<string, TerraformBlock | TerraformBlock[]>;
  resource?: Record<string, Record<string, TerraformBlock>>;
  data?: Record<string, Record<string, TerraformBlock>>;
  output?: Record<string, TerraformBlock>;
  [key: string]: unknown;
}

export type TerraformBlock = Record<string, unknown>;

/** A description of one change an override function made (what tests assert on). */
export interface Override {
  /** `provider.aws`, `provider.aws.<alias>`, `aws_eks_cluster.cluster`, `terraform.backend`, ... */
  readonly address: string;
  /** What was set or removed, e.g. `lifecycle.ignore_changes += access_config`. */
  readonly change: string;
}

export interface OverrideResult {
  /** A new document; the input is never mutated. */
  readonly json: TerraformJson;
  readonly overrides: readonly Override[];
}

export function cloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The `aws` provider configurations of a stack (one per alias), normalised to an array (mutable views into json). */
export function awsProviderConfigs(json: TerraformJson): TerraformBlock[] {
  const p = json.provider?.['aws'];
  if (p === undefined) return [];
  return Array.isArray(p) ? p : [p];
}

/**
 * Address used in override records, as Terraform names provider configurations: `provider.aws` for the default
 * one, `provider.aws.<alias>` for an aliased one (Terraform allows one default configuration per provider).
 */
export function providerAddress(config: TerraformBlock): string {
  const alias = config['alias'];
  return typeof alias === 'string' ? `provider.aws.${alias}` : 'provider.aws';
}

/** Resource types present in `resource`, and data source types present in `data`. */
export function resourceTypes(json: TerraformJson): string[] {
  return Object.keys(json.resource ?? {});
}

export function dataSourceTypes(json: TerraformJson): string[] {
  return Object.keys(json.data ?? {});
}
