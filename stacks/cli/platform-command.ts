import { stringify } from 'yaml';
import { loadConfigFile } from '../../constructs/config';
import { ALL_SERVICE_ACCOUNTS, devicePluginObjects, kueueObjects, namespaceObjects, ServiceAccount } from '../../constructs/platform';
import { lastValue, scanArgv } from '../../constructs/support/argv-scanner';
import { runCliCommand, UsageError } from './args';

const USAGE = 'usage: vpctune platform render --config FILE [--role-arn SERVICE_ACCOUNT=ARN ...]';

/**
 * `vpctune platform render --config FILE`: the in-cluster objects the platform needs besides the Helm chart, as YAML
 * for `kubectl apply -f -` or a GitOps repo: the `vpctune` namespace, its service accounts (with their IRSA role ARNs
 * from the stack outputs when given), one Kueue ResourceFlavor per GPU pool, the ClusterQueue and the LocalQueue, and
 * the device plugin DaemonSets the GPU pools need (NVIDIA on AWS and Azure, EFA on AWS pools with `efa: true`).
 */
export function runPlatform(args: readonly string[]): Promise<number> {
  return runCliCommand(async () => {
    const [sub, ...rest] = args;
    if (sub !== 'render') throw new UsageError(`platform: unknown subcommand ${sub === undefined ? '(none)' : `'${sub}'`}; allowed: render\n${USAGE}`);
    const scanned = scanArgv(rest, { values: ['--config', '--role-arn'], positionals: false });
    const problem = scanned.problems[0];
    if (problem !== undefined) throw new UsageError(`platform render: unexpected ${problem.flag}\n${USAGE}`);
    const config = lastValue(scanned, '--config');
    const roles: Partial<Record<ServiceAccount, string>> = {};
    for (const value of scanned.values.get('--role-arn') ?? []) {
      const [sa, arn] = value.split('=', 2) as [string, string | undefined];
      if (!(ALL_SERVICE_ACCOUNTS as readonly string[]).includes(sa) || arn === undefined || !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(arn)) {
        throw new UsageError(`platform render: --role-arn ${value}: expected SERVICE_ACCOUNT=ROLE_ARN with SERVICE_ACCOUNT one of ${ALL_SERVICE_ACCOUNTS.join(', ')}`);
      }
      roles[sa as ServiceAccount] = arn;
    }
    if (config === undefined) throw new UsageError(`platform render: --config FILE is required\n${USAGE}`);
    const resolved = loadConfigFile(config);
    const objects = [...namespaceObjects(resolved, roles), ...kueueObjects(resolved), ...devicePluginObjects(resolved)];
    process.stdout.write(objects.map((o) => stringify(o)).join('---\n'));
    return 0;
  });
}
