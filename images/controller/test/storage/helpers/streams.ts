import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

const CHUNK = 64 * 1024;
const BLOCK = (() => {
  const b = Buffer.alloc(CHUNK);
  let x = 0x9e3779b9;
  for (let i = 0; i < CHUNK; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
})();

/** `bytes` of deterministic, incompressible-looking data, produced lazily 64 KiB at a time as the consumer reads. */
export function patternStream(bytes: number): Readable {
  let sent = 0;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (sent >= bytes) {
        this.push(null);
        return;
      }
      const n = Math.min(CHUNK, bytes - sent);
      const chunk = Buffer.from(BLOCK.subarray(0, n));
      chunk.writeUInt32BE(sent / CHUNK, 0);
      sent += n;
      this.push(chunk);
    },
  });
}

/** SHA-256 and length of what a stream yields, consumed chunk by chunk. */
export async function digest(stream: AsyncIterable<Buffer | string>): Promise<{ readonly sha256: string; readonly bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  for await (const c of stream) {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    h.update(b);
    bytes += b.length;
  }
  return { sha256: h.digest('hex'), bytes };
}

export async function text(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(parts).toString('utf8');
}

let gc: (() => void) | undefined;
function fullGc(): void {
  if (gc === undefined) {
    v8.setFlagsFromString('--expose-gc');
    // Free dead Buffers' memory inside gc() itself: swept on a background thread, they would still be counted on a
    // busy machine, and the peak would include garbage.
    v8.setFlagsFromString('--no-concurrent-array-buffer-sweeping');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
}

/**
 * Runs `work` while sampling, after a full GC each time, how many bytes of Buffers/ArrayBuffers this process keeps
 * alive; returns the work's result and the peak above the starting level. A store that buffered a whole object would
 * show at least the object's size; a streaming one shows its part or block buffers.
 */
export async function peakRetainedBuffers<T>(work: () => Promise<T>, everyMs = 100): Promise<{ readonly result: T; readonly peakBytes: number }> {
  fullGc();
  const start = process.memoryUsage().arrayBuffers;
  let peak = 0;
  let timer: NodeJS.Timeout | undefined;
  let running = true;
  // A full GC of a big heap takes tens of milliseconds: wait at least 3x as long as the last one took before the
  // next, so sampling never takes more than a quarter of the time.
  const sample = () => {
    const t0 = performance.now();
    fullGc();
    peak = Math.max(peak, process.memoryUsage().arrayBuffers - start);
    if (running) timer = setTimeout(sample, Math.max(everyMs, 3 * (performance.now() - t0)));
  };
  timer = setTimeout(sample, 0);
  try {
    const result = await work();
    return { result, peakBytes: peak };
  } finally {
    running = false;
    clearTimeout(timer);
  }
}
