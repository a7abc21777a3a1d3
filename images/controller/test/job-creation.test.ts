/**
 * Creating a job through the official `openai` SDK: what the executor cannot run is refused at create (400 naming the
 * field, no job), and an executor's placement is chosen once, when the job is queued, stored with the job, and handed
 * back on every start (the service, not the executor, decides when).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import OpenAI, { toFile } from 'openai';
import { jobPrefix } from '../../../constructs/platform/bucket-keys';
import type { RunPlacement } from '../src/domain/job';
import { RunRefusedError, type Executor, type PlacementDecision, type RunListener, type RunRequest } from '../src/executor/executor';
import { LocalExecutor } from '../src/executor/local-executor';
import type { LocalPathStorage } from '../src/storage/blob-storage';
import { errorOf } from './helpers/api-error-assert';
import { BASE_MODEL, startTestPlatform, waitFor, type TestPlatform } from './helpers/test-platform';
import { sftJsonl } from './helpers/training-data';

async function upload(c: OpenAI, text: string): Promise<string> {
  return (await c.files.create({ file: await toFile(Buffer.from(text), 'train.jsonl'), purpose: 'fine-tune' })).id;
}

describe('on the local executor (CPU, no CUDA)', () => {
  let t: TestPlatform;
  let a: OpenAI;
  beforeAll(async () => {
    t = await startTestPlatform();
    a = t.client(t.keyA);
  });
  afterAll(() => t.close());

  test('Given adapter.type qlora, when the job is created, then it is refused with a 400 that says where qlora runs, and no job exists', async () => {
    // GIVEN a good training file
    const file = await upload(a, sftJsonl(12));
    // WHEN a QLoRA job is created on the local platform
    // @ts-expect-error vpctune extension field, sent as extra body
    const err = await errorOf(() => a.fineTuning.jobs.create({ model: BASE_MODEL, training_file: file, adapter: { type: 'qlora' } }));
    // THEN a 400 names adapter.type, the value, what the local executor can run and where qlora runs
    expect(err).toEqual({
      status: 400,
      type: 'invalid_request_error',
      code: 'unsupported_adapter_type',
      param: 'adapter.type',
      message:
        "Invalid 'adapter.type': \"qlora\" cannot run on this platform: the local executor trains on this machine's CPU, without CUDA, and qlora needs a CUDA GPU (4-bit quantization with bitsandbytes); allowed here: lora, full. qlora runs on a platform with GPU pools (the Kubernetes executor).",
    });
    // AND no job was created
    expect((await a.fineTuning.jobs.list()).data).toEqual([]);
  });
});

/** The local executor plus a placement: records what `place` was asked and what each start was handed. */
class PlacingExecutor implements Executor {
  readonly kind = 'placing';
  readonly placed: RunRequest[] = [];
  readonly started: RunRequest[] = [];
  refuse = false;

  constructor(
    private readonly inner: LocalExecutor,
    private readonly decision: PlacementDecision,
  ) {}

  place(request: RunRequest): Promise<PlacementDecision> {
    this.placed.push(request);
    if (this.refuse) return Promise.reject(new RunRefusedError('invalid_pool', 'adapter.pool', "Invalid 'adapter.pool': \"h200\" is not a GPU pool of this platform; allowed: a10g, h100."));
    return Promise.resolve(this.decision);
  }

  start(request: RunRequest, cursor: number, listener: RunListener): Promise<string> {
    this.started.push(request);
    return this.inner.start(request, cursor, listener);
  }

  attach(request: RunRequest, cursor: number, listener: RunListener): Promise<boolean> {
    return this.inner.attach(request, cursor, listener);
  }

  stop(jobId: string): Promise<void> {
    return this.inner.stop(jobId);
  }

  activeRuns(): number {
    return this.inner.activeRuns();
  }

  detachAll(): Promise<void> {
    return this.inner.detachAll();
  }
}

describe('on an executor that places jobs', () => {
  const placement: RunPlacement = { pool: 'h100', nodes: 2, gpusPerNode: 8, reason: 'llama-3.1-70b full fine-tuning needs 16 H100 GPUs: pool h100, 2 nodes x 8 GPUs.' };
  let t: TestPlatform;
  let a: OpenAI;
  let executor: PlacingExecutor;
  beforeAll(async () => {
    t = await startTestPlatform({
      fakeTrainerEnv: { FAKE_STEPS: '6', FAKE_STEP_SECONDS: '0.3' },
      executor: (storage, log, trainer) => (executor = new PlacingExecutor(new LocalExecutor(storage as LocalPathStorage, trainer, log), { placement, runSeconds: 1234.2 })),
    });
    a = t.client(t.keyA);
  });
  afterAll(() => t.close());

  test('Given a placement and an estimate from the executor, when a job is created and its trainer is stopped once, then it is placed once, stored, and both starts get the stored placement', async () => {
    // GIVEN a good training file
    const file = await upload(a, sftJsonl(12));
    // WHEN a job is created
    const created = await a.fineTuning.jobs.create({ model: BASE_MODEL, training_file: file });
    // THEN the executor placed it once, with the job's run request and 12 examples' tokens times the auto epochs
    expect(executor.placed.map((r) => r.jobId)).toEqual([created.id]);
    // AND the queued job's estimated_finish is its creation plus the estimate rounded up
    const stored = await t.platform.store.getJobById(created.id);
    expect(stored).toMatchObject({ placement, estimatedRunSeconds: 1235 });
    const queued = await a.fineTuning.jobs.retrieve(created.id);
    if (queued.status === 'queued') expect(queued.estimated_finish).toBe(created.created_at + 1235);

    // WHEN its trainer is stopped from outside mid-run (it checkpoints and exits 75: the supervisor starts it again)
    const pidFile = path.join((t.platform.storage as LocalPathStorage).localPath(jobPrefix(created.id)), 'trainer.pid');
    const pid = await waitFor('the trainer to write its pid', () => Promise.resolve(fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').trim()) : undefined));
    await waitFor('the first step', async () => ((await a.fineTuning.jobs.listEvents(created.id, { limit: 100 })).data.some((e) => e.message.startsWith('Step 1/')) ? true : undefined));
    process.kill(pid, 'SIGTERM');
    // AND it runs to its end
    const done = await waitFor('the job to end', async () => {
      const j = await a.fineTuning.jobs.retrieve(created.id);
      return ['succeeded', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
    });
    // THEN it succeeded after two starts, each handed the stored placement, and nothing placed it again
    expect(done.status).toBe('succeeded');
    expect(executor.started.map((r) => r.placement)).toEqual([placement, placement]);
    expect(executor.placed).toHaveLength(1);
  });

  test('Given a request the executor cannot place, when the job is created, then the 400 carries the executor\'s code, param and message, and no job exists', async () => {
    // GIVEN an executor that refuses the request's pool
    const file = await upload(a, sftJsonl(12));
    const before = (await a.fineTuning.jobs.list({ limit: 100 })).data.length;
    executor.refuse = true;
    // WHEN the job is created
    // @ts-expect-error vpctune extension field, sent as extra body
    const err = await errorOf(() => a.fineTuning.jobs.create({ model: BASE_MODEL, training_file: file, adapter: { pool: 'h200' } }));
    executor.refuse = false;
    // THEN it is refused with the executor's reason, and no job was created
    expect(err).toEqual({ status: 400, type: 'invalid_request_error', code: 'invalid_pool', param: 'adapter.pool', message: "Invalid 'adapter.pool': \"h200\" is not a GPU pool of this platform; allowed: a10g, h100." });
    expect((await a.fineTuning.jobs.list({ limit: 100 })).data).toHaveLength(before);
  });
});
