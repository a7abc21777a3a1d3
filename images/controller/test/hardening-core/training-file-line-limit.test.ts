/**
 * Validation of a training file is linear in its size and bounded per line: a line longer than the documented limit
 * (MAX_LINE_BYTES, 1 MiB) is refused with a message naming the line, without holding or re-copying it, and a file
 * twice as long takes about twice as long to refuse.
 */
import { Readable } from 'node:stream';
import { MAX_LINE_BYTES } from '../../src/validation/training-file-rules';
import { validateTrainingFile } from '../../src/validation/training-file-validator';
import { sftJsonl } from '../helpers/training-data';

const CHUNK = Buffer.alloc(16 * 1024, 0x61);

/** One valid line, then a line of `bytes` bytes without a newline, streamed in 16 KiB chunks (a file stream's size). */
function longLineStream(bytes: number): Readable {
  return Readable.from(
    (function* () {
      yield Buffer.from(sftJsonl(1));
      for (let sent = 0; sent < bytes; sent += CHUNK.length) yield CHUNK.subarray(0, Math.min(CHUNK.length, bytes - sent));
    })(),
  );
}

async function timedMs(bytes: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  await validateTrainingFile(longLineStream(bytes), 'sft');
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

test('the documented limit is 1 MiB per line', () => {
  expect(MAX_LINE_BYTES).toBe(1024 * 1024);
});

test('GIVEN a 32 MiB line without a newline WHEN validated THEN it is refused quickly, naming the line and the limit', async () => {
  // GIVEN a file whose second line is 32 MiB long
  const started = Date.now();
  // WHEN it is validated
  const result = await validateTrainingFile(longLineStream(32 * 1024 * 1024), 'sft');
  // THEN the line is refused with the limit in the message, and it took well under the seconds a quadratic scan takes
  expect(result.problems.map((p) => p.message)).toEqual(['line 2: is longer than the limit of 1048576 bytes per line', 'file has 1 valid example; at least 10 are required']);
  expect(result.problems[0]?.line).toBe(2);
  expect(Date.now() - started).toBeLessThan(5000);
}, 120_000);

test('a line exactly at the limit (plus a trailing \\r) is not refused for its length', async () => {
  // GIVEN a line of exactly MAX_LINE_BYTES bytes ending with \r\n, not JSON
  const line = Buffer.concat([Buffer.alloc(MAX_LINE_BYTES, 0x61), Buffer.from('\r\n')]);
  // WHEN validated THEN its error is the JSON one, not the length
  const result = await validateTrainingFile(Readable.from([line]), 'sft', 0);
  expect(result.problems.map((p) => p.message)).toEqual(['line 1: is not valid JSON']);
});

test('GIVEN long lines of 4 and 16 MiB WHEN each is validated THEN four times the bytes take about four times the time, not sixteen', async () => {
  // GIVEN two inputs, one four times the size of the other (warm-up first; best of three each, to dampen a busy machine)
  await timedMs(4 * 1024 * 1024);
  const best = async (bytes: number) => Math.min(await timedMs(bytes), await timedMs(bytes), await timedMs(bytes));
  // WHEN both are validated
  const small = await best(4 * 1024 * 1024);
  const large = await best(16 * 1024 * 1024);
  // THEN the ratio is linear (~4; a quadratic scan gives ~16; the bound leaves room for a busy machine's noise)
  expect(large / small).toBeLessThan(8);
}, 300_000);
