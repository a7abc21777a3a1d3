import { stringify } from 'yaml';
import { loadConfigFile } from '../../constructs/config';
import { ALL_SERVICE_ACCOUNTS, cloudProfile, devicePluginObjects, kueueObjects, namespaceObjects, ServiceAccount } from '../../constructs/platform';
import type { Cloud } from '../../constructs/catalog';
import type { CliIo } from './io';
import { ExitCode, UsageError } from './usage-error';

export interface PlatformRenderOptions {
  readonly config: string;
  /** `SERVICE_ACCOUNT=VALUE` workload identities (IAM role ARN, Google service account email, managed identity client id). @default none */
  readonly identities: readonly string[];
  /** `SERVICE_ACCOUNT=ROLE_ARN`: the AWS spelling of `identities` (an IAM role ARN matches no other cloud's rule). @default none */
  readonly roleArns: readonly string[];
}

/** Parses `SERVICE_ACCOUNT=VALUE` flags against the cloud profile's workload identity rule; every problem names the flag and value. */
export function parseIdentities(cloud: Cloud, identities: readonly string[], roleArns: readonly string[]): Partial<Record<ServiceAccount, string>> {
  const binding = cloudProfile(cloud).workloadIdentity;
  const out: Partial<Record<ServiceAccount, string>> = {};
  const given = [...identities.map((v) => ['--identity', v] as const), ...roleArns.map((v) => ['--role-arn', v] as const)];
  for (const [flag, text] of given) {
    const eq = text.indexOf('=');
    const account = eq === -1 ? text : text.slice(0, eq);
    const value = eq === -1 ? '' : text.slice(eq + 1);
    if (!(ALL_SERVICE_ACCOUNTS as readonly string[]).includes(account)) {
      throw new UsageError(`${flag} ${text}: expected SERVICE_ACCOUNT=VALUE with SERVICE_ACCOUNT one of ${ALL_SERVICE_ACCOUNTS.join(', ')}`);
    }
    if (!binding.valuePattern.test(value)) throw new UsageError(`${flag} ${text}: ${JSON.stringify(value)} is not ${binding.valueAllowed} (the ${binding.annotationKey} annotation on ${cloud})`);
    if (out[account as ServiceAccount] !== undefined) throw new UsageError(`${flag} ${text}: ${account} is given twice; give each service account once`);
    out[account as ServiceAccount] = value;
  }
  return out;
}

/**
 * `vpctune platform render --config FILE [--identity SERVICE_ACCOUNT=VALUE ...]`: the in-cluster objects the platform
 * needs besides the Helm chart, as YAML for `kubectl apply -f -` or a GitOps repo: the `vpctune` namespace, its service
 * accounts (annotated with their cloud identities, the key from the cloud profile), one Kueue ResourceFlavor per GPU
 * pool, the ClusterQueue and the LocalQueue, and the device plugin DaemonSets the GPU pools need.
 */
export async function runPlatformRender(options: PlatformRenderOptions, io: CliIo): Promise<number> {
  const config = loadConfigFile(options.config);
  const identities = parseIdentities(config.cloud, options.identities, options.roleArns);
  const objects = [...namespaceObjects(config, identities), ...kueueObjects(config), ...devicePluginObjects(config)];
  io.stdout.write(objects.map((o) => stringify(o)).join('---\n'));
  return ExitCode.OK;
}
