import type { BlobStorage } from '../../storage/blob-storage';
import { BlobNotFoundError } from '../../storage/blob-storage';
import { parseTrainerEvent, type TrainerEvent } from '../trainer-contract';

/**
 * Reads the complete lines of `events.jsonl` after byte offset `cursor` from blob storage, with the cursor semantics of
 * the local executor's file reader: a partly written last line waits for the next read. The trainer in the pod mirrors
 * its output directory to the bucket after every checkpoint, at the end and on failure (images/trainer/README.md), and a
 * resumed attempt pulls the object before appending to it, so the object only grows. Object stores have no ranged read
 * behind the BlobStorage interface: the object is read whole when it has grown past the cursor (`stat` first).
 */
export interface BlobEvents {
  readonly events: readonly TrainerEvent[];
  /** Byte offset after the last complete line read. */
  readonly cursor: number;
  /** `ends[i]`: the byte offset right after `events[i]`'s line (a cursor that stops after it). */
  readonly ends: readonly number[];
}

export async function readBlobEventsAfter(storage: BlobStorage, key: string, cursor: number): Promise<BlobEvents> {
  const stat = await storage.stat(key);
  if (stat === undefined || stat.bytes <= cursor) return { events: [], cursor, ends: [] };
  let body: Buffer;
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of await storage.get(key)) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
    body = Buffer.concat(chunks);
  } catch (err) {
    if (err instanceof BlobNotFoundError) return { events: [], cursor, ends: [] };
    throw err;
  }
  if (body.length <= cursor) return { events: [], cursor, ends: [] };
  const rest = body.subarray(cursor);
  const lastNewline = rest.lastIndexOf(10);
  if (lastNewline === -1) return { events: [], cursor, ends: [] };
  const events: TrainerEvent[] = [];
  const ends: number[] = [];
  let offset = cursor;
  for (const line of rest.subarray(0, lastNewline).toString('utf8').split('\n')) {
    offset += Buffer.byteLength(line) + 1;
    const e = line.trim() === '' ? undefined : parseTrainerEvent(line);
    if (e !== undefined) {
      events.push(e);
      ends.push(offset);
    }
  }
  return { events, cursor: cursor + lastNewline + 1, ends };
}
