/**
 * The trainer's contract (images/trainer/README.md): the spec it reads, the JSON-lines events it writes to stdout and
 * `output_dir/events.jsonl`, its exit codes and its manifest.
 */
import type { AdapterChoice, AdapterType, Method } from '../domain/job';

export interface TrainerSpec {
  readonly base_model: string;
  readonly training_file: string;
  readonly validation_file?: string;
  readonly method: Method;
  readonly adapter: AdapterChoice;
  readonly context_length?: number;
  readonly seed: number;
  readonly output_dir: string;
}

export const TRAINER_EXIT = { finished: 0, invalid: 2, stopped: 75 } as const;

/**
 * What an adapter type needs from the hardware beyond what every type needs (the trainer fails with `cuda_required`
 * without it): QLoRA loads the base model in 4 bits with bitsandbytes, which runs on CUDA only.
 */
export const ADAPTER_REQUIREMENTS: Readonly<Partial<Record<AdapterType, string>>> = { qlora: 'a CUDA GPU (4-bit quantization with bitsandbytes)' };

interface Base {
  readonly time: number;
}
export interface StartedEvent extends Base {
  readonly type: 'started';
  readonly total_steps: number;
  readonly n_epochs: number;
  readonly resumed_from_step: number | null;
  readonly hyperparameters: Readonly<Record<string, number>>;
  readonly pid: number;
}
export interface ProgressEvent extends Base {
  readonly type: 'progress';
  readonly step: number;
  readonly total_steps: number;
  readonly epoch: number;
  readonly tokens_per_second: number | null;
  readonly eta_seconds: number | null;
}
export interface MetricsEvent extends Base {
  readonly type: 'metrics';
  readonly epoch: number;
  readonly iteration: number;
  readonly train_loss: number | null;
  readonly trained_tokens: number | null;
  readonly valid_loss: number | null;
  readonly perplexity: number | null;
  readonly hyperparameters?: Readonly<Record<string, number>>;
  readonly time_since_job_start?: number;
}
export interface CheckpointEvent extends Base {
  readonly type: 'checkpoint';
  readonly step: number;
  /** Relative to output_dir: `checkpoints/step-N`. */
  readonly path: string;
}
export interface StoppedEvent extends Base {
  readonly type: 'stopped';
  readonly step: number;
  readonly checkpoint: string | null;
}
export interface FinishedEvent extends Base {
  readonly type: 'finished';
  readonly trained_tokens: number;
  readonly manifest: string;
}
export interface FailedEvent extends Base {
  readonly type: 'failed';
  readonly code: 'invalid_spec' | 'invalid_data' | 'cuda_required' | 'internal' | string;
  readonly message: string;
  readonly param: string | null;
}

export type TrainerEvent = StartedEvent | ProgressEvent | MetricsEvent | CheckpointEvent | StoppedEvent | FinishedEvent | FailedEvent;

const TYPES = new Set(['started', 'progress', 'metrics', 'checkpoint', 'stopped', 'finished', 'failed']);

/** Parses one events.jsonl line; returns undefined for anything that is not a known event. */
export function parseTrainerEvent(line: string): TrainerEvent | undefined {
  try {
    const v = JSON.parse(line) as { type?: unknown };
    if (v === null || typeof v !== 'object' || typeof v.type !== 'string' || !TYPES.has(v.type)) return undefined;
    return v as TrainerEvent;
  } catch {
    return undefined;
  }
}

export interface TrainerManifest {
  readonly format_version: number;
  readonly base_model: string;
  readonly method: string;
  readonly adapter_type: string;
  readonly output: 'adapter' | 'model';
  readonly trained_tokens: number;
  readonly steps: number;
  readonly hyperparameters: Readonly<Record<string, number>>;
  readonly metrics_file: string;
  readonly checkpoints: readonly string[];
}
