import type { Cloud } from '../../constructs/catalog';
import { ALL_SERVICE_ACCOUNTS, cloudProfile, ServiceAccount } from '../../constructs/platform';
import { UsageError } from './usage-error';

/**
 * Parses `--identity SERVICE_ACCOUNT=VALUE` and `--role-arn SERVICE_ACCOUNT=ARN` flags against the cloud profile's
 * workload identity rule (IAM role ARN, Google service account email, managed identity client id); every problem
 * names the flag, the value and what is allowed.
 */
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
