import type { TrainerEvent, TrainerSpec } from './trainer-contract';

/** What an executor needs to run (or resume) one fine-tuning job. Paths in `spec` are storage keys. */
export interface RunRequest {
  readonly jobId: string;
  readonly projectId: string;
  /** The trainer spec with storage keys (`models/<id>/`, `files/<id>`, `jobs/<id>/output/`) in place of paths. */
  readonly spec: TrainerSpec;
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

/**
 * Runs the trainer somewhere: a child process (local) or a Kubernetes Job (issue 6). An executor never runs two
 * trainers for one job: `start` and `attach` first look for a live run of that job and follow it instead.
 */
export interface Executor {
  readonly kind: string;
  /** Starts (or, if the output dir holds a checkpoint, resumes) a run; returns a reference to store with the job. */
  start(request: RunRequest, cursor: number, listener: RunListener): Promise<string>;
  /**
   * Follows a run started by an earlier controller process from `cursor`. If it is gone, relays the events it left
   * and calls `onEnd` with a null exit code. Returns whether a live run was found.
   */
  attach(request: RunRequest, cursor: number, listener: RunListener): Promise<boolean>;
  /** Asks the run to stop (SIGTERM: the trainer checkpoints), then kills it after the grace period. */
  stop(jobId: string): Promise<void>;
  /**
   * Seconds a run of `trainedTokens` tokens would take on the hardware this executor would give the request, by the
   * estimator's throughput model (constructs/estimate); undefined when it cannot tell. Optional: an executor without
   * GPU placement (the local one, on CPU) leaves queued jobs without an `estimated_finish`.
   */
  estimateRunSeconds?(request: RunRequest, trainedTokens: number): Promise<number | undefined>;
  /** Runs this executor is following now. */
  activeRuns(): number;
  /** Stops following runs without stopping them (a restarted controller re-attaches). */
  detachAll(): Promise<void>;
}
