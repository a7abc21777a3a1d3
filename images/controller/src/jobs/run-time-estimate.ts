/**
 * How long a queued job's run will take, by the estimator's models (constructs/estimate) on the hardware the executor
 * places it on: the basis of a queued job's `estimated_finish`. The trainer's own ETA replaces it once the
 * run reports progress.
 */
import { hyperparametersOf, type Method } from '../domain/job';

/** What validation learned about the training file. */
export interface TrainingDataSize {
  /** Valid examples. */
  readonly examples: number;
  /** Tokens by the estimator's no-tokenizer rule; undefined when not counted (DPO files). */
  readonly estimatedTokens?: number | undefined;
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
 * Tokens the run will train on: the validator's count times the epochs the trainer will run; undefined when there is
 * nothing to estimate from (a DPO job: the throughput model covers supervised fine-tuning only; no tokens counted).
 */
export function trainedTokensFor(method: Method, data: TrainingDataSize): number | undefined {
  if (method.type !== 'supervised' || data.estimatedTokens === undefined || data.estimatedTokens <= 0) return undefined;
  return data.estimatedTokens * epochsFor(method, data.examples);
}

/** An executor's estimate as whole seconds (rounded up), or null when there is none or it is not a positive number. */
export function wholeRunSeconds(seconds: number | undefined): number | null {
  return seconds === undefined || !Number.isFinite(seconds) || seconds <= 0 ? null : Math.ceil(seconds);
}
