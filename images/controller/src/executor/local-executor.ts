import { spawn } from 'node:child_process';
import { jobPrefix } from '../../../../constructs/platform/bucket-keys';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LocalPathStorage } from '../storage/blob-storage';
import type { Logger } from '../ops/logger';
import { readEventsAfter } from './events-file-reader';
import type { AdapterSupport, Executor, RunEnd, RunListener, RunRequest } from './executor';
import { isLiveProcess, signalGroup } from './process-probe';
import { parseTrainerEvent, type FailedEvent, type TrainerEvent, type TrainerSpec } from './trainer-contract';

export interface LocalExecutorOptions {
  /** Python interpreter with vpctune_trainer installed. */
  readonly python: string;
  /** Extra environment for the trainer (e.g. PYTHONPATH). @default none */
  readonly env?: Readonly<Record<string, string>>;
  /** Time between SIGTERM and SIGKILL on cancel. @default 20000 */
  readonly stopGraceMs?: number;
  /** How often events.jsonl and the process are polled. @default 250 */
  readonly pollMs?: number;
}

interface Run {
  readonly jobId: string;
  readonly pid: number;
  readonly marker: string;
  readonly eventsFile: string;
  readonly logFile: string;
  readonly stdoutFile: string;
  cursor: number;
  /** Exit code once a child this process spawned has exited. */
  exited?: { readonly code: number | null };
  stopping?: NodeJS.Timeout;
  timer?: NodeJS.Timeout;
  busy: boolean;
}

/** The last `failed` event in the trainer's stdout file, if any. */
function stdoutFailure(file: string): FailedEvent | undefined {
  let failed: FailedEvent | undefined;
  for (const line of tail(file, 64 * 1024).split('\n')) {
    const e = parseTrainerEvent(line);
    if (e?.type === 'failed') failed = e;
  }
  return failed;
}

/**
 * Replaces the storage root in text the trainer wrote (error messages quote the local paths of its spec) by nothing,
 * so clients see storage keys (`files/<id>`), never the server's directories.
 */
export function withStorageKeys(text: string, root: string): string {
  return text.split(root.endsWith(path.sep) ? root : `${root}${path.sep}`).join('');
}

/** A trainer event with local paths in its free text (a failure's message) replaced by storage keys. */
function scrubEvent(e: TrainerEvent, root: string): TrainerEvent {
  return e.type === 'failed' ? { ...e, message: withStorageKeys(e.message, root) } : e;
}

function tail(file: string, maxBytes = 2000): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.slice(-maxBytes).trim();
  } catch {
    return '';
  }
}

/**
 * Runs `python -m vpctune_trainer run --spec SPEC` as a detached child (its own process group, output to files, so it
 * outlives a killed controller). Follows it through `events.jsonl` and its pid file `trainer.pid` under the job's prefix.
 */
export class LocalExecutor implements Executor {
  readonly kind = 'local';
  /** The trainer runs on this machine's CPU: QLoRA (CUDA only) is refused when the job is created. */
  readonly adapterSupport: AdapterSupport = {
    types: ['lora', 'full'],
    hardware: "the local executor trains on this machine's CPU, without CUDA",
    elsewhere: 'a platform with GPU pools (the Kubernetes executor)',
  };
  private readonly runs = new Map<string, Run>();
  private readonly grace: number;
  private readonly pollMs: number;

  constructor(
    private readonly storage: LocalPathStorage,
    private readonly options: LocalExecutorOptions,
    private readonly log: Logger,
  ) {
    this.grace = options.stopGraceMs ?? 20_000;
    this.pollMs = options.pollMs ?? 250;
  }

  /** The storage root, as trainer output quotes it. */
  private get root(): string {
    return this.storage.localPath('');
  }

  /** How a run ended, its log tail and failure with storage keys in place of local paths. */
  private runEnd(exitCode: number | null, stdoutFile: string, logFile: string): RunEnd {
    const failure = stdoutFailure(stdoutFile);
    return {
      exitCode,
      logTail: withStorageKeys(tail(logFile), this.root),
      ...(failure !== undefined ? { failure: { code: failure.code, message: withStorageKeys(failure.message, this.root), param: failure.param ?? null } } : {}),
    };
  }

  private paths(jobId: string) {
    const dir = this.storage.localPath(jobPrefix(jobId));
    return { dir, spec: path.join(dir, 'spec.json'), pidFile: path.join(dir, 'trainer.pid'), log: path.join(dir, 'trainer.log'), stdout: path.join(dir, 'trainer.stdout.jsonl') };
  }

  /** Storage keys in the request become local paths; `adapter.pool` (a cluster placement choice) is not the trainer's. */
  private localSpec(spec: TrainerSpec): TrainerSpec {
    const p = (key: string) => this.storage.localPath(key);
    const { pool: _pool, ...adapter } = spec.adapter;
    return {
      ...spec,
      adapter,
      base_model: p(spec.base_model),
      training_file: p(spec.training_file),
      ...(spec.validation_file !== undefined ? { validation_file: p(spec.validation_file) } : {}),
      output_dir: p(spec.output_dir),
      ...(spec.publish_dir !== undefined ? { publish_dir: p(spec.publish_dir) } : {}),
    };
  }

  private livePid(jobId: string): number | undefined {
    const { pidFile, spec } = this.paths(jobId);
    try {
      const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 && isLiveProcess(pid, spec) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  async start(request: RunRequest, cursor: number, listener: RunListener): Promise<string> {
    const existing = this.runs.get(request.jobId);
    if (existing !== undefined) return JSON.stringify({ pid: existing.pid });
    if (this.livePid(request.jobId) !== undefined) {
      await this.attach(request, cursor, listener);
      return JSON.stringify({ pid: this.runs.get(request.jobId)?.pid ?? null });
    }
    const p = this.paths(request.jobId);
    const spec = this.localSpec(request.spec);
    fs.mkdirSync(spec.output_dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(p.spec, `${JSON.stringify(spec, null, 2)}\n`, { mode: 0o600 });
    const logFd = fs.openSync(p.log, 'a', 0o600);
    const outFd = fs.openSync(p.stdout, 'a', 0o600);
    // Through sh only to set umask 077 (what the trainer writes is owner-only, like the rest of local storage);
    // `exec` keeps the pid, and the command line still names the spec (the liveness marker).
    const child = spawn('/bin/sh', ['-c', 'umask 077 && exec "$0" "$@"', this.options.python, '-m', 'vpctune_trainer', 'run', '--spec', p.spec], {
      detached: true,
      stdio: ['ignore', outFd, logFd],
      env: { ...process.env, ...this.options.env, PYTHONUNBUFFERED: '1' },
    });
    fs.closeSync(logFd);
    fs.closeSync(outFd);
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${this.options.python}`);
    fs.writeFileSync(p.pidFile, `${pid}\n`, { mode: 0o600 });
    const run: Run = { jobId: request.jobId, pid, marker: p.spec, eventsFile: path.join(spec.output_dir, 'events.jsonl'), logFile: p.log, stdoutFile: p.stdout, cursor, busy: false };
    child.on('exit', (code) => {
      run.exited = { code };
      void this.poll(run, listener);
    });
    child.on('error', (err) => {
      this.log.error('trainer process error', { job_id: request.jobId, error: String(err) });
      run.exited = { code: 127 };
      void this.poll(run, listener);
    });
    this.follow(run, listener);
    this.log.info('trainer started', { job_id: request.jobId, pid });
    return JSON.stringify({ pid });
  }

  async attach(request: RunRequest, cursor: number, listener: RunListener): Promise<boolean> {
    if (this.runs.has(request.jobId)) return true;
    const p = this.paths(request.jobId);
    const pid = this.livePid(request.jobId);
    const eventsFile = path.join(this.storage.localPath(request.spec.output_dir), 'events.jsonl');
    if (pid === undefined) {
      const { events, cursor: next } = await readEventsAfter(eventsFile, cursor);
      if (events.length > 0) await listener.onEvents(request.jobId, events.map((e) => scrubEvent(e, this.root)), next);
      await listener.onEnd(request.jobId, this.runEnd(null, p.stdout, p.log));
      return false;
    }
    const run: Run = { jobId: request.jobId, pid, marker: p.spec, eventsFile, logFile: p.log, stdoutFile: p.stdout, cursor, busy: false };
    this.follow(run, listener);
    this.log.info('re-attached to running trainer', { job_id: request.jobId, pid });
    return true;
  }

  private follow(run: Run, listener: RunListener): void {
    this.runs.set(run.jobId, run);
    run.timer = setInterval(() => void this.poll(run, listener), this.pollMs);
  }

  /** Relays new events; when the process is gone, relays the rest and reports the end once. */
  private async poll(run: Run, listener: RunListener): Promise<void> {
    if (run.busy || this.runs.get(run.jobId) !== run) return;
    run.busy = true;
    try {
      const gone = run.exited !== undefined || !isLiveProcess(run.pid, run.marker);
      const { events, cursor } = await readEventsAfter(run.eventsFile, run.cursor);
      if (events.length > 0) {
        await listener.onEvents(run.jobId, events.map((e) => scrubEvent(e, this.root)), cursor);
        run.cursor = cursor;
      }
      if (gone && this.runs.get(run.jobId) === run) {
        this.forget(run);
        await listener.onEnd(run.jobId, this.runEnd(run.exited?.code ?? null, run.stdoutFile, run.logFile));
      }
    } catch (err) {
      this.log.error('relaying trainer events failed', { job_id: run.jobId, error: String(err) });
    } finally {
      run.busy = false;
    }
  }

  private forget(run: Run): void {
    if (run.timer !== undefined) clearInterval(run.timer);
    if (run.stopping !== undefined) clearTimeout(run.stopping);
    this.runs.delete(run.jobId);
  }

  async stop(jobId: string): Promise<void> {
    const run = this.runs.get(jobId);
    const pid = run?.pid ?? this.livePid(jobId);
    if (pid === undefined) return;
    signalGroup(pid, 'SIGTERM');
    const kill = setTimeout(() => {
      if (isLiveProcess(pid, this.paths(jobId).spec)) {
        this.log.warn('trainer did not stop within the grace period; killing it', { job_id: jobId, pid, grace_ms: this.grace });
        signalGroup(pid, 'SIGKILL');
      }
    }, this.grace);
    kill.unref();
    if (run !== undefined) run.stopping = kill;
  }

  activeRuns(): number {
    return this.runs.size;
  }

  async detachAll(): Promise<void> {
    for (const run of [...this.runs.values()]) {
      if (run.timer !== undefined) clearInterval(run.timer);
      this.runs.delete(run.jobId);
    }
  }
}
