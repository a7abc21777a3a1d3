/**
 * `vpctune estimate` arguments → a validated request. Every error names the flag, the value and what is allowed,
 * and all errors are collected, not just the first.
 */
import { Accelerator, ALL_ACCELERATORS, ALL_CLOUDS, Cloud } from '../catalog';
import { scanArgv } from '../support/argv-scanner';
import { ALL_METHODS, EfficiencyOverrides, FineTuneMethod } from './types';

export interface EstimateArgs {
  readonly model?: string;
  readonly modelConfig?: string;
  readonly method: FineTuneMethod;
  readonly tokens?: number;
  readonly trainingFile?: string;
  readonly epochs: number;
  readonly clouds?: readonly Cloud[];
  readonly gpus?: readonly Accelerator[];
  readonly contextLength?: number;
  readonly microBatchSize?: number;
  readonly loraRank?: number;
  readonly gradientCheckpointing: boolean;
  readonly efficiency: EfficiencyOverrides;
  readonly json: boolean;
  readonly help: boolean;
}

export const ESTIMATE_USAGE = `usage: vpctune estimate (--model ID | --model-config FILE) --method lora|qlora|full
                        (--tokens N | --training-file FILE) [--epochs E] [--cloud aws|gcp|azure]
                        [--gpu ${ALL_ACCELERATORS.join('|')}] [--context-length L] [--micro-batch B]
                        [--lora-rank R] [--no-gradient-checkpointing] [--efficiency GPU:METHOD=VALUE] [--json]

  --model ID              Hugging Face repo id or alias (llama-3.1-8b, qwen2.5-7b, ...)
  --model-config FILE     any other model: its config.json
  --method                lora | qlora | full
  --tokens N              tokens in one pass over the training data
  --training-file FILE    OpenAI chat JSONL; tokens are counted from it (labelled estimate)
  --epochs E              passes over the data (default 1)
  --cloud C               only this cloud; repeat or comma-separate (default: all)
  --gpu G                 only this GPU; repeat or comma-separate (default: all)
  --context-length L      tokens per packed sequence (default 2048)
  --micro-batch B         sequences per GPU per step (default 1)
  --lora-rank R           LoRA/QLoRA rank (default 16)
  --efficiency G:M=V      override the efficiency factor of GPU G for method M (0 < V <= 1)
  --json                  machine-readable output
`;

const VALUE_FLAGS = ['--model', '--model-config', '--method', '--tokens', '--training-file', '--epochs', '--cloud', '--gpu', '--context-length', '--micro-batch', '--lora-rank', '--efficiency'] as const;
const BOOLEAN_FLAGS = ['--json', '--no-gradient-checkpointing', '--help', '-h'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

/** Problems with the arguments, each a full sentence naming the flag. */
export class EstimateArgsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

export function parseEstimateArgs(argv: readonly string[]): EstimateArgs {
  const scanned = scanArgv(argv, { values: VALUE_FLAGS, switches: BOOLEAN_FLAGS, positionals: false });
  const values = scanned.values as ReadonlyMap<ValueFlag, readonly string[]>;
  const flags = scanned.switches;
  const problems: string[] = scanned.problems.map((p) =>
    p.kind === 'unknown' ? `unknown option '${p.arg}'; allowed: ${[...VALUE_FLAGS, ...BOOLEAN_FLAGS.slice(0, 2)].join(', ')}` : `${p.flag} needs a value`,
  );
  const help = flags.has('--help') || flags.has('-h');
  const one = (flag: ValueFlag): string | undefined => {
    const v = values.get(flag);
    if (v !== undefined && v.length > 1) problems.push(`${flag} is given ${v.length} times; give it once`);
    return v?.[v.length - 1];
  };
  const list = (flag: ValueFlag): string[] | undefined =>
    values.get(flag)?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');

  const model = one('--model');
  const modelConfig = one('--model-config');
  if (!help && (model === undefined) === (modelConfig === undefined)) problems.push('give exactly one of --model ID or --model-config FILE');

  const methodText = one('--method');
  let method = FineTuneMethod.LORA;
  if (methodText === undefined) {
    if (!help) problems.push(`--method is required; allowed: ${ALL_METHODS.join(', ')}`);
  } else if ((ALL_METHODS as readonly string[]).includes(methodText.toLowerCase())) {
    method = methodText.toLowerCase() as FineTuneMethod;
  } else {
    problems.push(`--method '${methodText}' is not a method; allowed: ${ALL_METHODS.join(', ')}`);
  }

  const tokensText = one('--tokens');
  const trainingFile = one('--training-file');
  if (!help && (tokensText === undefined) === (trainingFile === undefined)) problems.push('give exactly one of --tokens N or --training-file FILE');
  const tokens = tokensText === undefined ? undefined : positiveInteger('--tokens', tokensText, problems);

  const epochsText = one('--epochs');
  let epochs = 1;
  if (epochsText !== undefined) {
    const e = Number(epochsText);
    if (epochsText.trim() === '' || !Number.isFinite(e) || e <= 0) problems.push(`--epochs '${epochsText}' is not a positive number`);
    else epochs = e;
  }

  const clouds = list('--cloud')?.map((c) => {
    const cloud = ALL_CLOUDS.find((x) => x === c.toLowerCase());
    if (cloud === undefined) problems.push(`--cloud '${c}' is not a cloud; allowed: ${ALL_CLOUDS.join(', ')}`);
    return cloud;
  });
  const gpus = list('--gpu')?.map((g) => accelerator('--gpu', g, problems));

  const efficiency: Partial<Record<Accelerator, Partial<Record<FineTuneMethod, number>>>> = {};
  for (const spec of list('--efficiency') ?? []) {
    const m = /^([^:=]+):([^=]+)=(.+)$/.exec(spec);
    if (m === null) {
      problems.push(`--efficiency '${spec}' is not GPU:METHOD=VALUE (e.g. A100-80GB:lora=0.5)`);
      continue;
    }
    const acc = accelerator('--efficiency', m[1] ?? '', problems);
    const meth = ALL_METHODS.find((x) => x === (m[2] ?? '').toLowerCase());
    if (meth === undefined) problems.push(`--efficiency '${spec}': '${m[2]}' is not a method; allowed: ${ALL_METHODS.join(', ')}`);
    const value = Number(m[3]);
    if (!Number.isFinite(value) || value <= 0 || value > 1) problems.push(`--efficiency '${spec}': ${m[3]} is not a fraction of peak in (0, 1]`);
    else if (acc !== undefined && meth !== undefined) efficiency[acc] = { ...efficiency[acc], [meth]: value };
  }

  const contextText = one('--context-length');
  const microText = one('--micro-batch');
  const rankText = one('--lora-rank');
  const contextLength = contextText === undefined ? undefined : positiveInteger('--context-length', contextText, problems);
  const microBatchSize = microText === undefined ? undefined : positiveInteger('--micro-batch', microText, problems);
  const loraRank = rankText === undefined ? undefined : positiveInteger('--lora-rank', rankText, problems);

  if (problems.length > 0 && !help) throw new EstimateArgsError(problems);
  return {
    ...(model !== undefined ? { model } : {}),
    ...(modelConfig !== undefined ? { modelConfig } : {}),
    method,
    ...(tokens !== undefined ? { tokens } : {}),
    ...(trainingFile !== undefined ? { trainingFile } : {}),
    epochs,
    ...(clouds !== undefined ? { clouds: clouds.filter((c): c is Cloud => c !== undefined) } : {}),
    ...(gpus !== undefined ? { gpus: gpus.filter((g): g is Accelerator => g !== undefined) } : {}),
    ...(contextLength !== undefined ? { contextLength } : {}),
    ...(microBatchSize !== undefined ? { microBatchSize } : {}),
    ...(loraRank !== undefined ? { loraRank } : {}),
    gradientCheckpointing: !flags.has('--no-gradient-checkpointing'),
    efficiency,
    json: flags.has('--json'),
    help,
  };
}

function positiveInteger(flag: string, text: string, problems: string[]): number | undefined {
  const cleaned = text.replace(/_/g, '');
  const n = /^\d+(\.\d+)?(e\d+)?$/i.test(cleaned) ? Number(cleaned) : NaN;
  if (!Number.isInteger(n) || n <= 0 || !Number.isSafeInteger(n)) {
    problems.push(`${flag} '${text}' is not a positive integer`);
    return undefined;
  }
  return n;
}

function accelerator(flag: string, text: string, problems: string[]): Accelerator | undefined {
  const a = ALL_ACCELERATORS.find((x) => x.toLowerCase() === text.toLowerCase());
  if (a === undefined) problems.push(`${flag} '${text}' is not a catalog GPU; allowed: ${ALL_ACCELERATORS.join(', ')}`);
  return a;
}
