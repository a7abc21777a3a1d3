/**
 * The streaming checks of the BlobStorage contract rest on peakRetainedBuffers: this proves it sees a store that
 * holds a whole object, so a passing contract means the stores really stream.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { patternStream, peakRetainedBuffers } from './helpers/streams';

const MiB = 1024 * 1024;

test('a consumer that keeps every chunk shows the whole object; one that drops them shows little', async () => {
  // GIVEN a 32 MiB body, consumed slowly enough to be sampled
  const slowly = (keep: Buffer[] | undefined) =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        keep?.push(chunk);
        setImmediate(done);
      },
    });
  // WHEN one consumer buffers it all (until the end) and another drops each chunk
  const kept: Buffer[] = [];
  const buffering = await peakRetainedBuffers(async () => {
    await pipeline(patternStream(32 * MiB), slowly(kept));
    await new Promise((r) => setTimeout(r, 250));
    kept.length = 0;
  });
  const streaming = await peakRetainedBuffers(() => pipeline(patternStream(32 * MiB), slowly(undefined)));
  // THEN the meter tells them apart
  expect(buffering.peakBytes).toBeGreaterThanOrEqual(32 * MiB);
  expect(streaming.peakBytes).toBeLessThan(4 * MiB);
});
