import { loadConfigFile } from '../../constructs/config';
import { parseFlags, runCliCommand, UsageError } from './args';

/** `vpctune validate --config FILE`: exit 0 if valid, 2 listing every error with its field path. */
export function runValidate(args: readonly string[]): Promise<number> {
  return runCliCommand(async () => {
    const flags = parseFlags('validate', args, { config: 'string', today: 'string' });
    if (flags.config === undefined) throw new UsageError('validate: --config FILE is required');
    const config = loadConfigFile(flags.config, flags.today !== undefined ? { today: flags.today } : {});
    const pools = config.gpuPools.map((p) => `${p.name}=${p.sku.instanceType}`).join(', ');
    process.stdout.write(`${flags.config}: valid (${config.cloud} ${config.region}, Kubernetes ${config.kubernetes.version}, pools: ${pools})\n`);
    return 0;
  });
}
