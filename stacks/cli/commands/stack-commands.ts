/** `validate` and `synth`: the platform config and its Terraform (the in-cluster layer: commands/platform.ts). */
import { Command, Option } from 'commander';
import { collect, declareCommand, runsWith, type CommandContext } from '../program';
import { UsageError } from '../usage-error';

/* eslint-disable @typescript-eslint/no-require-imports -- each command's implementation loads only when it runs */

const todayOption = () => new Option('--today <YYYY-MM-DD>', 'evaluate date rules (Kubernetes support windows) as of this day (default: today)');

export function validateCommand(context: CommandContext): Command {
  return declareCommand('validate', 'check a platform config; exit 2 listing every error (3 with --policy when a policy rule fires)', 'vpctune validate --config stacks/examples/aws-all-gpus.yaml')
    .option('--config <file>', 'the platform config (YAML)')
    .addOption(todayOption())
    .option('--policy', 'also synthesize the stack (in a temporary directory) and run the policy rules', false)
    .action(
      runsWith(context, async (command) => {
        const o = command.opts<{ config?: string; today?: string; policy: boolean }>();
        if (o.config === undefined) throw new UsageError('--config FILE is required');
        const { runValidate } = require('../validate-command') as typeof import('../validate-command');
        return runValidate({ config: o.config, ...(o.today !== undefined ? { today: o.today } : {}), policy: o.policy }, context.io);
      }),
    );
}

export function synthCommand(context: CommandContext): Command {
  return declareCommand('synth', 'synthesize Terraform (cdktf layout) for platform configs, then run the policy rules (exit 3 on findings)', 'vpctune synth --config stacks/examples/aws-all-gpus.yaml --out cdktf.out')
    .option('--config <file>', 'a platform config; repeat it for several platforms', collect)
    .option('--out <dir>', 'the cdktf output directory', 'cdktf.out')
    .addOption(todayOption())
    .option('--skip-policy', 'do not run the policy rules', false)
    .action(
      runsWith(context, async (command) => {
        const o = command.opts<{ config?: string[]; out: string; today?: string; skipPolicy: boolean }>();
        const { runSynth } = require('../synth-command') as typeof import('../synth-command');
        return runSynth({ configs: o.config ?? [], out: o.out, ...(o.today !== undefined ? { today: o.today } : {}), skipPolicy: o.skipPolicy }, context.io);
      }),
    );
}
