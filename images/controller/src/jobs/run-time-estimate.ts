/**
 * How long a queued job's run will take, by the estimator's models (constructs/estimate) on the hardware the executor
 * would give it: the basis of a queued job's `estimated_finish` (issue 5). The trainer's own ETA replaces it once the
 * run reports progress.
 */
import { hyperparametersOf, type Method } from '../domain/job';
import type { Executor, RunRequest } from '../executor/executor';

/** What validation learned about the training file. */
export interface TrainingDataSize {
  /** Examples (non-blank lines). */
  readonly examples: number;
  /** Tokens by the estimator's no-tokenizer rule; undefined when not counted (DPO files). */
  readonly estimatedTokens: number | undefined;
}

/**
 * The trainer's `"auto"` epoch rule (images/trainer/src/vpctune_trainer/spec.py `auto_n_epochs`): 3 epochs; more for
 * small files so that about 100 examples are seen (at most 25), fewer for large files so that at most 25,000 are
 * seen (at least 1).
 */
export function autoEpochs(examples: number): number {
  let n = 3;
  if (n * examples < 100) n = Math.min(25, Math.ceil(100 / examples));
  else if (n * examples > 25_000) n = Math.max(1, Math.floor(25_000 / examples));
  return n;
}

/** Epochs the trainer will run: the request's number, or the `"auto"` rule on the file's size. */
export function epochsFor(method: Method, examples: number): number {
  const n = hyperparametersOf(method).n_epochs;
  return typeof n === 'number' ? n : autoEpochs(examples);
}

/**
 * Whole seconds the run is expected to take, or null when there is no estimate: a DPO job (the throughput model
 * covers supervised fine-tuning only), an executor that cannot say what hardware the run gets (the local executor
 * runs on CPU, which the estimator has no figures for), or a model or placement the estimator does not know.
 */
export async function estimateRunSeconds(executor: Executor, request: RunRequest, data: TrainingDataSize): Promise<number | null> {
  if (request.spec.method.type !== 'supervised' || data.estimatedTokens === undefined || data.estimatedTokens <= 0) return null;
  if (executor.estimateRunSeconds === undefined) return null;
  const trainedTokens = data.estimatedTokens * epochsFor(request.spec.method, data.examples);
  const seconds = await executor.estimateRunSeconds(request, trainedTokens);
  return seconds === undefined || !Number.isFinite(seconds) || seconds <= 0 ? null : Math.ceil(seconds);
}
