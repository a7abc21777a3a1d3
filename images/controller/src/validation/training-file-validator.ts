import type { Readable } from 'node:stream';
import { estimateMessageTokens } from '../../../../constructs/estimate/token-count';
import { checkRecord, LineError, MAX_LINE_ERRORS, MESSAGES, MIN_EXAMPLES, type DataKind } from './training-file-rules';

export interface DataProblem {
  readonly message: string;
  /** 1-based line number, or null for a file-level problem. */
  readonly line: number | null;
}

export interface ValidationResult {
  readonly ok: boolean;
  /** Up to 20 line problems, then file-level ones; empty when ok. */
  readonly problems: readonly DataProblem[];
  /** Non-blank lines. */
  readonly examples: number;
  /**
   * Supervised files: tokens by the estimator's no-tokenizer rule (characters / 4 + 4 per message, see
   * constructs/estimate/token-count.ts), for a queued job's `estimated_finish`. Undefined for DPO files.
   */
  readonly estimatedTokens?: number;
}

function isBlank(line: Buffer): boolean {
  for (const b of line) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}

/** JSON.parse that also rejects what Python's validator rejects and JavaScript would not see (none today). */
function parseLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new LineError(MESSAGES.notJson);
  }
}

/**
 * Streams a JSONL training file (one line in memory at a time) and reports its problems exactly as the trainer does:
 * line-level messages start with `line N: `, file-level ones do not.
 */
export async function validateTrainingFile(stream: Readable, kind: DataKind, minExamples = MIN_EXAMPLES): Promise<ValidationResult> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const problems: DataProblem[] = [];
  let pending: Buffer = Buffer.alloc(0);
  let lineNo = 0;
  let examples = 0;
  let lineErrors = 0;
  let estimatedTokens = 0;

  const handle = (raw: Buffer): void => {
    lineNo += 1;
    const line = raw.length > 0 && raw[raw.length - 1] === 0x0d ? raw.subarray(0, -1) : raw;
    if (isBlank(line)) return;
    examples += 1;
    try {
      let text: string;
      try {
        text = decoder.decode(line);
      } catch {
        throw new LineError(MESSAGES.notUtf8);
      }
      const record = parseLine(text);
      checkRecord(record, kind);
      if (kind === 'sft') {
        for (const m of (record as { messages: readonly { content: string }[] }).messages) estimatedTokens += estimateMessageTokens(m.content);
      }
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      lineErrors += 1;
      if (lineErrors <= MAX_LINE_ERRORS) problems.push({ message: `line ${lineNo}: ${err.message}`, line: lineNo });
    }
  };

  for await (const chunk of stream) {
    pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
    let start = 0;
    for (let nl = pending.indexOf(10, start); nl !== -1; nl = pending.indexOf(10, start)) {
      handle(pending.subarray(start, nl));
      start = nl + 1;
    }
    pending = Buffer.from(pending.subarray(start));
  }
  handle(pending);
  if (examples === 0) return { ok: false, problems: [{ message: MESSAGES.empty, line: null }], examples };
  if (lineErrors > MAX_LINE_ERRORS) problems.push({ message: MESSAGES.moreErrors(lineErrors - MAX_LINE_ERRORS), line: null });
  if (examples < minExamples) problems.push({ message: MESSAGES.tooFew(examples, minExamples), line: null });
  return { ok: problems.length === 0, problems, examples, ...(kind === 'sft' ? { estimatedTokens } : {}) };
}
