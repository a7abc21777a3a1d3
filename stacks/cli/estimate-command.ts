/**
 * `vpctune estimate …`: check the flags, resolve the model and the token count, estimate, print the table or JSON.
 * Exit codes: 0 answered, 2 bad input (the message names the flag, the value and what is allowed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ALL_CLOUDS, describeOffer, gpuCountsSold, notSoldReason } from '../../constructs/catalog';
import { defaultSkus, estimateJob, EstimateInputError } from '../../constructs/estimate/estimate';
import { findModel, knownModelAliases, ModelConfigError, modelFromConfig } from '../../constructs/estimate/model-catalog';
import { loadModelDirTokenizer } from '../../constructs/estimate/model-dir-tokenizer';
import { renderJson } from '../../constructs/estimate/render-json';
import { renderTable } from '../../constructs/estimate/render-table';
import { countChatTokens, TokenCount, TrainingFileError } from '../../constructs/estimate/token-count';
import type { ModelSpec } from '../../constructs/estimate/types';
import { checkEstimateFlags, EstimateArgs, EstimateFlags } from './estimate-options';
import type { CliIo } from './io';
import { ExitCode, UsageError } from './usage-error';

export async function runEstimate(flags: EstimateFlags, io: CliIo): Promise<number> {
  const args = checkEstimateFlags(flags);
  try {
    const model = resolveModel(args);
    const tokenCount = args.trainingFile !== undefined ? countFile(args.trainingFile, args.modelConfig) : undefined;
    const datasetTokens = tokenCount?.tokens ?? args.tokens ?? 0;
    const skus = defaultSkus(args.clouds ?? ALL_CLOUDS, args.gpus);
    if (skus.length === 0) throw new UsageError(noShapeMessage(args));
    const estimate = estimateJob({
      model,
      datasetTokens,
      epochs: args.epochs,
      setup: {
        method: args.method,
        gradientCheckpointing: args.gradientCheckpointing,
        ...(args.contextLength !== undefined ? { contextLength: args.contextLength } : {}),
        ...(args.microBatchSize !== undefined ? { microBatchSize: args.microBatchSize } : {}),
        ...(args.loraRank !== undefined ? { lora: { rank: args.loraRank } } : {}),
      },
      skus,
      efficiencyOverrides: args.efficiency,
    });
    const context = tokenCount !== undefined && args.trainingFile !== undefined ? { tokenCount, trainingFile: args.trainingFile } : {};
    io.stdout.write(args.json ? renderJson(estimate, tokenCount) : renderTable(estimate, context));
    return ExitCode.OK;
  } catch (err) {
    if (err instanceof TrainingFileError || err instanceof EstimateInputError) throw new UsageError(err.message);
    throw err;
  }
}

function resolveModel(args: EstimateArgs): ModelSpec {
  if (args.model !== undefined) {
    const m = findModel(args.model);
    if (m === undefined) {
      throw new UsageError(`--model '${args.model}' is not a known model; allowed: a Hugging Face id or alias (${knownModelAliases().join(', ')}), or --model-config path/to/config.json`);
    }
    return m;
  }
  const file = args.modelConfig ?? '';
  const config = readJson(file, '--model-config');
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new UsageError(`--model-config '${file}' is not a JSON object`);
  const abs = path.resolve(file);
  try {
    return modelFromConfig(config as Record<string, unknown>, path.basename(path.dirname(abs)), pathToFileURL(abs).href);
  } catch (e) {
    if (e instanceof ModelConfigError) throw new UsageError(`--model-config '${file}': ${e.message}`);
    throw e;
  }
}

function countFile(file: string, modelConfig: string | undefined): TokenCount {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--training-file '${file}' cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const local = modelConfig === undefined ? undefined : loadModelDirTokenizer(path.dirname(modelConfig));
  const count = countChatTokens(text, file, local?.tokenizer);
  return local?.note === undefined ? count : { ...count, rule: `${count.rule}; ${local.note}` };
}

function readJson(file: string, flag: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${flag} '${file}' cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${flag} '${file}' is not valid JSON`);
  }
}

/** Why --cloud/--gpu select nothing: each cloud's not-sold statement, or what it does offer. */
function noShapeMessage(args: EstimateArgs): string {
  const clouds = args.clouds ?? ALL_CLOUDS;
  const reasons = clouds.map((c) => {
    const missing = (args.gpus ?? []).filter((g) => gpuCountsSold(c, g).length === 0);
    const why = missing.map((g) => notSoldReason(c, g)?.reason ?? `${c} does not offer the ${g}`);
    return `${why.join('; ')} (${c} offers ${describeOffer(c)})`;
  });
  return `--gpu ${(args.gpus ?? []).join(',')} with --cloud ${clouds.join(',')} selects no GPU shape: ${reasons.join('; ')}`;
}
