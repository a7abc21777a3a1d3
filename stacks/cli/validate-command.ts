import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadConfigFile } from '../../constructs/config';
import type { CliIo } from './io';
import { ExitCode, UsageError } from './usage-error';

/* eslint-disable @typescript-eslint/no-require-imports -- cdktf and the provider bindings load only for --policy */

export interface ValidateOptions {
  readonly config: string;
  /** Evaluate date rules (Kubernetes support windows) as of this day, YYYY-MM-DD. @default today */
  readonly today?: string;
  /** Also synthesize the stack (in a temporary directory) and run the policy rules; findings exit 3. @default false */
  readonly policy: boolean;
}

/**
 * `vpctune validate --config FILE [--policy]`: exit 0 if valid, 2 listing every error with its field path, 3 on policy
 * findings. Without --policy it loads the config schema only: no cdktf, no provider bindings, no controller.
 */
export async function runValidate(options: ValidateOptions, io: CliIo): Promise<number> {
  const config = loadConfigFile(options.config, options.today !== undefined ? { today: options.today } : {});
  const pools = config.gpuPools.map((p) => `${p.name}=${p.sku.instanceType}`).join(', ');
  io.stdout.write(`${options.config}: valid (${config.cloud} ${config.region}, Kubernetes ${config.kubernetes.version}, pools: ${pools})\n`);
  if (!options.policy) return ExitCode.OK;
  const { appFor, synthesize, UnbuildableConfigError } = require('../build-app') as typeof import('../build-app');
  const { runPolicyPass } = require('./policy-pass') as typeof import('./policy-pass');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-validate-'));
  try {
    let stackFiles: string[];
    try {
      stackFiles = synthesize(appFor([config], out));
    } catch (err) {
      if (err instanceof UnbuildableConfigError) throw new UsageError(err.message);
      throw err;
    }
    return runPolicyPass([config], stackFiles, io);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}
