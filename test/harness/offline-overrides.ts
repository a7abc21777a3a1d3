/**
 * Test-only provider settings that make a synthesized stack plannable without an AWS account or network.
 * Applied by the harness to a copy of `cdk.tf.json`; the stacks users deploy never see them.
 */
import { awsProviderConfigs, cloneJson, Override, OverrideResult, providerAddress, TerraformJson } from './stack-json';

/** Dummy static credentials: present so the provider does not look for a profile, never valid anywhere. */
export const DUMMY_ACCESS_KEY = 'AKIAVPCTUNETEST00000';
export const DUMMY_SECRET_KEY = 'vpctune-test-secret-key-not-a-real-credential';

/** Provider arguments that would make it read credentials or config from the machine; removed offline. */
export const CREDENTIAL_SOURCE_ARGUMENTS: readonly string[] = [
  'profile',
  'shared_config_files',
  'shared_credentials_files',
  'assume_role',
  'assume_role_with_web_identity',
  'token',
  'access_key',
  'secret_key',
];

export interface OfflineOverrideOptions {
  /** Region set on provider configs that name none. @default 'us-east-1' */
  readonly defaultRegion?: string;
  /** `skip_requesting_account_id`. Against an emulator whose STS answers, the account id can be looked up. @default true */
  readonly skipRequestingAccountId?: boolean;
  /** Local state file, relative to the working directory terraform runs in. @default 'terraform.tfstate' */
  readonly statePath?: string;
}

/**
 * Returns a copy of the stack with, on every `aws` provider configuration: dummy `access_key`/`secret_key`,
 * `skip_credentials_validation`, `skip_requesting_account_id`, `skip_metadata_api_check`, `skip_region_validation`
 * (profile/assume-role/shared-file arguments removed); and a local backend whose state stays in the working
 * directory instead of the configured one. cdktf's default local backend names an absolute path next to the
 * app (e.g. `<repo>/terraform.<stack>.tfstate`), which a test must never write to; a remote backend (S3,
 * `terraform.cloud`) would need credentials.
 *
 * Throws if the stack has no `aws` provider configuration.
 */
export function applyOfflineOverrides(stack: TerraformJson, options: OfflineOverrideOptions = {}): OverrideResult {
  const json = cloneJson(stack);
  const overrides: Override[] = [];
  const configs = awsProviderConfigs(json);
  if (configs.length === 0) throw new Error('applyOfflineOverrides: the stack configures no `aws` provider (provider.aws is missing)');

  for (const config of configs) {
    const address = providerAddress(config);
    for (const arg of CREDENTIAL_SOURCE_ARGUMENTS) {
      if (arg in config && arg !== 'access_key' && arg !== 'secret_key') {
        delete config[arg];
        overrides.push({ address, change: `removed ${arg}` });
      }
    }
    if (config['region'] === undefined) {
      config['region'] = options.defaultRegion ?? 'us-east-1';
      overrides.push({ address, change: `region = ${String(config['region'])}` });
    }
    const settings: Record<string, unknown> = {
      access_key: DUMMY_ACCESS_KEY,
      secret_key: DUMMY_SECRET_KEY,
      skip_credentials_validation: true,
      skip_requesting_account_id: options.skipRequestingAccountId ?? true,
      skip_metadata_api_check: true,
      skip_region_validation: true,
    };
    for (const [k, v] of Object.entries(settings)) {
      config[k] = v;
      overrides.push({ address, change: k.endsWith('_key') ? `${k} = <dummy>` : `${k} = ${String(v)}` });
    }
  }

  const terraform = (json.terraform ??= {});
  if (terraform.cloud !== undefined) {
    delete terraform.cloud;
    overrides.push({ address: 'terraform.cloud', change: 'removed' });
  }
  const before = terraform.backend === undefined ? 'none' : Object.keys(terraform.backend).join(',');
  const statePath = options.statePath ?? 'terraform.tfstate';
  terraform.backend = { local: { path: statePath } };
  overrides.push({ address: 'terraform.backend', change: `${before} -> local (path = ${statePath})` });

  return { json, overrides };
}
