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
    await new Promise((r) => setTimeout(r, 1000)); // long enough for a sample while everything is held
    kept.length = 0;
  });
  const streaming = await peakRetainedBuffers(() => pipeline(patternStream(32 * MiB), slowly(undefined)));
  // THEN the meter tells them apart: at least 28 of the 32 MiB for the first (the baseline moves by a MiB or two on a busy machine), under 4 MiB for the second
  expect({ buffering: buffering.peakBytes >= 28 * MiB, streaming: streaming.peakBytes < 4 * MiB, peaks: [buffering.peakBytes, streaming.peakBytes] }).toEqual({
    buffering: true,
    streaming: true,
    peaks: [buffering.peakBytes, streaming.peakBytes],
  });
});
