import * as fs from 'node:fs';
import type { ResolvedPlatformConfig } from '../../constructs/config';
import { evaluatePolicies, formatFindings } from '../../constructs/policy';
import { stackIdFor } from '../aws-platform-stack';
import type { CliIo } from './io';
import { ExitCode } from './usage-error';

/**
 * Runs the policy rules over each synthesized stack (`stackFiles[i]` is `configs[i]`'s cdk.tf.json), prints one
 * `<stack>: policy: …` block per stack, and returns 3 when any rule fired, else 0.
 */
export function runPolicyPass(configs: readonly ResolvedPlatformConfig[], stackFiles: readonly string[], io: CliIo): number {
  let findings = 0;
  configs.forEach((config, i) => {
    const found = evaluatePolicies(fs.readFileSync(stackFiles[i] as string, 'utf8'), { allowPublicEndpoint: config.kubernetes.publicEndpoint });
    findings += found.length;
    io.stdout.write(`${stackIdFor(config)}: ${formatFindings(found)}\n`);
  });
  return findings > 0 ? ExitCode.POLICY_FINDINGS : ExitCode.OK;
}
