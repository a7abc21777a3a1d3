import * as path from 'node:path';
import { ConfigError, formatIssue } from '../../constructs/config';
import { buildApp } from '../build-app';
import { parseFlags, UsageError } from './args';

/** `vpctune synth --config FILE [--config FILE2] [--out DIR]`: writes `DIR/stacks/<stack>/cdk.tf.json`. */
export async function runSynth(args: readonly string[]): Promise<number> {
  try {
    const configs: string[] = [];
    const rest: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '--config') configs.push(args[++i] ?? '');
      else rest.push(args[i] as string);
    }
    const flags = parseFlags('synth', rest, { out: 'string', today: 'string' });
    if (configs.length === 0 || configs.some((c) => c === '')) throw new UsageError('synth: --config FILE is required (repeat it for several platforms)');
    const out = path.resolve(flags.out ?? 'cdktf.out');
    const started = Date.now();
    const app = buildApp(configs, out, flags.today !== undefined ? { today: flags.today } : {});
    app.synth();
    const stacks = app.node.children.map((c) => c.node.id);
    for (const s of stacks) process.stdout.write(`${path.join(out, 'stacks', s, 'cdk.tf.json')}\n`);
    process.stdout.write(`synthesized ${stacks.length} stack${stacks.length === 1 ? '' : 's'} in ${Date.now() - started} ms\n`);
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
