import type { Clock } from '../domain/clock';
import type { Executor } from '../executor/executor';
import type { JobSupervisor } from '../jobs/job-supervisor';
import type { Logger } from '../ops/logger';
import type { ServingContext } from '../serving/serving-context';
import type { BlobStorage } from '../storage/blob-storage';
import type { Store } from '../store/store';
import type { RateLimit } from './rate-limiter';

export interface ApiOptions {
  /** Largest upload. @default 512 MiB */
  readonly maxUploadBytes: number;
  /** Per-key request rate; null disables. @default 20/s, burst 100 */
  readonly rateLimit: RateLimit | null;
  /**
   * Failed authentications per client address (missing, malformed, unknown or revoked keys; wrong admin tokens). Once
   * an address has used its burst, its failed authentications are answered 429 with Retry-After until tokens refill
   * (a valid key from that address still passes); null disables. @default 1/s, burst 20
   */
  readonly failedAuthRateLimit: RateLimit | null;
}

export const DEFAULT_API_OPTIONS: ApiOptions = {
  maxUploadBytes: 512 * 1024 * 1024,
  rateLimit: { perSecond: 20, burst: 100 },
  failedAuthRateLimit: { perSecond: 1, burst: 20 },
};

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
  /** Inference: served models, upstreams, the proxy, usage, model retirement (serving/). */
  readonly serving: ServingContext;
}
