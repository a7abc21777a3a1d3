import * as fs from 'node:fs';
import * as path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobNotFoundError, BlobTooLargeError, type LocalPathStorage } from './blob-storage';

/** Blob storage in a local directory. Writes go to a temporary name, are fsynced, then renamed into place. */
export class LocalDirectoryStorage implements LocalPathStorage {
  readonly kind = 'local';

  constructor(readonly root: string) {
    fs.mkdirSync(root, { recursive: true });
  }

  localPath(key: string): string {
    const resolved = path.resolve(this.root, key);
    if (resolved !== this.root && !resolved.startsWith(this.root + path.sep)) throw new Error(`storage key escapes the root: ${key}`);
    return resolved;
  }

  async put(key: string, body: Readable, options: { readonly maxBytes?: number } = {}): Promise<{ readonly bytes: number }> {
    const target = this.localPath(key);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
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
      const out = fs.createWriteStream(tmp);
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
    await fs.promises.cp(localDir, this.localPath(prefix), { recursive: true });
  }

  async copyPrefix(fromPrefix: string, toPrefix: string): Promise<void> {
    await fs.promises.cp(this.localPath(fromPrefix), this.localPath(toPrefix), { recursive: true });
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
