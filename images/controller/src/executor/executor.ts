import type { AdapterType, RunPlacement } from '../domain/job';
import type { RunListener, TrainerSpec } from './trainer-contract';

export type { RunPlacement } from '../domain/job';
export type { RunEnd, RunListener, RunNotice, RunNoticeListener } from './trainer-contract';

/** What `Executor.place` decided for a request. */
export interface PlacementDecision {
  readonly placement: RunPlacement;
  /** Seconds the run takes there by the estimator's throughput model; undefined when it cannot tell. */
  readonly runSeconds: number | undefined;
}

/**
 * A request the executor cannot run as asked: the create call answers 400 with it. `param` is the request field to
 * blame; the message names the value and what is allowed.
 */
export class RunRefusedError extends Error {
  constructor(
    readonly code: string,
    readonly param: string,
    message: string,
  ) {
    super(message);
    this.name = 'RunRefusedError';
  }
}

/** Which adapter types an executor's hardware can train, for refusing the others when the job is created. */
export interface AdapterSupport {
  readonly types: readonly AdapterType[];
  /** What the executor trains on, as a clause: "the local executor trains on this machine's CPU, without CUDA". */
  readonly hardware: string;
  /** Where the other types run, as a noun phrase: "a platform with GPU pools (the Kubernetes executor)". */
  readonly elsewhere: string;
}

/** What an executor needs to run (or resume) one fine-tuning job. Paths in `spec` are storage keys. */
export interface RunRequest {
  readonly jobId: string;
  readonly projectId: string;
  /** The trainer spec with storage keys (constructs/platform/bucket-keys.ts) in place of paths. */
  readonly spec: TrainerSpec;
  /** The placement stored with the job when it was queued. @default - none: an executor with `place` places it now */
  readonly placement?: RunPlacement;
}

/**
 * Runs the trainer somewhere: a child process (local) or a Kubernetes Job. An executor never runs two
 * trainers for one job: `start` and `attach` first look for a live run of that job and follow it instead.
 */
export interface Executor {
  readonly kind: string;
  /** Adapter types it can train; others are refused when the job is created. @default - every adapter type */
  readonly adapterSupport?: AdapterSupport;
  /**
   * Chooses where the run goes and how long it takes there (`trainedTokens` counted by the validator times the epochs;
   * undefined when not counted, e.g. DPO), when the job is queued: the result is stored with the job and comes back in
   * `RunRequest.placement` on every start. Throws `RunRefusedError` for a request it cannot place. Optional: an
   * executor without placement (the local one) leaves jobs without a placement and without `estimated_finish`.
   */
  place?(request: RunRequest, trainedTokens: number | undefined): Promise<PlacementDecision>;
  /** Starts (or, if the output dir holds a checkpoint, resumes) a run; returns a reference to store with the job. */
  start(request: RunRequest, cursor: number, listener: RunListener): Promise<string>;
  /**
   * Follows a run started by an earlier controller process from `cursor`. If it is gone, relays the events it left
   * and calls `onEnd` with a null exit code. Returns whether a live run was found.
   */
  attach(request: RunRequest, cursor: number, listener: RunListener): Promise<boolean>;
  /** Asks the run to stop (SIGTERM: the trainer checkpoints), then kills it after the grace period. */
  stop(jobId: string): Promise<void>;
  /** Runs this executor is following now. */
  activeRuns(): number;
  /** Stops following runs without stopping them (a restarted controller re-attaches). */
  detachAll(): Promise<void>;
}
