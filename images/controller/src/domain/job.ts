/** The fine-tuning job as the controller keeps it, and its OpenAI-shaped views. */

export const JOB_STATUSES = ['validating_files', 'queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export type MethodType = 'supervised' | 'dpo';
export type AutoOr<T> = 'auto' | T;

/** Hyperparameters as requested: each value `"auto"` or a number. */
export interface Hyperparameters {
  readonly n_epochs: AutoOr<number>;
  readonly batch_size: AutoOr<number>;
  readonly learning_rate_multiplier: AutoOr<number>;
  /** DPO only. */
  readonly beta?: AutoOr<number>;
}

/** OpenAI's `method` object. */
export interface Method {
  readonly type: MethodType;
  readonly supervised?: { readonly hyperparameters: Hyperparameters };
  readonly dpo?: { readonly hyperparameters: Hyperparameters };
}

export const ADAPTER_TYPES = ['lora', 'qlora', 'full'] as const;
export type AdapterType = (typeof ADAPTER_TYPES)[number];

/** The vpctune extension field `adapter` (SDKs pass it as extra body). */
export interface AdapterChoice {
  readonly type: AdapterType;
  /** LoRA rank; ignored for `full`. @default 16 */
  readonly r: number;
  /** LoRA alpha. @default 2 * r */
  readonly alpha: number;
  /** LoRA dropout. @default 0.05 */
  readonly dropout: number;
  /** Modules LoRA wraps. @default "all-linear" */
  readonly target_modules: string | readonly string[];
  /**
   * GPU pool to run on (the Kubernetes executor; checked against the platform's pools when the job is created).
   * @default - the smallest pool that holds the job. Ignored by the local executor.
   */
  readonly pool?: string;
}

/**
 * Where a run goes, chosen ONCE by `Executor.place` when the job is queued and stored with the job (plain JSON), so
 * every attempt and every resubmission runs where the job was estimated.
 */
export interface RunPlacement {
  /** The GPU pool. */
  readonly pool: string;
  /** Nodes (pods) of the run. */
  readonly nodes: number;
  /** GPUs each node (pod) of the run uses. */
  readonly gpusPerNode: number;
  /** Why this placement, in one sentence. */
  readonly reason: string;
  /**
   * The pool's machine shape and how its nodes are bought, for the job's cost estimate (jobs/job-cost-estimate.ts):
   * prices are read from the accelerator catalog (constructs/catalog) by cloud and instance type.
   * @default - unknown (jobs placed before it was kept): no cost estimate
   */
  readonly machine?: PlacedMachine;
}

/** A placement's machine shape: the catalog SKU of the pool's nodes and the pool's capacity type. */
export interface PlacedMachine {
  /** `aws`, `gcp` or `azure` (the catalog's `Cloud`). */
  readonly cloud: string;
  /** The cloud's name for the node shape: `g5.2xlarge`. */
  readonly instanceType: string;
  /** `spot` or `on-demand` (the catalog's `CapacityType`): how the pool's nodes are bought. */
  readonly capacity: string;
}

export interface JobError {
  readonly code: string;
  readonly message: string;
  readonly param: string | null;
}

/** A job row. Times are unix seconds except `createdMs` (ordering key). */
export interface JobRecord {
  readonly id: string;
  readonly projectId: string;
  readonly createdMs: number;
  readonly status: JobStatus;
  readonly model: string;
  readonly trainingFile: string;
  readonly validationFile: string | null;
  readonly suffix: string | null;
  readonly seed: number;
  readonly metadata: Readonly<Record<string, string>> | null;
  readonly method: Method;
  readonly adapter: AdapterChoice;
  readonly fineTunedModel: string | null;
  readonly finishedAt: number | null;
  readonly trainedTokens: number | null;
  readonly error: JobError | null;
  readonly resultFiles: readonly string[];
  readonly estimatedFinish: number | null;
  /**
   * Seconds the run is expected to take by the estimator (constructs/estimate) on the hardware the executor would give
   * it, worked out when the job is queued; null when the executor cannot tell. `estimatedFinish` is now + this while
   * queued and start + this once running, until the trainer's own ETA replaces it.
   */
  readonly estimatedRunSeconds: number | null;
  /**
   * Where the executor placed the run when the job was queued (`Executor.place`); every start and resubmission uses
   * it. Null for an executor without placement (the local one) and for jobs queued before placements were kept.
   */
  readonly placement: RunPlacement | null;
  /** Hyperparameters the trainer resolved ("auto" replaced), once it has started. */
  readonly resolvedHyperparameters: Readonly<Record<string, number>> | null;
  /** Executor bookkeeping: process id / reference of the current run, attempt count, event cursor. */
  readonly runRef: string | null;
  readonly attempt: number;
  readonly eventsCursor: number;
  readonly startedAt: number | null;
  /**
   * When the job was paused (`POST .../pause`), unix seconds; null when it is not paused. A paused job keeps a status of
   * the SDKs' closed enum: `running` while its trainer checkpoints and stops, then `queued` (never started by the
   * scheduler) until it is resumed (jobs/job-pause-service.ts).
   */
  readonly pausedAt: number | null;
}

/** The fields a state change may set. */
export type JobPatch = Partial<Omit<JobRecord, 'id' | 'projectId' | 'createdMs' | 'model' | 'trainingFile' | 'validationFile' | 'suffix' | 'seed' | 'metadata' | 'method' | 'adapter' | 'placement'>>;

export function hyperparametersOf(method: Method): Hyperparameters {
  const h = method.type === 'dpo' ? method.dpo?.hyperparameters : method.supervised?.hyperparameters;
  return h ?? { n_epochs: 'auto', batch_size: 'auto', learning_rate_multiplier: 'auto' };
}
