import * as fs from 'node:fs';
import * as path from 'node:path';
import { evaluatePolicies, formatFindings } from '../../constructs/policy';
import { stackIdFor } from '../aws-platform-stack';
import { appFor, loadConfigs, UnbuildableConfigError } from '../build-app';
import { parseFlags, runCliCommand, UsageError } from './args';

/**
 * `vpctune synth --config FILE [--config FILE2] [--out DIR] [--skip-policy]`: writes `DIR/stacks/<stack>/cdk.tf.json`,
 * then runs the policy rules over each stack; exit 3 when a rule fires.
 */
export function runSynth(args: readonly string[]): Promise<number> {
  return runCliCommand(async () => {
    const files: string[] = [];
    const rest: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '--config') files.push(args[++i] ?? '');
      else rest.push(args[i] as string);
    }
    const flags = parseFlags('synth', rest, { out: 'string', today: 'string', 'skip-policy': 'boolean' });
    if (files.length === 0 || files.some((c) => c === '')) throw new UsageError('synth: --config FILE is required (repeat it for several platforms)');
    const out = path.resolve(flags.out ?? 'cdktf.out');
    const started = Date.now();
    const configs = loadConfigs(files, flags.today !== undefined ? { today: flags.today } : {});
    let app;
    try {
      app = appFor(configs, out);
    } catch (err) {
      if (err instanceof UnbuildableConfigError) throw new UsageError(err.message);
      throw err;
    }
    app.synth();
    const stackFiles = configs.map((c) => path.join(out, 'stacks', stackIdFor(c), 'cdk.tf.json'));
    for (const f of stackFiles) process.stdout.write(`${f}\n`);
    process.stdout.write(`synthesized ${configs.length} stack${configs.length === 1 ? '' : 's'} in ${Date.now() - started} ms\n`);
    if (flags['skip-policy'] === true) return 0;
    let findings = 0;
    configs.forEach((config, i) => {
      const found = evaluatePolicies(fs.readFileSync(stackFiles[i] as string, 'utf8'), { allowPublicEndpoint: config.kubernetes.publicEndpoint });
      findings += found.length;
      process.stdout.write(`${stackIdFor(config)}: ${formatFindings(found)}\n`);
    });
    return findings > 0 ? 3 : 0;
  });
}
