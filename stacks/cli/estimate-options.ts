/**
 * `vpctune estimate` flags (as the parser gives them, strings) → a validated request. Every error names the flag, the
 * value and what is allowed, and all errors are collected, not just the first.
 */
import { Accelerator, ALL_ACCELERATORS, ALL_CLOUDS, Cloud } from '../../constructs/catalog';
import { ALL_METHODS, EfficiencyOverrides, FineTuneMethod } from '../../constructs/estimate/types';
import { UsageError } from './usage-error';

/** The flags as parsed: values are strings, repeatable ones arrays. */
export interface EstimateFlags {
  readonly model?: string;
  readonly modelConfig?: string;
  readonly method?: string;
  readonly tokens?: string;
  readonly trainingFile?: string;
  readonly epochs?: string;
  readonly cloud?: readonly string[];
  readonly gpu?: readonly string[];
  readonly contextLength?: string;
  readonly microBatch?: string;
  readonly loraRank?: string;
  readonly efficiency?: readonly string[];
  readonly gradientCheckpointing: boolean;
  readonly json: boolean;
}

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
}

/** Checks every flag; all problems at once as one UsageError, one line each. */
export function checkEstimateFlags(flags: EstimateFlags): EstimateArgs {
  const problems: string[] = [];
  const list = (values: readonly string[] | undefined): string[] | undefined => values?.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');

  const { model, modelConfig, trainingFile } = flags;
  if ((model === undefined) === (modelConfig === undefined)) problems.push('give exactly one of --model ID or --model-config FILE');

  const methodText = flags.method;
  let method = FineTuneMethod.LORA;
  if (methodText === undefined) {
    problems.push(`--method is required; allowed: ${ALL_METHODS.join(', ')}`);
  } else if ((ALL_METHODS as readonly string[]).includes(methodText.toLowerCase())) {
    method = methodText.toLowerCase() as FineTuneMethod;
  } else {
    problems.push(`--method '${methodText}' is not a method; allowed: ${ALL_METHODS.join(', ')}`);
  }

  const tokensText = flags.tokens;
  if ((tokensText === undefined) === (trainingFile === undefined)) problems.push('give exactly one of --tokens N or --training-file FILE');
  const tokens = tokensText === undefined ? undefined : positiveInteger('--tokens', tokensText, problems);

  const epochsText = flags.epochs;
  let epochs = 1;
  if (epochsText !== undefined) {
    const e = Number(epochsText);
    if (epochsText.trim() === '' || !Number.isFinite(e) || e <= 0) problems.push(`--epochs '${epochsText}' is not a positive number`);
    else epochs = e;
  }

  const clouds = list(flags.cloud)?.map((c) => {
    const cloud = ALL_CLOUDS.find((x) => x === c.toLowerCase());
    if (cloud === undefined) problems.push(`--cloud '${c}' is not a cloud; allowed: ${ALL_CLOUDS.join(', ')}`);
    return cloud;
  });
  const gpus = list(flags.gpu)?.map((g) => accelerator('--gpu', g, problems));

  const efficiency: Partial<Record<Accelerator, Partial<Record<FineTuneMethod, number>>>> = {};
  for (const spec of list(flags.efficiency) ?? []) {
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

  const contextLength = flags.contextLength === undefined ? undefined : positiveInteger('--context-length', flags.contextLength, problems);
  const microBatchSize = flags.microBatch === undefined ? undefined : positiveInteger('--micro-batch', flags.microBatch, problems);
  const loraRank = flags.loraRank === undefined ? undefined : positiveInteger('--lora-rank', flags.loraRank, problems);

  if (problems.length > 0) throw new UsageError(problems.join('\n'));
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
    gradientCheckpointing: flags.gradientCheckpointing,
    efficiency,
    json: flags.json,
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
