import { ConfigError, formatIssue, loadConfigFile } from '../../constructs/config';
import { parseFlags, UsageError } from './args';

/** `vpctune validate --config FILE`: exit 0 if valid, 2 listing every error with its field path. */
export async function runValidate(args: readonly string[]): Promise<number> {
  try {
    const flags = parseFlags('validate', args, { config: 'string', today: 'string' });
    if (flags.config === undefined) throw new UsageError('validate: --config FILE is required');
    const config = loadConfigFile(flags.config, flags.today !== undefined ? { today: flags.today } : {});
    const pools = config.gpuPools.map((p) => `${p.name}=${p.sku.instanceType}`).join(', ');
    process.stdout.write(`${flags.config}: valid (${config.cloud} ${config.region}, Kubernetes ${config.kubernetes.version}, pools: ${pools})\n`);
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.source}: ${err.issues.length} error${err.issues.length === 1 ? '' : 's'}\n`);
      for (const issue of err.issues) process.stderr.write(`  ${formatIssue(issue)}\n`);
      return 2;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
