import { Readable } from 'node:stream';
import type { BlobStorage } from './blob-storage';

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** A POSIX ustar header for a regular file (names up to 255 bytes via the prefix field). */
function header(name: string, size: number, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new Error(`path too long for tar: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  h.write(base, 0, 100, 'utf8');
  h.write(octal(0o644, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii');
  h.write(octal(0, 8), 116, 8, 'ascii');
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(mtime, 12), 136, 12, 'ascii');
  h.write('        ', 148, 8, 'ascii');
  h.write('0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 8, 'ascii');
  return h;
}

/** Streams every object under `prefix` as one tar archive whose entries start with `rootName/`. */
export function tarPrefix(storage: BlobStorage, prefix: string, rootName: string): Readable {
  async function* generate(): AsyncGenerator<Buffer> {
    const mtime = Math.floor(Date.now() / 1000);
    for (const rel of await storage.list(prefix)) {
      const chunks: Buffer[] = [];
      for await (const c of await storage.get(prefix + rel)) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks);
      yield header(`${rootName}/${rel}`, body.length, mtime);
      yield body;
      const pad = (BLOCK - (body.length % BLOCK)) % BLOCK;
      if (pad > 0) yield Buffer.alloc(pad, 0);
    }
    yield Buffer.alloc(BLOCK * 2, 0);
  }
  return Readable.from(generate());
}
