import type { Clock } from '../domain/clock';
import type { Executor } from '../executor/executor';
import type { JobSupervisor } from '../jobs/job-supervisor';
import type { Logger } from '../ops/logger';
import type { BlobStorage } from '../storage/blob-storage';
import type { Store } from '../store/store';
import type { RateLimit } from './rate-limiter';

export interface ApiOptions {
  /** Largest upload. @default 512 MiB */
  readonly maxUploadBytes: number;
  /** Per-key request rate; null disables. @default 20/s, burst 100 */
  readonly rateLimit: RateLimit | null;
}

export const DEFAULT_API_OPTIONS: ApiOptions = { maxUploadBytes: 512 * 1024 * 1024, rateLimit: { perSecond: 20, burst: 100 } };

/** What the route handlers work with. */
export interface ApiContext {
  readonly store: Store;
  readonly storage: BlobStorage;
  readonly supervisor: JobSupervisor;
  /** The supervisor's executor: job creation asks it what it supports and where a job goes. */
  readonly executor: Executor;
  readonly clock: Clock;
  readonly log: Logger;
  readonly options: ApiOptions;
}
