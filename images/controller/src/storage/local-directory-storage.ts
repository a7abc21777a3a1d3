import * as fs from 'node:fs';
import * as path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isLiveProcess } from '../executor/process-probe';
import { BlobNotFoundError, BlobTooLargeError, type LocalPathStorage } from './blob-storage';

/** Mode of every directory the storage creates: owner only. */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode of every file the storage writes or copies: owner only. */
export const PRIVATE_FILE_MODE = 0o600;

/** Makes everything under `target` (itself included) owner-only: copies keep their source's modes otherwise. */
async function makePrivate(target: string): Promise<void> {
  const st = await fs.promises.lstat(target);
  if (st.isDirectory()) {
    await fs.promises.chmod(target, PRIVATE_DIR_MODE);
    for (const name of await fs.promises.readdir(target)) await makePrivate(path.join(target, name));
  } else if (st.isFile()) await fs.promises.chmod(target, PRIVATE_FILE_MODE);
}

/**
 * Blob storage in a local directory. Writes go to a temporary name, are fsynced, then renamed into place. Everything
 * it creates is owner-only (directories 0700, files 0600): uploads are other projects' training data.
 */
export class LocalDirectoryStorage implements LocalPathStorage {
  readonly kind = 'local';

  constructor(readonly root: string) {
    fs.mkdirSync(root, { recursive: true, mode: PRIVATE_DIR_MODE });
    fs.chmodSync(root, PRIVATE_DIR_MODE);
  }

  localPath(key: string): string {
    const resolved = path.resolve(this.root, key);
    if (resolved !== this.root && !resolved.startsWith(this.root + path.sep)) throw new Error(`storage key escapes the root: ${key}`);
    return resolved;
  }

  async put(key: string, body: Readable, options: { readonly maxBytes?: number } = {}): Promise<{ readonly bytes: number }> {
    const target = this.localPath(key);
    await fs.promises.mkdir(path.dirname(target), { recursive: true, mode: PRIVATE_DIR_MODE });
    const tmp = `${target}.partial-${process.pid}-${Date.now()}`;
    let bytes = 0;
    const limit = options.maxBytes ?? Number.POSITIVE_INFINITY;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        if (bytes > limit) done(new BlobTooLargeError(limit));
        else done(null, chunk);
      },
    });
    try {
      const out = fs.createWriteStream(tmp, { mode: PRIVATE_FILE_MODE });
      await pipeline(body, counter, out);
      const fd = await fs.promises.open(tmp, 'r');
      await fd.sync();
      await fd.close();
      await fs.promises.rename(tmp, target);
    } catch (err) {
      await fs.promises.rm(tmp, { force: true });
      throw err;
    }
    return { bytes };
  }

  /**
   * Removes the partial objects (`<key>.partial-<pid>-<ms>`) whose writer is no longer running: what a crash or a kill
   * left mid-write. The platform calls it at start; returns the keys removed.
   */
  async removeStalePartials(): Promise<readonly string[]> {
    const removed: string[] = [];
    for (const key of await this.list('')) {
      const m = /\.partial-(\d+)-\d+$/.exec(key);
      if (m === null || isLiveProcess(Number(m[1]), '')) continue;
      await fs.promises.rm(this.localPath(key), { force: true });
      removed.push(key);
    }
    return removed;
  }

  async get(key: string): Promise<Readable> {
    const p = this.localPath(key);
    try {
      const st = await fs.promises.stat(p);
      if (!st.isFile()) throw new BlobNotFoundError(key);
    } catch (err) {
      if (err instanceof BlobNotFoundError) throw err;
      throw new BlobNotFoundError(key);
    }
    return fs.createReadStream(p);
  }

  async stat(key: string): Promise<{ readonly bytes: number } | undefined> {
    try {
      const st = await fs.promises.stat(this.localPath(key));
      return st.isFile() ? { bytes: st.size } : undefined;
    } catch {
      return undefined;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.promises.rm(this.localPath(key), { recursive: key.endsWith('/'), force: true });
  }

  async putDirectory(prefix: string, localDir: string): Promise<void> {
    await this.copyInto(localDir, this.localPath(prefix));
  }

  async copyPrefix(fromPrefix: string, toPrefix: string): Promise<void> {
    await this.copyInto(this.localPath(fromPrefix), this.localPath(toPrefix));
  }

  private async copyInto(from: string, to: string): Promise<void> {
    await fs.promises.mkdir(path.dirname(to), { recursive: true, mode: PRIVATE_DIR_MODE });
    await fs.promises.cp(from, to, { recursive: true });
    await makePrivate(to);
  }

  async list(prefix: string): Promise<readonly string[]> {
    const base = this.localPath(prefix);
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) await walk(full);
        else if (e.isFile()) out.push(path.relative(base, full).split(path.sep).join('/'));
      }
    };
    await walk(base);
    return out.sort();
  }
}
