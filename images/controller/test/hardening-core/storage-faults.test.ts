/**
 * Storage faults are named as such. Simulated with fault-injecting wrappers around local directory storage (running as
 * root, a read-only directory would still be writable) that fail the way Node's fs does (errno codes ENOSPC, EROFS,
 * EIO), and with a trainer stand-in that dies the way Python does on a full disk.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { toFile } from 'openai';
import { LocalDirectoryStorage } from '../../src/storage/local-directory-storage';
import { errorOf } from '../helpers/api-error-assert';
import { startTestPlatform, waitFor, type TestPlatform } from '../helpers/test-platform';
import { sftJsonl } from '../helpers/training-data';

function fsError(code: string, text: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${text}, ${syscall} '/srv/data/storage/files/x.partial'`), { code, errno: -1, syscall });
}

class FaultyStorage extends LocalDirectoryStorage {
  writeFault: NodeJS.ErrnoException | undefined;
  readFault: NodeJS.ErrnoException | undefined;
  override async put(key: string, body: Readable, options?: { readonly maxBytes?: number }): Promise<{ readonly bytes: number }> {
    if (this.writeFault !== undefined) {
      body.resume();
      throw this.writeFault;
    }
    return super.put(key, body, options);
  }
  override async get(key: string): Promise<Readable> {
    if (this.readFault !== undefined) throw this.readFault;
    return super.get(key);
  }
}

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

test('GIVEN a full disk WHEN a file is uploaded THEN 503 storage_unavailable saying it is a storage fault, with no path', async () => {
  // GIVEN storage whose writes fail with ENOSPC
  const storage = new FaultyStorage(tmp('vpctune-full-'));
  tp = await startTestPlatform({ storage });
  storage.writeFault = fsError('ENOSPC', 'no space left on device', 'write');
  // WHEN a file is uploaded
  const err = await errorOf(async () => tp!.client(tp!.keyA).files.create({ file: await toFile(Buffer.from(sftJsonl(12)), 'train.jsonl'), purpose: 'fine-tune' }));
  // THEN the answer is a 503 naming the storage fault
  expect(err).toEqual({ status: 503, type: 'server_error', code: 'storage_unavailable', param: null, message: 'Storage is unavailable: no space left on device (ENOSPC). Nothing was stored; retry once storage is writable again.' });
});

test('GIVEN storage that fails reads WHEN a job is created THEN 503 storage_unavailable, and no job', async () => {
  // GIVEN an uploaded file, then storage whose reads fail with EIO
  const storage = new FaultyStorage(tmp('vpctune-eio-'));
  tp = await startTestPlatform({ storage });
  const c = tp.client(tp.keyA);
  const file = await c.files.create({ file: await toFile(Buffer.from(sftJsonl(12)), 'train.jsonl'), purpose: 'fine-tune' });
  storage.readFault = fsError('EIO', 'i/o error', 'read');
  // WHEN a job is created on it
  const err = await errorOf(() => c.fineTuning.jobs.create({ model: 'vpctune/tiny-chat', training_file: file.id }));
  // THEN a 503 names the storage fault, and no job exists
  expect(err).toEqual({ status: 503, type: 'server_error', code: 'storage_unavailable', param: null, message: 'Storage is unavailable: i/o error (EIO). Nothing was stored; retry once storage is writable again.' });
  expect((await c.fineTuning.jobs.list()).data).toEqual([]);
});

test('GIVEN read-only storage WHEN /readyz is asked THEN 503 saying storage cannot be written, and 200 again once it can', async () => {
  // GIVEN storage that still answers lookups but refuses writes
  const storage = new FaultyStorage(tmp('vpctune-rofs-'));
  tp = await startTestPlatform({ storage });
  const base = tp.platform.url.replace(/\/v1$/, '');
  storage.writeFault = fsError('EROFS', 'read-only file system', 'open');
  // WHEN readiness is checked
  const res = await fetch(`${base}/readyz`);
  // THEN it is not ready, and says storage cannot be written
  expect(res.status).toBe(503);
  expect(await res.json()).toEqual({ status: 'unavailable', reason: 'storage is not writable: read-only file system (EROFS)' });
  // AND once writes work again it is ready, and the probe left nothing behind
  storage.writeFault = undefined;
  expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ok' });
  expect((await storage.list('')).filter((k) => k.includes('probe'))).toEqual([]);
});

/** A trainer stand-in that starts, then dies the way Python does when the disk fills while it writes a checkpoint. */
function diskFullTrainer(): string {
  const dir = tmp('vpctune-enospc-trainer-');
  fs.mkdirSync(path.join(dir, 'vpctune_trainer'));
  fs.writeFileSync(path.join(dir, 'vpctune_trainer', '__init__.py'), '');
  fs.writeFileSync(
    path.join(dir, 'vpctune_trainer', '__main__.py'),
    [
      'import json, os, sys, time',
      'spec = json.load(open(sys.argv[3]))',
      'os.makedirs(spec["output_dir"], exist_ok=True)',
      'line = json.dumps({"type": "started", "time": time.time(), "total_steps": 10, "n_epochs": 1, "resumed_from_step": None, "hyperparameters": {"n_epochs": 1, "batch_size": 1, "learning_rate_multiplier": 1.0}})',
      'open(os.path.join(spec["output_dir"], "events.jsonl"), "a").write(line + "\\n")',
      'ckpt = os.path.join(spec["output_dir"], "checkpoints", "step-2", "adapter_model.safetensors")',
      'sys.stderr.write("Traceback (most recent call last):\\n  File \\"trainer.py\\", line 1, in save\\nOSError: [Errno 28] No space left on device: %r\\n" % ckpt)',
      'sys.exit(1)',
    ].join('\n'),
  );
  return dir;
}

test('GIVEN the disk fills while the trainer writes WHEN it dies THEN the job fails at once naming the storage fault, with no path', async () => {
  // GIVEN a platform whose trainer hits ENOSPC
  tp = await startTestPlatform({ fakeTrainerEnv: { PYTHONPATH: diskFullTrainer() } });
  const c = tp.client(tp.keyA);
  const file = await c.files.create({ file: await toFile(Buffer.from(sftJsonl(12)), 'train.jsonl'), purpose: 'fine-tune' });
  // WHEN a job runs
  const job = await c.fineTuning.jobs.create({ model: 'vpctune/tiny-chat', training_file: file.id });
  const failed = await waitFor('the job to fail', async () => {
    const j = await c.fineTuning.jobs.retrieve(job.id);
    return j.status === 'failed' ? j : undefined;
  }, 30_000);
  // THEN its error says it is a storage fault, and the data directory appears nowhere
  expect(failed.error).toEqual({ code: 'storage_unavailable', param: null, message: 'The trainer could not write to storage: no space left on device (ENOSPC). Free space or make storage writable, then create the job again.' });
  expect(JSON.stringify((await c.fineTuning.jobs.listEvents(job.id)).data)).not.toContain(tp.dataDir);
});
