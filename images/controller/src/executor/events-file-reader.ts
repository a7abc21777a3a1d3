import * as fs from 'node:fs';
import { parseTrainerEvent, type TrainerEvent } from './trainer-contract';

/** Reads complete lines of `events.jsonl` after byte offset `cursor`; a partly written last line waits for next time. */
export async function readEventsAfter(file: string, cursor: number): Promise<{ readonly events: readonly TrainerEvent[]; readonly cursor: number }> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch {
    return { events: [], cursor };
  }
  try {
    const { size } = await handle.stat();
    if (size <= cursor) return { events: [], cursor };
    const buf = Buffer.alloc(size - cursor);
    await handle.read(buf, 0, buf.length, cursor);
    const lastNewline = buf.lastIndexOf(10);
    if (lastNewline === -1) return { events: [], cursor };
    const events: TrainerEvent[] = [];
    for (const line of buf.subarray(0, lastNewline).toString('utf8').split('\n')) {
      const e = line.trim() === '' ? undefined : parseTrainerEvent(line);
      if (e !== undefined) events.push(e);
    }
    return { events, cursor: cursor + lastNewline + 1 };
  } finally {
    await handle.close();
  }
}
