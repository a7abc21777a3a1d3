/**
 * No server path reaches a client: a job whose training file was deleted before it started fails naming the file id,
 * and a trainer's failure that quotes local paths is shown with storage keys instead. Local storage is owner-only:
 * directories 0700, files 0600 (uploads, copies, trainer outputs, the SQLite store).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { toFile } from 'openai';
import { LocalDirectoryStorage } from '../../src/storage/local-directory-storage';
import { startTestPlatform, waitFor, type TestPlatform } from '../helpers/test-platform';
import { sftJsonl } from '../helpers/training-data';

const dirs: string[] = [];
let tp: TestPlatform | undefined;
afterEach(async () => {
  await tp?.close();
  tp = undefined;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmp(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
}

/** A trainer stand-in that fails the way a real one does on a missing file: quoting the local path it was given. */
function pathQuotingTrainer(): string {
  const dir = tmp('vpctune-path-trainer-');
  fs.mkdirSync(path.join(dir, 'vpctune_trainer'));
  fs.writeFileSync(path.join(dir, 'vpctune_trainer', '__init__.py'), '');
  fs.writeFileSync(
    path.join(dir, 'vpctune_trainer', '__main__.py'),
    [
      'import json, os, sys, time',
      'spec = json.load(open(sys.argv[3]))',
      'os.makedirs(spec["output_dir"], exist_ok=True)',
      'msg = "[Errno 2] No such file or directory: %r" % spec["training_file"]',
      'line = json.dumps({"type": "failed", "time": time.time(), "code": "internal", "message": msg, "param": None})',
      'open(os.path.join(spec["output_dir"], "events.jsonl"), "a").write(line + "\\n")',
      'print(line, flush=True)',
      'sys.stderr.write("Traceback: open(%r)\\n" % spec["training_file"])',
      'sys.exit(1)',
    ].join('\n'),
  );
  return dir;
}

function modeOf(p: string): string {
  return (fs.statSync(p).mode & 0o777).toString(8);
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? [full, ...walk(full)] : [full];
  });
}

test('GIVEN a queued job whose training file is deleted WHEN it starts THEN it fails naming the file, with no server path', async () => {
  // GIVEN one slow job running and a second job of the same project queued behind it
  tp = await startTestPlatform({ supervisor: { maxConcurrentJobs: 1 } });
  const c = tp.client(tp.keyA);
  const slowFile = await c.files.create({ file: await toFile(Buffer.from(sftJsonl(12)), 'slow.jsonl'), purpose: 'fine-tune' });
  const slow = await c.fineTuning.jobs.create({ model: 'vpctune/tiny-chat', training_file: slowFile.id, hyperparameters: { n_epochs: 50 } });
  await waitFor('the slow job to run', async () => ((await c.fineTuning.jobs.retrieve(slow.id)).status === 'running' ? true : undefined));
  const file = await c.files.create({ file: await toFile(Buffer.from(sftJsonl(12)), 'train.jsonl'), purpose: 'fine-tune' });
  const queued = await c.fineTuning.jobs.create({ model: 'vpctune/tiny-chat', training_file: file.id });
  // WHEN its training file is deleted, and the slot frees up
  await c.files.delete(file.id);
  await c.fineTuning.jobs.cancel(slow.id);
  const ended = await waitFor('the queued job to end', async () => {
    const j = await c.fineTuning.jobs.retrieve(queued.id);
    return ['succeeded', 'failed', 'cancelled'].includes(j.status) ? j : undefined;
  });
  // THEN it failed naming the file id, and nothing the client reads mentions the data directory
  expect(ended.status).toBe('failed');
  expect(ended.error).toEqual({ code: 'file_not_found', param: 'training_file', message: `The training file '${file.id}' was deleted before the job started; upload it again and create a new job.` });
  const events = JSON.stringify((await c.fineTuning.jobs.listEvents(queued.id, { limit: 100 })).data);
  expect(events).not.toContain(tp.dataDir);
});

test('GIVEN a trainer that fails quoting a local path WHEN the job fails THEN the error shows the storage key, not the path', async () => {
  // GIVEN a platform whose trainer reports its failure with the absolute path of the training file
  tp = await startTestPlatform({ fakeTrainerEnv: { PYTHONPATH: pathQuotingTrainer() } });
  const c = tp.client(tp.keyA);
  const file = await c.files.create({ file: await toFile(Buffer.from(sftJsonl(12)), 'train.jsonl'), purpose: 'fine-tune' });
  // WHEN a job runs and fails
  const job = await c.fineTuning.jobs.create({ model: 'vpctune/tiny-chat', training_file: file.id });
  const ended = await waitFor('the job to fail', async () => {
    const j = await c.fineTuning.jobs.retrieve(job.id);
    return j.status === 'failed' ? j : undefined;
  });
  // THEN its error names the storage key; neither the error nor any event holds the data directory
  expect(ended.error).toEqual({ code: 'internal', param: null, message: `[Errno 2] No such file or directory: 'files/${file.id}'` });
  const events = JSON.stringify((await c.fineTuning.jobs.listEvents(job.id, { limit: 100 })).data);
  expect(events).toContain(`files/${file.id}`);
  expect(events).not.toContain(tp.dataDir);
});

test('GIVEN local storage WHEN objects are written, copied and a job runs THEN every directory is 0700 and every file 0600', async () => {
  // GIVEN a fresh platform (local directory storage, SQLite store) and a finished job
  tp = await startTestPlatform();
  const c = tp.client(tp.keyA);
  const file = await c.files.create({ file: await toFile(Buffer.from(sftJsonl(12)), 'train.jsonl'), purpose: 'fine-tune' });
  const job = await c.fineTuning.jobs.create({ model: 'vpctune/tiny-chat', training_file: file.id });
  await waitFor('the job to succeed', async () => ((await c.fineTuning.jobs.retrieve(job.id)).status === 'succeeded' ? true : undefined));
  // WHEN the storage tree and the store are inspected
  const root = path.join(tp.dataDir, 'storage');
  const entries = [root, ...walk(root)];
  // THEN directories are 0700 and files 0600, the store too
  const wrong = entries.filter((p) => modeOf(p) !== (fs.statSync(p).isDirectory() ? '700' : '600')).map((p) => `${path.relative(root, p)} ${modeOf(p)}`);
  expect(wrong).toEqual([]);
  expect(entries.some((p) => p.endsWith('adapter.tar'))).toBe(true);
  expect(modeOf(path.join(tp.dataDir, 'controller.db'))).toBe('600');
});

test('GIVEN a directory with world-readable files WHEN put, putDirectory and copyPrefix store them THEN the copies are owner-only', async () => {
  // GIVEN a source directory with 0644 files under 0755 directories
  const src = tmp('vpctune-src-');
  fs.mkdirSync(path.join(src, 'sub'), { mode: 0o755 });
  fs.writeFileSync(path.join(src, 'sub', 'w.bin'), 'x', { mode: 0o644 });
  const storage = new LocalDirectoryStorage(path.join(tmp('vpctune-root-'), 'storage'));
  // WHEN stored three ways
  await storage.put('files/file-a', Readable.from([Buffer.from('hello')]));
  await storage.putDirectory('models/m/', src);
  await storage.copyPrefix('models/m/', 'adapters/a/');
  // THEN every directory is 0700 and every file 0600
  const entries = [storage.root, ...walk(storage.root)];
  expect(entries.map((p) => `${path.relative(storage.root, p)} ${modeOf(p)}`).sort()).toEqual(
    [' 700', 'adapters 700', 'adapters/a 700', 'adapters/a/sub 700', 'adapters/a/sub/w.bin 600', 'files 700', 'files/file-a 600', 'models 700', 'models/m 700', 'models/m/sub 700', 'models/m/sub/w.bin 600'].sort(),
  );
});
