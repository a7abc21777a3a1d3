/**
 * The BlobStorage contract, run against every store (local directory, S3 on moto, Azure Blob on Azurite, GCS on a
 * local fake of its JSON API): what the controller relies on when it streams uploads, reads training files, copies
 * adapters and deletes job outputs. Each `*.test.ts` beside this file brings one store up and calls
 * `defineBlobStorageContract`. The object stores run it with list pages of 2 keys, so listing, prefix delete and
 * copy always cross pages.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { BlobNotFoundError, BlobTooLargeError, type BlobStorage } from '../../src/storage/blob-storage';
import { digest, patternStream, peakRetainedBuffers, text } from './helpers/streams';

const MiB = 1024 * 1024;
/** Large enough to span several 5 MiB parts/blocks, small enough for a 2-core CI machine. */
export const LARGE_OBJECT_BYTES = 32 * MiB;
/** Stream and socket buffers any store may hold beyond its parts or blocks. */
const SLACK_BYTES = 4 * MiB;

export interface ContractStore {
  /** Brings the store up (emulator, bucket) and returns it; runs once before the suite. */
  start(): Promise<BlobStorage>;
  /**
   * What one upload holds in memory by the store's design (parts or blocks in flight plus the one being filled);
   * the streaming test allows this plus 4 MiB of stream buffers, and the object is larger than both together.
   * @default 0 (the store streams chunk by chunk)
   */
  readonly uploadBufferBytes?: number;
  /** Objects left by an unfinished upload that the store would bill for (S3 multipart uploads, GCS sessions…). */
  pendingUploads?(): Promise<number>;
  stop(): Promise<void>;
}

function body(s: string): Readable {
  return Readable.from([Buffer.from(s)]);
}

async function getText(s: BlobStorage, key: string): Promise<string> {
  return text(await s.get(key));
}

export function defineBlobStorageContract(storeName: string, store: ContractStore): void {
  let s: BlobStorage;
  let n = 0;
  /** A fresh top-level area per test, so tests never see each other's objects. */
  const area = () => `jobs/t${++n}-${Date.now().toString(36)}/`;

  beforeAll(async () => {
    s = await store.start();
  });
  afterAll(async () => {
    await store.stop();
  });

  describe(`BlobStorage contract: ${storeName}`, () => {
    test('put → stat → get round-trips a small object and reports its size', async () => {
      // GIVEN a key under files/
      const key = `files/file-${n++}`;
      // WHEN a small body is stored
      const put = await s.put(key, body('{"messages": []}\n'));
      // THEN the size is reported by put and stat, and get streams the same bytes back
      expect(put).toEqual({ bytes: 17 });
      expect(await s.stat(key)).toEqual({ bytes: 17 });
      expect(await getText(s, key)).toBe('{"messages": []}\n');
    });

    test('put over an existing key replaces the object', async () => {
      // GIVEN a stored object
      const key = `${area()}manifest.json`;
      await s.put(key, body('old old old'));
      // WHEN the key is written again
      await s.put(key, body('new'));
      // THEN readers see only the new bytes
      expect(await getText(s, key)).toBe('new');
      expect(await s.stat(key)).toEqual({ bytes: 3 });
    });

    test('an empty body stores an empty object', async () => {
      const key = `${area()}empty.txt`;
      expect(await s.put(key, Readable.from([]))).toEqual({ bytes: 0 });
      expect(await s.stat(key)).toEqual({ bytes: 0 });
      expect(await getText(s, key)).toBe('');
    });

    test('a missing key: get rejects with BlobNotFoundError naming the key, stat answers undefined, delete is fine', async () => {
      // GIVEN a key nobody wrote
      const key = 'files/file-never-written';
      // WHEN it is read, looked up and deleted
      const read = s.get(key);
      // THEN get says which object is missing, stat has nothing, and deleting it is not an error
      await expect(read).rejects.toBeInstanceOf(BlobNotFoundError);
      await expect(s.get(key)).rejects.toThrow('no object files/file-never-written');
      expect(await s.stat(key)).toBeUndefined();
      await expect(s.delete(key)).resolves.toBeUndefined();
      await expect(s.delete('jobs/never-written/')).resolves.toBeUndefined();
    });

    test(`streams a ${LARGE_OBJECT_BYTES / MiB} MiB object in and out without holding it in memory`, async () => {
      // GIVEN a body produced lazily, 64 KiB at a time
      const key = `${area()}output/model.safetensors`;
      const expected = await digest(patternStream(LARGE_OBJECT_BYTES));

      // WHEN it is stored and read back while the process's live buffers are sampled
      const up = await peakRetainedBuffers(() => s.put(key, patternStream(LARGE_OBJECT_BYTES)));
      const down = await peakRetainedBuffers(async () => digest(await s.get(key)));

      // THEN every byte arrives intact
      expect(up.result).toEqual({ bytes: LARGE_OBJECT_BYTES });
      expect(await s.stat(key)).toEqual({ bytes: LARGE_OBJECT_BYTES });
      expect(down.result).toEqual(expected);
      // AND neither direction held more than the store's own part/block buffers plus 4 MiB (a store that buffered the
      // object would hold all 32 MiB)
      const allowed = (store.uploadBufferBytes ?? 0) + SLACK_BYTES;
      expect(allowed).toBeLessThan(LARGE_OBJECT_BYTES);
      expect({ storeName, putPeakBytes: up.peakBytes, below: up.peakBytes < allowed }).toEqual({ storeName, putPeakBytes: up.peakBytes, below: true });
      expect({ storeName, getPeakBytes: down.peakBytes, below: down.peakBytes < SLACK_BYTES }).toEqual({ storeName, getPeakBytes: down.peakBytes, below: true });
    });

    test('a body past maxBytes rejects with BlobTooLargeError and stores nothing, also after several parts went up', async () => {
      // GIVEN a 12 MiB body (more than two 5 MiB parts/blocks) and a 6 MiB limit
      const key = `${area()}too-big.jsonl`;
      const limit = 6 * MiB;
      // WHEN it is stored with that limit
      const err: unknown = await s.put(key, patternStream(12 * MiB), { maxBytes: limit }).then(() => 'stored', (e: unknown) => e);
      // THEN it is refused with the limit in the message
      expect(err).toBeInstanceOf(BlobTooLargeError);
      expect((err as Error).message).toBe('object larger than 6291456 bytes');
      // AND nothing is left under the key, nor any unfinished upload
      expect(await s.stat(key)).toBeUndefined();
      expect(await s.list(key.slice(0, key.lastIndexOf('/') + 1))).toEqual([]);
      if (store.pendingUploads !== undefined) expect(await store.pendingUploads()).toBe(0);
    });

    test('a small body past maxBytes is refused before anything is stored; an existing object under the key survives', async () => {
      // GIVEN an object already stored under the key
      const key = `${area()}train.jsonl`;
      await s.put(key, body('first version'));
      // WHEN a 100-byte body is written with a 10-byte limit
      const put = s.put(key, body('x'.repeat(100)), { maxBytes: 10 });
      // THEN it is refused and the first version is untouched
      await expect(put).rejects.toThrow(new BlobTooLargeError(10).message);
      expect(await getText(s, key)).toBe('first version');
      // AND a body of exactly the limit is accepted
      expect(await s.put(key, body('y'.repeat(10)), { maxBytes: 10 })).toEqual({ bytes: 10 });
    });

    test('a source stream that fails makes put reject with its error and store nothing', async () => {
      // GIVEN a body that errors after 1 MiB
      const key = `${area()}broken.bin`;
      const failing = Readable.from(
        (async function* () {
          yield Buffer.alloc(MiB, 1);
          throw new Error('client went away');
        })(),
      );
      // WHEN it is stored
      // THEN put rejects with the source's error and nothing is stored
      await expect(s.put(key, failing)).rejects.toThrow('client went away');
      expect(await s.stat(key)).toBeUndefined();
    });

    test('list returns the keys under a prefix relative to it, sorted, and not those of a sibling sharing its start', async () => {
      // GIVEN objects under jobs/<a>/ and under a sibling jobs/<a>0/
      const a = area();
      const sibling = `${a.slice(0, -1)}0/`;
      for (const k of ['output/metrics.jsonl', 'events.jsonl', 'output/adapter/adapter_config.json']) await s.put(a + k, body(k));
      await s.put(`${sibling}events.jsonl`, body('other job'));
      // WHEN the prefix is listed, with and without its trailing slash
      // THEN only its own keys come back, relative and sorted
      const expected = ['events.jsonl', 'output/adapter/adapter_config.json', 'output/metrics.jsonl'];
      expect(await s.list(a)).toEqual(expected);
      expect(await s.list(a.slice(0, -1))).toEqual(expected);
      expect(await s.list(`${a}output/`)).toEqual(['adapter/adapter_config.json', 'metrics.jsonl']);
      expect(await s.list(`${a}nothing-here/`)).toEqual([]);
    });

    test('delete of a prefix removes everything under it and nothing beside it', async () => {
      // GIVEN a job's outputs and a sibling job's
      const a = area();
      const sibling = `${a.slice(0, -1)}0/`;
      await s.put(`${a}output/checkpoint-1/state.bin`, body('1'));
      await s.put(`${a}output/checkpoint-2/state.bin`, body('2'));
      await s.put(`${a}spec.json`, body('{}'));
      await s.put(`${sibling}spec.json`, body('{}'));
      // WHEN the job's prefix is deleted
      await s.delete(a);
      // THEN its objects are gone and the sibling's remain
      expect(await s.list(a)).toEqual([]);
      expect(await s.stat(`${a}spec.json`)).toBeUndefined();
      expect(await s.list(sibling)).toEqual(['spec.json']);
      // AND deleting one key removes just that key
      await s.delete(`${sibling}spec.json`);
      expect(await s.list(sibling)).toEqual([]);
    });

    test('copyPrefix copies every object under a prefix to another (adapter → adapters/<fine-tuned model>/), leaving the source', async () => {
      // GIVEN a trainer's adapter output
      const a = area();
      const files = { 'adapter_config.json': '{"r": 8}', 'adapter_model.safetensors': 'weights', 'tokenizer/tokenizer.json': '{}' };
      for (const [k, v] of Object.entries(files)) await s.put(`${a}output/adapter/${k}`, body(v));
      const target = `adapters/vpctune/tiny-chat:e2e:${a.slice(6, 14).replace(/[^a-z0-9]/g, '0')}/`;
      // WHEN it is copied under the fine-tuned model's prefix (the id has a slash and colons)
      await s.copyPrefix(`${a}output/adapter/`, target);
      // THEN the copy has the same keys and bytes, and the source is intact
      expect(await s.list(target)).toEqual(Object.keys(files).sort());
      for (const [k, v] of Object.entries(files)) expect(await getText(s, target + k)).toBe(v);
      expect(await s.list(`${a}output/adapter/`)).toEqual(Object.keys(files).sort());
      await s.delete(target);
      expect(await s.list(target)).toEqual([]);
    });

    test('putDirectory uploads a local directory tree under a prefix (models/<id>/)', async () => {
      // GIVEN a local model directory with a nested file
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-contract-'));
      try {
        fs.writeFileSync(path.join(dir, 'config.json'), '{"model_type": "llama"}');
        fs.mkdirSync(path.join(dir, 'tokenizer'));
        fs.writeFileSync(path.join(dir, 'tokenizer', 'tokenizer.json'), '{"version": "1.0"}');
        const prefix = `models/org-${n++}/tiny-chat/`;
        // WHEN it is put under a model prefix
        await s.putDirectory(prefix, dir);
        // THEN every file is there with its bytes
        expect(await s.list(prefix)).toEqual(['config.json', 'tokenizer/tokenizer.json']);
        expect(await getText(s, `${prefix}tokenizer/tokenizer.json`)).toBe('{"version": "1.0"}');
        expect(await s.stat(`${prefix}config.json`)).toEqual({ bytes: 23 });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
