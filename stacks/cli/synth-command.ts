import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, formatIssue, loadConfigFile } from '../../constructs/config';
import { evaluatePolicies, formatFindings } from '../../constructs/policy';
import { stackIdFor } from '../aws-platform-stack';
import { UnbuildableConfigError } from '../build-app';
import { buildApp } from '../build-app';
import { parseFlags, UsageError } from './args';

/**
 * `vpctune synth --config FILE [--config FILE2] [--out DIR] [--skip-policy]`: writes `DIR/stacks/<stack>/cdk.tf.json`,
 * then runs the policy rules over each stack; exit 3 when a rule fires.
 */
export async function runSynth(args: readonly string[]): Promise<number> {
  try {
    const configs: string[] = [];
    const rest: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '--config') configs.push(args[++i] ?? '');
      else rest.push(args[i] as string);
    }
    const flags = parseFlags('synth', rest, { out: 'string', today: 'string', 'skip-policy': 'boolean' });
    if (configs.length === 0 || configs.some((c) => c === '')) throw new UsageError('synth: --config FILE is required (repeat it for several platforms)');
    const out = path.resolve(flags.out ?? 'cdktf.out');
    const started = Date.now();
    const ruleOptions = flags.today !== undefined ? { today: flags.today } : {};
    const app = buildApp(configs, out, ruleOptions);
    app.synth();
    const stacks = app.node.children.map((c) => c.node.id);
    for (const s of stacks) process.stdout.write(`${path.join(out, 'stacks', s, 'cdk.tf.json')}\n`);
    process.stdout.write(`synthesized ${stacks.length} stack${stacks.length === 1 ? '' : 's'} in ${Date.now() - started} ms\n`);
    if (flags['skip-policy'] === true) return 0;
    let findings = 0;
    for (const file of configs) {
      const config = loadConfigFile(file, ruleOptions);
      const stackFile = path.join(out, 'stacks', stackIdFor(config), 'cdk.tf.json');
      const found = evaluatePolicies(fs.readFileSync(stackFile, 'utf8'), { allowPublicEndpoint: config.kubernetes.publicEndpoint });
      findings += found.length;
      process.stdout.write(`${stackIdFor(config)}: ${formatFindings(found)}\n`);
    }
    return findings > 0 ? 3 : 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.source}: ${err.issues.length} error${err.issues.length === 1 ? '' : 's'}\n`);
      for (const issue of err.issues) process.stderr.write(`  ${formatIssue(issue)}\n`);
      return 2;
    }
    if (err instanceof UsageError || err instanceof UnbuildableConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
