/**
 * A trainer's last batch of events (steps, then `finished`) is committed in one transaction with the job's end
 * state and events cursor. Registering results (copying the metrics, building the weights tar) takes time; a controller
 * killed then must not leave that batch stored with the cursor behind it, or the next controller relays it twice
 * (seen as duplicated "Step N" events after kill -9 in the restart test).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { toFile } from 'openai';
import { readEventsAfter } from '../src/executor/events-file-reader';
import { LocalDirectoryStorage } from '../src/storage/local-directory-storage';
import { sftJsonl } from './helpers/training-data';
import { startTestPlatform, type TestPlatform } from './helpers/test-platform';

class GatedStorage extends LocalDirectoryStorage {
  entered!: () => void;
  readonly inRegistration = new Promise<void>((resolve) => {
    this.entered = resolve;
  });
  release!: () => void;
  private readonly gate = new Promise<void>((resolve) => {
    this.release = resolve;
  });

  /** Holds the first write of a result file (`results/<job id>/…`): registration has begun, nothing is committed. */
  override async put(key: string, body: Readable, options: { readonly maxBytes?: number } = {}): Promise<{ readonly bytes: number }> {
    if (key.startsWith('results/')) {
      this.entered();
      await this.gate;
    }
    return super.put(key, body, options);
  }
}

let tp: TestPlatform | undefined;
afterEach(async () => {
  await tp?.close();
});

test('GIVEN the trainer finished WHEN results are being registered THEN none of its last batch is stored yet, and afterwards all of it once', async () => {
  // GIVEN a platform whose storage holds result registration at its first result file, and a trainer that writes every
  // event at once (no step delay), so its steps and `finished` arrive in one batch
  const storage = new GatedStorage(fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-gated-')));
  tp = await startTestPlatform({ storage, fakeTrainerEnv: { FAKE_STEPS: '6', FAKE_STEP_SECONDS: '0' } });
  const client = tp.client(tp.keyA);
  const file = await client.files.create({ file: await toFile(Buffer.from(sftJsonl(12)), 'train.jsonl'), purpose: 'fine-tune' });
  const job = await client.fineTuning.jobs.create({ model: 'vpctune/tiny-chat', training_file: file.id });

  // WHEN the supervisor is registering the results
  await storage.inRegistration;
  const during = await tp.platform.store.getJobById(job.id);
  const storedDuring = (await tp.platform.store.listEvents(job.id, { limit: 100 })).data.map((e) => e.message);

  // THEN the job is still running, and no event of the batch being finished (everything after the stored cursor in
  // the trainer's events.jsonl: its last steps and `finished`) is stored yet
  expect(during?.status).toBe('running');
  const eventsFile = path.join(storage.localPath(`jobs/${job.id}/output/`), 'events.jsonl');
  const pending = (await readEventsAfter(eventsFile, during?.eventsCursor ?? 0)).events;
  expect(pending.map((e) => e.type)).toContain('finished');
  const pendingSteps = pending.flatMap((e) => (e.type === 'metrics' ? [`Step ${e.iteration}/6`] : []));
  expect(storedDuring.filter((m) => pendingSteps.includes(m.split(':')[0] ?? ''))).toEqual([]);
  // (with every step written at once the batch normally holds them all; the check above holds for any split)

  // AND once registration completes, the steps, the model and the end are stored exactly once
  storage.release();
  for (let i = 0; i < 200 && (await client.fineTuning.jobs.retrieve(job.id)).status === 'running'; i++) await new Promise((r) => setTimeout(r, 25));
  const after = (await tp.platform.store.listEvents(job.id, { limit: 100 })).data.map((e) => e.message).reverse();
  expect(after.filter((m) => m.startsWith('Step ')).map((m) => m.split(':')[0])).toEqual(['Step 1/6', 'Step 2/6', 'Step 3/6', 'Step 4/6', 'Step 5/6', 'Step 6/6']);
  expect(after.filter((m) => m === 'The job has successfully completed')).toHaveLength(1);
  expect((await client.fineTuning.jobs.retrieve(job.id)).status).toBe('succeeded');
});
