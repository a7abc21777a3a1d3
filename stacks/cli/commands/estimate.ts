/** `vpctune estimate`: time and cost of a fine-tuning job per cloud and GPU. */
import { Command } from 'commander';
import { ALL_ACCELERATORS, ALL_CLOUDS } from '../../../constructs/catalog';
import type { EstimateFlags } from '../estimate-options';
import { collect, declareCommand, runsWith, type CommandContext } from '../program';

/* eslint-disable @typescript-eslint/no-require-imports -- the estimator loads only when estimate runs */

export function estimateCommand(context: CommandContext): Command {
  return declareCommand('estimate', 'time and cost of a fine-tuning job per cloud and GPU', 'vpctune estimate --model llama-3.1-8b --method lora --tokens 100000000 --epochs 1')
    .option('--model <id>', 'Hugging Face repo id or alias (llama-3.1-8b, qwen2.5-7b, ...)')
    .option('--model-config <file>', "any other model: its config.json")
    .option('--method <method>', 'lora | qlora | full')
    .option('--tokens <n>', 'tokens in one pass over the training data')
    .option('--training-file <file>', 'OpenAI chat JSONL; tokens are counted from it (labelled estimate)')
    .option('--epochs <e>', 'passes over the data', '1')
    .option('--cloud <cloud>', `only this cloud (${ALL_CLOUDS.join(', ')}); repeat or comma-separate (default: all)`, collect)
    .option('--gpu <gpu>', `only this GPU (${ALL_ACCELERATORS.join(', ')}); repeat or comma-separate (default: all)`, collect)
    .option('--context-length <l>', 'tokens per packed sequence (default: 2048)')
    .option('--micro-batch <b>', 'sequences per GPU per step (default: 1)')
    .option('--lora-rank <r>', 'LoRA/QLoRA rank (default: 16)')
    .option('--no-gradient-checkpointing', 'estimate without gradient checkpointing (default: with)')
    .option('--efficiency <gpu:method=value>', 'override the efficiency factor of GPU for method (0 < value <= 1); repeatable', collect)
    .option('--json', 'machine-readable output', false)
    .action(
      runsWith(context, async (command) => {
        const { runEstimate } = require('../estimate-command') as typeof import('../estimate-command');
        return runEstimate(command.opts<EstimateFlags>(), context.io);
      }),
    );
}
