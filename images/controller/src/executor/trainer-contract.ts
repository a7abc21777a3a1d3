/**
 * The trainer's contract (images/trainer/README.md), in one place: the spec it reads (fields, `"auto"` values,
 * `checkpoint_steps`), the JSON-lines events it writes to stdout and `output_dir/events.jsonl`, its failure codes and
 * exit codes, its manifest, and the listener an executor relays a run to (events, end, platform notices).
 * test/fixtures/trainer-contract.json holds the same facts; jest checks this module against it and pytest checks the
 * trainer's spec parser (images/trainer/src/vpctune_trainer/spec.py) against it.
 */
import type { AdapterChoice, AdapterType, AutoOr, Method, MethodType } from '../domain/job';

/** The spec the trainer reads (`--spec FILE`); storage keys or URIs where it reads and writes data. */
export interface TrainerSpec {
  readonly base_model: string;
  readonly training_file: string;
  readonly validation_file?: string;
  /** Hyperparameters are `"auto"` (the trainer resolves them from the data) or numbers. */
  readonly method: Method;
  /** The controller's `adapter` choice; an executor removes `pool` (a placement field, not the trainer's). */
  readonly adapter: AdapterChoice;
  /** Tokens per packed row. @default "auto" (the model's window, at most 2048) */
  readonly context_length?: AutoOr<number>;
  readonly seed: number;
  readonly output_dir: string;
  /** A checkpoint every N optimizer steps on top of epoch ends and SIGTERM (spot pools). @default - none */
  readonly checkpoint_steps?: number;
  /** The base model's id as the inference servers serve it (the published adapter's `base_model_name_or_path`). @default - none */
  readonly model?: string;
  /** The fine-tuned model's id (recorded in the manifest). @default - none */
  readonly fine_tuned_model?: string;
  /**
   * Where the trainer publishes servable weights: `adapterPrefix(fine_tuned_model)` for lora/qlora,
   * `modelPrefix(fine_tuned_model)` for full (bucket-keys.ts); needs `model` and `fine_tuned_model`. @default - none
   */
  readonly publish_dir?: string;
}

/** Top-level spec fields the controller may write; the trainer refuses any other. */
export const TRAINER_SPEC_FIELDS = ['base_model', 'training_file', 'validation_file', 'method', 'adapter', 'context_length', 'seed', 'output_dir', 'checkpoint_steps', 'model', 'fine_tuned_model', 'publish_dir'] as const;
/** Fields of the spec's `adapter`. */
export const TRAINER_ADAPTER_FIELDS = ['type', 'r', 'alpha', 'dropout', 'target_modules'] as const;
/** Hyperparameters each method takes, each `"auto"` or a number. */
export const TRAINER_HYPERPARAMETERS: Readonly<Record<MethodType, readonly string[]>> = {
  supervised: ['n_epochs', 'batch_size', 'learning_rate_multiplier'],
  dpo: ['n_epochs', 'batch_size', 'learning_rate_multiplier', 'beta'],
};

/** Exit codes: 0 finished; 1 failed (a `failed` event says why); 2 invalid spec or data; 75 stopped at a checkpoint. */
export const TRAINER_EXIT = { finished: 0, failed: 1, invalid: 2, stopped: 75 } as const;

/** `code` of the trainer's `failed` events (platform failures an executor reports add their own). */
export const TRAINER_FAILURE_CODES = ['invalid_spec', 'invalid_data', 'cuda_required', 'internal'] as const;

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
  readonly code: (typeof TRAINER_FAILURE_CODES)[number] | string;
  readonly message: string;
  readonly param: string | null;
}

export type TrainerEvent = StartedEvent | ProgressEvent | MetricsEvent | CheckpointEvent | StoppedEvent | FinishedEvent | FailedEvent;

/** Every event kind the trainer writes. */
export const TRAINER_EVENT_KINDS = ['started', 'progress', 'metrics', 'checkpoint', 'stopped', 'finished', 'failed'] as const satisfies readonly TrainerEvent['type'][];
const TYPES: ReadonlySet<string> = new Set(TRAINER_EVENT_KINDS);

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
  /** With the serving fields in the spec: the served base id, the fine-tuned id and where the weights were published. */
  readonly model?: string;
  readonly fine_tuned_model?: string;
  readonly published?: string;
}

/** How a run ended, as far as the executor can tell; the trainer's last events say the rest. */
export interface RunEnd {
  /** The trainer's exit code when the executor saw it, null when the run vanished (e.g. while the controller was down). */
  readonly exitCode: number | null;
  /** Last lines the trainer wrote to stderr, for error messages. */
  readonly logTail: string;
  /**
   * A `failed` event the trainer wrote to stdout only (an invalid spec found before its output directory is known
   * never reaches events.jsonl).
   */
  readonly failure?: { readonly code: string; readonly message: string; readonly param: string | null };
}

/** Receives a run's events in order. `cursor` is the executor's position after the batch (persist it with them). */
export interface RunListener {
  onEvents(jobId: string, events: readonly TrainerEvent[], cursor: number): Promise<void>;
  onEnd(jobId: string, end: RunEnd): Promise<void>;
}

/** A platform event about a run that is not a trainer event (Kueue admission, image pulls, preemption). */
export interface RunNotice {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** Listeners that also implement `onNotice` get platform events as job events; others see them in the log only. */
export interface RunNoticeListener extends RunListener {
  onNotice(jobId: string, notice: RunNotice): Promise<void>;
}

export function acceptsNotices(l: RunListener): l is RunNoticeListener {
  return typeof (l as Partial<RunNoticeListener>).onNotice === 'function';
}
