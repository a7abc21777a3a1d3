/** The API's objects as the console reads them (OpenAI's shapes; see images/controller/README.md). */
export interface ListPage<T> {
  readonly object: 'list';
  readonly data: readonly T[];
  readonly has_more: boolean;
}

export interface ApiErrorBody {
  readonly error?: { readonly message?: string; readonly type?: string; readonly param?: string | null; readonly code?: string | null };
}

export interface FileObject {
  readonly id: string;
  readonly bytes: number;
  readonly created_at: number;
  readonly filename: string;
  readonly purpose: string;
}

export type JobStatus = 'validating_files' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export const JOB_STATUSES: readonly JobStatus[] = ['validating_files', 'queued', 'running', 'succeeded', 'failed', 'cancelled'];
export const ENDED: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled'];

export type Hyperparameters = Readonly<Record<string, number | string | undefined>>;

export interface Job {
  readonly id: string;
  readonly created_at: number;
  readonly error: { readonly code?: string; readonly message?: string; readonly param?: string | null } | null;
  readonly fine_tuned_model: string | null;
  readonly finished_at: number | null;
  readonly model: string;
  readonly result_files: readonly string[];
  readonly status: JobStatus;
  readonly trained_tokens: number | null;
  readonly training_file: string;
  readonly validation_file: string | null;
  readonly estimated_finish: number | null;
  readonly metadata: Readonly<Record<string, string>> | null;
  readonly method: { readonly type: string; readonly supervised?: { readonly hyperparameters: Hyperparameters }; readonly dpo?: { readonly hyperparameters: Hyperparameters } };
  readonly user_provided_suffix: string | null;
  readonly seed: number;
  readonly adapter: Readonly<Record<string, unknown>> | null;
  /** vpctune extension: the run's cost where it was placed; null without an estimate (absent from older controllers). */
  readonly estimate?: JobCostEstimate | null;
}

/** The job's `estimate` extension field (images/controller/src/jobs/job-cost-estimate.ts). */
export interface JobCostEstimate {
  readonly run_seconds: number;
  readonly pool: string;
  readonly gpu: string;
  readonly instance_type: string;
  readonly gpus: number;
  readonly capacity: 'spot' | 'on-demand';
  readonly on_demand_usd: number | null;
  readonly spot_usd: number;
}

export interface JobEvent {
  readonly id: string;
  readonly created_at: number;
  readonly level: string;
  readonly message: string;
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface Checkpoint {
  readonly id: string;
  readonly created_at: number;
  readonly fine_tuned_model_checkpoint: string;
  readonly step_number: number;
  readonly metrics: Readonly<Record<string, number | null>>;
}

export interface Model {
  readonly id: string;
  readonly created: number;
  readonly owned_by: string;
  readonly servable?: boolean;
}

/** Base models are owned by the platform; a project's fine-tuned models by the project. */
export const PLATFORM_OWNER = 'vpctune';
