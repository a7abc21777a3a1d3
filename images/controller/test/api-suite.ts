/**
 * The controller's API suite, run once per store (api.sqlite.test.ts, api.postgres.test.ts): the official `openai`
 * npm SDK, unmodified, against a local platform with the fake trainer (the real trainer runs in
 * real-trainer.e2e.test.ts and restart.test.ts).
 */
import OpenAI, { toFile } from 'openai';
import { createApiKey } from '../src/platform/api-keys';
import { errorOf, type ExpectedError } from './helpers/api-error-assert';
import { BASE_MODEL, startTestPlatform, waitFor, type TestPlatform, type TestPlatformOptions } from './helpers/test-platform';
import { dpoJsonl, sftExample, sftJsonl } from './helpers/training-data';

type Job = OpenAI.FineTuning.Jobs.FineTuningJob;

async function upload(c: OpenAI, text: string | Buffer, name = 'train.jsonl'): Promise<string> {
  return (await c.files.create({ file: await toFile(Buffer.from(text), name), purpose: 'fine-tune' })).id;
}

async function untilEnded(c: OpenAI, id: string): Promise<Job> {
  return waitFor(`job ${id} to end`, async () => {
    const j = await c.fineTuning.jobs.retrieve(id);
    return ['succeeded', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
  });
}

/** A store for the suite: `start` returns a PostgreSQL URL or undefined (embedded SQLite); `stop` runs after the platform closed. */
export interface SuiteStore {
  start(): Promise<string | undefined>;
  stop(): void;
  /** Blob storage and executor for the platform (api.s3.test.ts: S3 on moto). @default local directory and local executor */
  platform?(): Pick<TestPlatformOptions, 'storage' | 'executor'>;
}

export function defineApiSuite(storeName: string, suiteStore: SuiteStore): void {
  let t: TestPlatform;
  let a: OpenAI;
  let b: OpenAI;
  let goodFile: string;
  let doneJob: Job;

  beforeAll(async () => {
    const databaseUrl = await suiteStore.start();
    t = await startTestPlatform({ ...(databaseUrl !== undefined ? { databaseUrl } : {}), ...suiteStore.platform?.(), api: { maxUploadBytes: 64 * 1024, rateLimit: null } });
    a = t.client(t.keyA);
    b = t.client(t.keyB);
    goodFile = await upload(a, sftJsonl(12));
  });
  afterAll(async () => {
    for await (const j of a.fineTuning.jobs.list({ limit: 100 })) if (!['succeeded', 'failed', 'cancelled'].includes(j.status)) await a.fineTuning.jobs.cancel(j.id);
    await t.close();
    suiteStore.stop();
  });

  describe(`fine-tuning through the openai SDK (${storeName})`, () => {
    test('upload → create → poll → events → checkpoints → result file → adapter download → model listed', async () => {
      // GIVEN an uploaded training file
      const file = await a.files.retrieve(goodFile);
      expect(file).toMatchObject({ id: goodFile, object: 'file', purpose: 'fine-tune', filename: 'train.jsonl', status: 'processed' });

      // WHEN a job is created with a suffix, metadata and the adapter extension field, and followed to its end
      const created = await a.fineTuning.jobs.create({
        model: BASE_MODEL,
        training_file: goodFile,
        suffix: 'e2e',
        seed: 7,
        metadata: { team: 'search' },
        method: { type: 'supervised', supervised: { hyperparameters: { batch_size: 2 } } },
        // @ts-expect-error vpctune extension field, sent as extra body
        adapter: { type: 'lora', r: 8 },
      });
      expect(['validating_files', 'queued', 'running']).toContain(created.status);
      doneJob = await untilEnded(a, created.id);

      // THEN it succeeded with a fine-tuned model named <base>:<suffix>:<hash>
      expect(doneJob).toMatchObject({ status: 'succeeded', model: BASE_MODEL, seed: 7, metadata: { team: 'search' }, error: null, trained_tokens: 600, user_provided_suffix: 'e2e' });
      expect(doneJob.fine_tuned_model).toMatch(/^vpctune\/tiny-chat:e2e:[0-9a-f]{8}$/);
      expect((doneJob as unknown as { adapter: { r: number; alpha: number } }).adapter).toMatchObject({ type: 'lora', r: 8, alpha: 16 });
      expect(doneJob.finished_at).toBeGreaterThanOrEqual(doneJob.created_at);

      // AND its events tell the story in order, newest first, with metrics events
      const events = (await a.fineTuning.jobs.listEvents(created.id, { limit: 100 })).data.map((e) => e.message).reverse();
      expect(events.slice(0, 5)).toEqual([
        `Created fine-tuning job: ${created.id}`,
        `Validating training file: ${goodFile}`,
        'Files validated, moving job to queued state',
        'Fine-tuning job started',
        'Training started: 6 steps over 1 epochs',
      ]);
      expect(events).toContain('Step 6/6: training loss=0.5000');
      expect(events.slice(-2)).toEqual([`New fine-tuned model created: ${doneJob.fine_tuned_model}`, 'The job has successfully completed']);
      const firstPage = await a.fineTuning.jobs.listEvents(created.id, { limit: 3 });
      expect(firstPage.data).toHaveLength(3);
      expect(firstPage.has_more).toBe(true);
      const second = await a.fineTuning.jobs.listEvents(created.id, { limit: 3, after: firstPage.data[2]?.id as string });
      expect(second.data[0]?.message).toBe(events[events.length - 4]);

      // AND its checkpoints are listed newest first, with cursor pagination
      const ckpts = await a.fineTuning.jobs.checkpoints.list(created.id, { limit: 2 });
      expect(ckpts.data.map((c) => c.step_number)).toEqual([6, 4]);
      expect(ckpts.has_more).toBe(true);
      expect(ckpts.data[0]).toMatchObject({ object: 'fine_tuning.job.checkpoint', fine_tuning_job_id: created.id, fine_tuned_model_checkpoint: `${doneJob.fine_tuned_model}:ckpt-step-6` });
      const rest = await a.fineTuning.jobs.checkpoints.list(created.id, { limit: 2, after: ckpts.data[1]?.id as string });
      expect(rest.data.map((c) => c.step_number)).toEqual([2]);

      // AND the result files are the metrics JSONL and the adapter as a tar, both downloadable
      expect(doneJob.result_files).toHaveLength(2);
      const metrics = (await (await a.files.content(doneJob.result_files[0] as string)).text()).trim().split('\n').map((l) => JSON.parse(l));
      expect(metrics).toHaveLength(6);
      expect(Object.keys(metrics[0]).sort()).toEqual(['epoch', 'hyperparameters', 'iteration', 'perplexity', 'time_since_job_start', 'train_loss', 'trained_tokens', 'valid_loss']);
      const tar = Buffer.from(await (await a.files.content(doneJob.result_files[1] as string)).arrayBuffer());
      expect(tar.length % 512).toBe(0);
      expect(tar.subarray(0, 100).toString('utf8').replace(/\0+$/, '')).toMatch(/^adapter\/adapter_(config\.json|model\.safetensors)$/);
      expect(tar.includes(Buffer.from('"peft_type": "LORA"'))).toBe(true);
      const resultMeta = await a.files.retrieve(doneJob.result_files[1] as string);
      expect(resultMeta).toMatchObject({ purpose: 'fine-tune-results', filename: 'adapter.tar', bytes: tar.length });

      // AND the fine-tuned model is listed by GET /models next to the base model
      const models = (await a.models.list()).data.map((m) => m.id);
      expect(models).toEqual(expect.arrayContaining([BASE_MODEL, doneJob.fine_tuned_model]));
      expect((await a.models.retrieve(doneJob.fine_tuned_model as string)).owned_by).toBe('alpha');
    });

    test('a DPO job with a validation file runs to the end', async () => {
      const train = await upload(a, dpoJsonl(12), 'prefs.jsonl');
      const valid = await upload(a, dpoJsonl(3), 'prefs-valid.jsonl');
      const job = await a.fineTuning.jobs.create({ model: BASE_MODEL, training_file: train, validation_file: valid, method: { type: 'dpo', dpo: { hyperparameters: { beta: 0.2 } } } });
      const done = await untilEnded(a, job.id);
      expect(done.status).toBe('succeeded');
      expect(done.method).toMatchObject({ type: 'dpo' });
      expect(done.fine_tuned_model).toMatch(/^vpctune\/tiny-chat:ft:[0-9a-f]{8}$/);
    });

    test('cancel of a running job stops its trainer and ends it as cancelled', async () => {
      // GIVEN a slow job that has started (the fake trainer takes n_epochs × 50 ms a step)
      const job = await a.fineTuning.jobs.create({ model: BASE_MODEL, training_file: goodFile, hyperparameters: { n_epochs: 40 } });
      await waitFor('the trainer to start', async () => ((await a.fineTuning.jobs.listEvents(job.id)).data.some((e) => e.message.startsWith('Training started')) ? true : undefined));
      // AND while it runs, estimated_finish carries the trainer's ETA
      const running = await waitFor('an ETA', async () => {
        const j = await a.fineTuning.jobs.retrieve(job.id);
        return j.estimated_finish !== null && j.estimated_finish !== undefined ? j : undefined;
      });
      expect(running.status).toBe('running');
      expect(running.estimated_finish).toBeGreaterThan(Math.floor(Date.now() / 1000));
      // WHEN it is cancelled
      const cancelled = await a.fineTuning.jobs.cancel(job.id);
      // THEN it is cancelled at once, and the trainer process is gone within the grace period
      expect(cancelled.status).toBe('cancelled');
      await waitFor('the trainer to exit', async () => (t.platform.executor.activeRuns() === 0 ? true : undefined), 10_000);
      expect((await a.fineTuning.jobs.retrieve(job.id)).status).toBe('cancelled');
      const messages = (await a.fineTuning.jobs.listEvents(job.id)).data.map((e) => e.message);
      expect(messages[0]).toBe('Fine-tuning job cancelled');
    });

    test('a trainer that crashes fails the job with its exit code and stderr; one that rejects data or spec names the problem', async () => {
      const crash = await untilEnded(a, (await a.fineTuning.jobs.create({ model: BASE_MODEL, training_file: goodFile, hyperparameters: { learning_rate_multiplier: 9.99 } })).id);
      expect(crash.status).toBe('failed');
      expect(crash.error).toEqual({ code: 'internal', param: null, message: 'The trainer exited with code 1: Traceback: simulated crash' });
      const invalid = await untilEnded(a, (await a.fineTuning.jobs.create({ model: BASE_MODEL, training_file: goodFile, hyperparameters: { learning_rate_multiplier: 9.98 } })).id);
      expect(invalid.error).toEqual({ code: 'invalid_data', param: 'training_file', message: 'line 1: not the data we wanted' });
      const spec = await untilEnded(a, (await a.fineTuning.jobs.create({ model: BASE_MODEL, training_file: goodFile, hyperparameters: { learning_rate_multiplier: 9.96 } })).id);
      expect(spec.error).toEqual({ code: 'invalid_spec', param: 'adapter.r', message: 'adapter.r must be at most 64 for this model' });
    });

    test('pagination over more jobs than one page, newest first, and the metadata filter', async () => {
      // GIVEN 23 more jobs in project beta, three of them tagged
      const fileB = await upload(b, sftJsonl(10));
      const ids: string[] = [];
      for (let i = 0; i < 23; i += 1) {
        ids.push((await b.fineTuning.jobs.create({ model: BASE_MODEL, training_file: fileB, hyperparameters: { n_epochs: 40 }, metadata: i % 8 === 0 ? { tag: 'x' } : { tag: 'y' } })).id);
      }
      // WHEN they are listed 10 at a time
      const p1 = await b.fineTuning.jobs.list({ limit: 10 });
      const p2 = await b.fineTuning.jobs.list({ limit: 10, after: p1.data[9]?.id as string });
      const p3 = await b.fineTuning.jobs.list({ limit: 10, after: p2.data[9]?.id as string });
      // THEN the pages hold every job once, newest first, and has_more is false only on the last
      expect([p1.data.length, p2.data.length, p3.data.length]).toEqual([10, 10, 3]);
      expect([p1.has_more, p2.has_more, p3.has_more]).toEqual([true, true, false]);
      expect([...p1.data, ...p2.data, ...p3.data].map((j) => j.id)).toEqual([...ids].reverse());
      // AND the SDK's auto-pagination walks the same list
      const all: string[] = [];
      for await (const j of b.fineTuning.jobs.list({ limit: 7 })) all.push(j.id);
      expect(all).toEqual([...ids].reverse());
      // AND metadata[tag]=x keeps only the tagged jobs
      const tagged = await b.fineTuning.jobs.list({ metadata: { tag: 'x' } });
      expect(tagged.data.map((j) => j.id)).toEqual([ids[16], ids[8], ids[0]]);
      // AND with a per-project limit of 1, at most one of them runs; the rest wait in the queue
      const statuses = (await b.fineTuning.jobs.list({ limit: 100 })).data.map((j) => j.status);
      expect(statuses.filter((s) => s === 'running').length).toBeLessThanOrEqual(1);
      expect(statuses.filter((s) => s === 'queued').length).toBeGreaterThanOrEqual(22);
      for (const id of ids) await b.fineTuning.jobs.cancel(id);
    });

    test('two projects are isolated: files, jobs, events, checkpoints, models', async () => {
      // GIVEN project alpha's finished job; WHEN project beta looks; THEN it sees none of alpha's things
      expect((await b.fineTuning.jobs.list({ limit: 100 })).data.some((j) => j.id === doneJob.id)).toBe(false);
      expect((await b.files.list()).data.some((f) => f.id === goodFile)).toBe(false);
      expect((await b.models.list()).data.map((m) => m.id)).not.toContain(doneJob.fine_tuned_model);
      for (const call of [
        () => b.fineTuning.jobs.retrieve(doneJob.id),
        () => b.fineTuning.jobs.listEvents(doneJob.id),
        () => b.fineTuning.jobs.checkpoints.list(doneJob.id),
        () => b.files.retrieve(goodFile),
        () => b.files.content(doneJob.result_files[0] as string),
        () => b.models.retrieve(doneJob.fine_tuned_model as string),
      ]) {
        expect((await errorOf(call)).status).toBe(404);
      }
    });

    test('files: list with cursor, retrieve, delete', async () => {
      const ids = [await upload(a, sftJsonl(10), 'f1.jsonl'), await upload(a, sftJsonl(10), 'f2.jsonl'), await upload(a, sftJsonl(10), 'f3.jsonl')];
      const page = await a.files.list({ limit: 2, purpose: 'fine-tune' });
      expect(page.data.map((f) => f.id)).toEqual([ids[2], ids[1]]);
      expect(page.has_more).toBe(true);
      const asc = await a.files.list({ limit: 2, order: 'asc', after: ids[0] as string });
      expect(asc.data.map((f) => f.id)).toEqual([ids[1], ids[2]]);
      expect(await a.files.delete(ids[2] as string)).toEqual({ id: ids[2], object: 'file', deleted: true });
      expect((await errorOf(() => a.files.retrieve(ids[2] as string))).status).toBe(404);
    });

    test('metrics and the audit log record what happened', async () => {
      const text = await (await fetch(`${t.platform.url.replace(/\/v1$/, '')}/metrics`)).text();
      expect(text).toMatch(/^vpctune_jobs\{status="succeeded"\} [1-9]\d*$/m);
      expect(text).toMatch(/^vpctune_queue_depth \d+$/m);
      expect(text).toMatch(/^vpctune_http_request_duration_seconds_count\{method="POST",route="\/v1\/fine_tuning\/jobs",status="200"\} [1-9]\d*$/m);
      const audit = await t.platform.store.listAudit(1000);
      const create = audit.find((e) => e.path === '/v1/fine_tuning/jobs' && e.target === doneJob.id);
      expect(create).toMatchObject({ method: 'POST', status: 200, projectId: 'alpha', keyId: t.keyAId });
      expect(audit.some((e) => e.method === 'GET')).toBe(false);
    });
  });

  describe(`store guarantees (${storeName})`, () => {
    test('a state change applies once under concurrency, and concurrent event appends keep one order', async () => {
      // GIVEN a job put back to validating_files (a state the scheduler leaves alone)
      const store = t.platform.store;
      const job = await a.fineTuning.jobs.create({ model: BASE_MODEL, training_file: goodFile, hyperparameters: { n_epochs: 40 } });
      const id = job.id;
      await a.fineTuning.jobs.cancel(id);
      await store.transitionJob(id, { patch: { status: 'validating_files' } });
      // WHEN 20 callers race to move it from validating_files to succeeded, each with an event
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.transitionJob(id, { from: ['validating_files'], patch: { status: 'succeeded' }, events: [{ id: `ftevent-race-${storeName}-${i}`, createdAt: 1, level: 'info', type: 'message', message: `winner ${i}`, data: null }] })),
      );
      // THEN exactly one wins, and only its event is recorded
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      const winners = (await store.listEvents(id, { limit: 100 })).data.filter((e) => e.message.startsWith('winner'));
      expect(winners).toHaveLength(1);
      // AND 30 concurrent appends get 30 distinct places in the job's sequence
      await Promise.all(Array.from({ length: 30 }, (_, i) => store.transitionJob(id, { patch: {}, events: [{ id: `ftevent-append-${storeName}-${i}`, createdAt: 1, level: 'info', type: 'message', message: `append ${i}`, data: null }] })));
      const appended = (await store.listEvents(id, { limit: 100 })).data.filter((e) => e.message.startsWith('append'));
      expect(appended).toHaveLength(30);
    });
  });

  describe(`bad input gets OpenAI-shaped errors naming the field (${storeName})`, () => {
    const raw = (path: string, init: RequestInit = {}) => fetch(`${t.platform.url}${path}`, init);
    const authed = (path: string, init: RequestInit = {}) => raw(path, { ...init, headers: { authorization: `Bearer ${t.keyA}`, ...(init.headers as Record<string, string>) } });
    const createWith = (body: Record<string, unknown>) => () => a.fineTuning.jobs.create({ model: BASE_MODEL, training_file: goodFile, ...body } as never);
    const createWithFile = (text: string, extra: Record<string, unknown> = {}) => async () => {
      const id = await upload(a, text);
      return a.fineTuning.jobs.create({ model: BASE_MODEL, training_file: id, ...extra } as never);
    };
    const line = (o: unknown) => JSON.stringify(o);
    const good = (n: number) => Array.from({ length: n }, (_, i) => line(sftExample(i)));

    const cases: readonly (readonly [string, () => () => Promise<unknown>, ExpectedError | ((fileId: string) => ExpectedError)])[] = [
      ['no Authorization header', () => () => raw('/files'), { status: 401, code: 'missing_api_key', param: null, message: "You didn't provide an API key. Provide it in the Authorization header as 'Bearer YOUR_KEY'; `vpctune keys create --project P` makes one." }],
      ['a key that does not exist', () => () => t.client('sk-vpct-0000000000000000000000000000000000000000').models.list(), { status: 401, code: 'invalid_api_key', param: null, message: 'Incorrect API key provided: sk-vpct-0000…0000.' }],
      ['a malformed Authorization header', () => () => raw('/files', { headers: { authorization: 'Basic abc' } }), { status: 401, code: 'invalid_authorization_header', param: null, message: "Malformed Authorization header; expected 'Bearer YOUR_KEY'." }],
      ['upload with purpose batch', () => async () => a.files.create({ file: await toFile(Buffer.from(sftJsonl()), 't.jsonl'), purpose: 'batch' }), { status: 400, code: 'invalid_value', param: 'purpose', message: 'Invalid \'purpose\': "batch"; allowed: fine-tune (this platform only fine-tunes).' }],
      ['upload without purpose', () => () => { const f = new FormData(); f.append('file', new Blob(['x']), 'a.jsonl'); return authed('/files', { method: 'POST', body: f }); }, { status: 400, code: 'missing_required_parameter', param: 'purpose', message: "Missing required parameter: 'purpose'." }],
      ['upload without file', () => () => { const f = new FormData(); f.append('purpose', 'fine-tune'); return authed('/files', { method: 'POST', body: f }); }, { status: 400, code: 'missing_required_parameter', param: 'file', message: "Missing required parameter: 'file'." }],
      ['upload over the size limit (64 KiB here)', () => async () => a.files.create({ file: await toFile(Buffer.alloc(100 * 1024, 'a'), 'big.jsonl'), purpose: 'fine-tune' }), { status: 413, code: 'file_too_large', param: 'file', message: 'The file is larger than the limit of 65536 bytes.' }],
      ['retrieve an unknown file', () => () => a.files.retrieve('file-nope'), { status: 404, code: 'file_not_found', param: 'file_id', message: "No file with id 'file-nope' exists." }],
      ['list files with limit 0', () => () => a.files.list({ limit: 0 }), { status: 400, code: 'invalid_value', param: 'limit', message: 'Invalid \'limit\': "0"; allowed: an integer from 1 to 10000.' }],
      ['list files in order sideways', () => () => a.files.list({ order: 'sideways' as 'asc' }), { status: 400, code: 'invalid_value', param: 'order', message: 'Invalid \'order\': "sideways"; allowed: asc, desc.' }],
      ['create without model', () => () => a.fineTuning.jobs.create({ training_file: goodFile } as never), { status: 400, code: 'missing_required_parameter', param: 'model', message: "Missing required parameter: 'model'." }],
      ['create with an unknown model', createWith.bind(null, { model: 'gpt-4o-mini' }), { status: 400, code: 'model_not_available', param: 'model', message: "Model 'gpt-4o-mini' is not available for fine-tuning; registered base models: vpctune/tiny-chat." }],
      ['create with an unknown training file', createWith.bind(null, { training_file: 'file-missing' }), { status: 400, code: 'file_not_found', param: 'training_file', message: "Invalid 'training_file': no file with id 'file-missing' exists in this project." }],
      ['create with too few examples', () => createWithFile(good(5).join('\n')), (id) => ({ status: 400, code: 'invalid_training_file', param: 'training_file', message: `Invalid 'training_file' ${id}: file has 5 valid examples; at least 10 are required` })],
      ['create with a line that is not JSON', () => createWithFile([...good(2), '{"messages": [', ...good(9)].join('\n')), (id) => ({ status: 400, code: 'invalid_training_file', param: 'training_file', message: `Invalid 'training_file' ${id}: line 3: is not valid JSON` })],
      ['create with a wrong role', () => createWithFile([line({ messages: [{ role: 'user', content: 'hi' }, { role: 'bot', content: 'yo' }] }), ...good(10)].join('\n')), (id) => ({ status: 400, code: 'invalid_training_file', param: 'training_file', message: `Invalid 'training_file' ${id}: line 1: messages[1].role is "bot"; allowed: system, user, assistant` })],
      ['create with no assistant message', () => createWithFile([...good(10), line({ messages: [{ role: 'user', content: 'hi' }] })].join('\n')), (id) => ({ status: 400, code: 'invalid_training_file', param: 'training_file', message: `Invalid 'training_file' ${id}: line 11: messages has no assistant message; at least one is required` })],
      ['create with non-string content', () => createWithFile([line({ messages: [{ role: 'user', content: 42 }, { role: 'assistant', content: 'x' }] }), ...good(10)].join('\n')), (id) => ({ status: 400, code: 'invalid_training_file', param: 'training_file', message: `Invalid 'training_file' ${id}: line 1: messages[0].content must be a string, got number` })],
      ['create with a line that is an array', () => createWithFile(['[1, 2]', ...good(10)].join('\n')), (id) => ({ status: 400, code: 'invalid_training_file', param: 'training_file', message: `Invalid 'training_file' ${id}: line 1: expected a JSON object, got array` })],
      ['create with an empty file', () => createWithFile('\n\n'), (id) => ({ status: 400, code: 'invalid_training_file', param: 'training_file', message: `Invalid 'training_file' ${id}: file is empty` })],
      ['create a DPO job on an SFT file', () => createWithFile(sftJsonl(10), { method: { type: 'dpo' } }), (id) => ({ status: 400, code: 'invalid_training_file', param: 'training_file', message: `Invalid 'training_file' ${id}: file has chat examples (messages), the format of method supervised; method dpo expects preference examples (input, preferred_output, non_preferred_output)` })],
      ['create a supervised job on a DPO file', () => createWithFile(dpoJsonl(10)), (id) => ({ status: 400, code: 'invalid_training_file', param: 'training_file', message: `Invalid 'training_file' ${id}: file has preference examples (input, preferred_output, non_preferred_output), the format of method dpo; method supervised expects chat examples (messages)` })],
      ['create with one good example among bad lines', () => createWithFile([line({ messages: [] }), ...good(1), '[]'].join('\n')), (id) => ({ status: 400, code: 'invalid_training_file', param: 'training_file', message: `Invalid 'training_file' ${id}: line 1: messages is empty; line 3: expected a JSON object, got array; file has 1 valid example; at least 10 are required` })],
      ['n_epochs 0', createWith.bind(null, { method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 0 } } } }), { status: 400, code: 'invalid_value', param: 'method.supervised.hyperparameters.n_epochs', message: "Invalid 'method.supervised.hyperparameters.n_epochs': 0 is out of range; allowed: \"auto\" or an integer from 1 to 50." }],
      ['batch_size as a word', createWith.bind(null, { hyperparameters: { batch_size: 'big' } }), { status: 400, code: 'invalid_value', param: 'hyperparameters.batch_size', message: 'Invalid \'hyperparameters.batch_size\': "big"; allowed: "auto" or an integer from 1 to 256.' }],
      ['negative learning_rate_multiplier', createWith.bind(null, { hyperparameters: { learning_rate_multiplier: -1 } }), { status: 400, code: 'invalid_value', param: 'hyperparameters.learning_rate_multiplier', message: "Invalid 'hyperparameters.learning_rate_multiplier': -1 is out of range; allowed: \"auto\" or a number greater than 0 and at most 10." }],
      ['beta on a supervised job', createWith.bind(null, { method: { type: 'supervised', supervised: { hyperparameters: { beta: 0.1 } } } }), { status: 400, code: 'unknown_parameter', param: 'method.supervised.hyperparameters.beta', message: "Unknown parameter 'method.supervised.hyperparameters.beta'; allowed: n_epochs, batch_size, learning_rate_multiplier." }],
      ['suffix of 65 characters', createWith.bind(null, { suffix: 'a'.repeat(65) }), { status: 400, code: 'string_above_max_length', param: 'suffix', message: "Invalid 'suffix': string too long. Expected a string with maximum length 64, but got a string with length 65 instead." }],
      ['17 metadata pairs', createWith.bind(null, { metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }), { status: 400, code: 'invalid_value', param: 'metadata', message: "Invalid 'metadata': 17 pairs; at most 16 are allowed." }],
      ['an unknown top-level field', createWith.bind(null, { learning_rate: 0.1 }), { status: 400, code: 'unknown_parameter', param: 'learning_rate', message: 'Unrecognized request argument supplied: learning_rate; allowed: model, training_file, validation_file, suffix, seed, metadata, method, hyperparameters, adapter, integrations.' }],
      ['both method and legacy hyperparameters', createWith.bind(null, { method: { type: 'supervised' }, hyperparameters: { n_epochs: 2 } }), { status: 400, code: 'conflicting_parameters', param: 'hyperparameters', message: "Pass hyperparameters either in 'method' or in the legacy top-level 'hyperparameters', not both." }],
      ['method type rl', createWith.bind(null, { method: { type: 'rl' } }), { status: 400, code: 'invalid_value', param: 'method.type', message: 'Invalid \'method.type\': "rl"; allowed: supervised, dpo.' }],
      ['adapter type prefix', createWith.bind(null, { adapter: { type: 'prefix' } }), { status: 400, code: 'invalid_value', param: 'adapter.type', message: 'Invalid \'adapter.type\': "prefix"; allowed: lora, qlora, full.' }],
      ['LoRA rank 0', createWith.bind(null, { adapter: { r: 0 } }), { status: 400, code: 'invalid_value', param: 'adapter.r', message: "Invalid 'adapter.r': 0; allowed: an integer from 1 to 256." }],
      ['a body that is not JSON', () => () => authed('/fine_tuning/jobs', { method: 'POST', body: '{"model":', headers: { 'content-type': 'application/json' } }), { status: 400, code: 'invalid_json', param: null, message: 'We could not parse the JSON body of your request: Unexpected end of JSON input.' }],
      ['retrieve another project\'s job', () => () => b.fineTuning.jobs.retrieve(doneJob.id), { status: 404, code: 'fine_tuning_job_not_found', param: 'fine_tuning_job_id', message: '' }],
      ['cancel another project\'s job', () => () => b.fineTuning.jobs.cancel(doneJob.id), { status: 404, code: 'fine_tuning_job_not_found', param: 'fine_tuning_job_id', message: '' }],
      ['cancel a job that has succeeded', () => () => a.fineTuning.jobs.cancel(doneJob.id), { status: 400, code: 'job_not_cancellable', param: 'fine_tuning_job_id', message: '' }],
      ['list jobs with limit 101', () => () => a.fineTuning.jobs.list({ limit: 101 }), { status: 400, code: 'invalid_value', param: 'limit', message: 'Invalid \'limit\': "101"; allowed: an integer from 1 to 100.' }],
      ['an unknown URL', () => () => authed('/fine_tuning/nothing'), { status: 404, code: 'unknown_url', param: null, message: 'Invalid URL (GET /v1/fine_tuning/nothing).' }],
      ['a wrong method', () => () => authed('/fine_tuning/jobs', { method: 'DELETE' }), { status: 405, code: 'method_not_allowed', param: null, message: 'Method DELETE is not allowed on /v1/fine_tuning/jobs; allowed: POST, GET.' }],
    ];

    test.each(cases.map(([name, make, expected]) => ({ name, make, expected })))('$name', async ({ make, expected }) => {
      const err = await errorOf(make());
      const want = typeof expected === 'function' ? expected(/file-[A-Za-z0-9]+/.exec(err.message)?.[0] ?? '') : expected;
      const message = want.message !== '' ? want.message : err.message;
      expect(err).toEqual({ ...want, message, type: err.status === 401 ? 'invalid_request_error' : err.status >= 500 ? 'server_error' : 'invalid_request_error' });
      if (want.message === '') expect(err.message).toMatch(doneJob.id);
    });

    test('cancelling a job that has ended is answered once: the SDK, with its default retries, sends one request', async () => {
      // GIVEN a client with the SDK's default retries (2; it retries 408, 409, 429 and 5xx) that counts its requests
      const sent: string[] = [];
      const counting = new OpenAI({
        apiKey: t.keyA,
        baseURL: t.platform.url,
        fetch: (url: Parameters<typeof fetch>[0], init?: RequestInit) => {
          sent.push(`${init?.method ?? 'GET'} ${String(url)}`);
          return fetch(url, init);
        },
      });
      // WHEN it cancels the job that has succeeded
      const err = await errorOf(() => counting.fineTuning.jobs.cancel(doneJob.id));
      // THEN one request was sent and the answer is a 400 naming the job and its state
      expect(sent).toEqual([`POST ${t.platform.url}/fine_tuning/jobs/${doneJob.id}/cancel`]);
      expect(err).toEqual({
        status: 400,
        code: 'job_not_cancellable',
        param: 'fine_tuning_job_id',
        type: 'invalid_request_error',
        message: `Job '${doneJob.id}' has already succeeded; only validating_files, queued and running jobs can be cancelled.`,
      });
    });

    test('a revoked key stops working at once', async () => {
      // GIVEN a working key of a new key record; WHEN it is revoked in the store; THEN the next call is refused
      const k = await createApiKey(t.platform.store, 'alpha', 0);
      const c = t.client(k.key);
      await c.models.list();
      await t.platform.store.revokeApiKey(k.id, 1);
      expect(await errorOf(() => c.models.list())).toEqual({ status: 401, code: 'invalid_api_key', param: null, type: 'invalid_request_error', message: `API key ${k.key.slice(0, 12)}…${k.key.slice(-4)} (${k.id}) was revoked.` });
    });
  });
}
