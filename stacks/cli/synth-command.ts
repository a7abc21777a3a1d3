import * as path from 'node:path';
import { stackIdFor } from '../aws-platform-stack';
import { appFor, loadConfigs, synthesize, UnbuildableConfigError, writtenConfigs } from '../build-app';
import { inClusterStackId } from '../in-cluster-stack';
import type { CliIo } from './io';
import { runPolicyPass } from './policy-pass';
import { ExitCode, UsageError } from './usage-error';

export interface SynthOptions {
  /** One platform config per stack. */
  readonly configs: readonly string[];
  /** The cdktf output directory. @default cdktf.out */
  readonly out: string;
  /** Evaluate date rules as of this day, YYYY-MM-DD. @default today */
  readonly today?: string;
  /** Skip the policy rules. @default false */
  readonly skipPolicy: boolean;
}

/**
 * `vpctune synth --config FILE [--config FILE2] [--out DIR] [--skip-policy]`: writes the cdktf layout
 * (`DIR/manifest.json`, `DIR/stacks/<stack>/cdk.tf.json` and `metadata.json`) with a platform stack and its in-cluster
 * stack per config, then runs the policy rules over each platform stack; exit 3 when a rule fires. A config that cannot be built writes nothing.
 */
export async function runSynth(options: SynthOptions, io: CliIo): Promise<number> {
  if (options.configs.length === 0) throw new UsageError('--config FILE is required (repeat it for several platforms)');
  const out = path.resolve(options.out);
  const started = Date.now();
  const configs = loadConfigs(options.configs, options.today !== undefined ? { today: options.today } : {});
  try {
    synthesize(appFor(configs, out, writtenConfigs(options.configs)));
  } catch (err) {
    if (err instanceof UnbuildableConfigError) throw new UsageError(err.message);
    throw err;
  }
  const stackFiles = configs.map((c) => path.join(out, 'stacks', stackIdFor(c), 'cdk.tf.json'));
  for (const f of stackFiles) io.stdout.write(`${f}\n`);
  io.stdout.write(`synthesized ${configs.length} stack${configs.length === 1 ? '' : 's'} in ${Date.now() - started} ms\n`);
  const inCluster = configs.map((c) => path.join(out, 'stacks', inClusterStackId(stackIdFor(c)), 'cdk.tf.json'));
  io.stdout.write(`in-cluster stacks (apply after their platform stack): ${inCluster.join(' ')}\n`);
  if (options.skipPolicy) return ExitCode.OK;
  return runPolicyPass(configs, stackFiles, io);
}
