import type { Readable } from 'node:stream';
import { estimateMessageTokens } from '../../../../constructs/estimate/token-count';
import { checkRecord, isRecordOf, LineError, MAX_LINE_BYTES, MAX_LINE_ERRORS, MESSAGES, MIN_EXAMPLES, OTHER_KIND, type DataKind } from './training-file-rules';

export interface DataProblem {
  readonly message: string;
  /** 1-based line number, or null for a file-level problem. */
  readonly line: number | null;
}

export interface ValidationResult {
  readonly ok: boolean;
  /** Up to 20 line problems, then file-level ones; empty when ok. */
  readonly problems: readonly DataProblem[];
  /** Valid examples (lines with an error and blank lines are not examples). */
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
 * Streams a JSONL training file (one line in memory at a time, at most `maxLineBytes` of it) and reports its problems
 * exactly as the trainer does: line-level messages start with `line N: `, file-level ones do not. A line longer than
 * `maxLineBytes` is refused without being held; the whole scan is linear in the file's size. A file with no valid
 * example for the method whose lines are examples of the other format (a chat file given to a DPO job, or the
 * reverse) gets one message saying which format the method expects and which the file has, instead of an error on
 * every line.
 */
export async function validateTrainingFile(stream: Readable, kind: DataKind, minExamples = MIN_EXAMPLES, maxLineBytes = MAX_LINE_BYTES): Promise<ValidationResult> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const problems: DataProblem[] = [];
  let lineNo = 0;
  let nonBlank = 0;
  let examples = 0;
  let otherFormat = 0;
  let lineErrors = 0;
  let estimatedTokens = 0;

  const lineError = (err: LineError): void => {
    lineErrors += 1;
    if (lineErrors <= MAX_LINE_ERRORS) problems.push({ message: `line ${lineNo}: ${err.message}`, line: lineNo });
  };

  /** One line without its `\n`, or null for a line longer than `maxLineBytes + 1` (too long whatever it ends with). */
  const handle = (raw: Buffer | null): void => {
    lineNo += 1;
    const line = raw !== null && raw.length > 0 && raw[raw.length - 1] === 0x0d ? raw.subarray(0, -1) : raw;
    if (line === null || line.length > maxLineBytes) {
      nonBlank += 1;
      lineError(new LineError(MESSAGES.lineTooLong(maxLineBytes)));
      return;
    }
    if (isBlank(line)) return;
    nonBlank += 1;
    let record: unknown;
    try {
      let text: string;
      try {
        text = decoder.decode(line);
      } catch {
        throw new LineError(MESSAGES.notUtf8);
      }
      record = parseLine(text);
      checkRecord(record, kind);
      examples += 1;
      if (kind === 'sft') {
        for (const m of (record as { messages: readonly { content: string }[] }).messages) estimatedTokens += estimateMessageTokens(m.content);
      }
    } catch (err) {
      if (!(err instanceof LineError)) throw err;
      if (record !== undefined && isRecordOf(record, OTHER_KIND[kind])) otherFormat += 1;
      lineError(err);
    }
  };

  // The current line's pieces (each chunk is copied at most once into its line); dropped once the line is too long.
  let parts: Buffer[] = [];
  let partBytes = 0;
  let tooLong = false;
  const append = (piece: Buffer): void => {
    if (tooLong || piece.length === 0) return;
    partBytes += piece.length;
    if (partBytes > maxLineBytes + 1) {
      tooLong = true;
      parts = [];
    } else parts.push(piece);
  };
  const endLine = (): void => {
    handle(tooLong ? null : parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, partBytes));
    parts = [];
    partBytes = 0;
    tooLong = false;
  };

  for await (const data of stream) {
    const chunk = data as Buffer;
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      append(chunk.subarray(start, nl));
      endLine();
      start = nl + 1;
    }
    append(chunk.subarray(start));
  }
  endLine();
  if (nonBlank === 0) return { ok: false, problems: [{ message: MESSAGES.empty, line: null }], examples };
  if (examples === 0 && otherFormat > 0) return { ok: false, problems: [{ message: MESSAGES.wrongFormat(kind, OTHER_KIND[kind]), line: null }], examples };
  if (lineErrors > MAX_LINE_ERRORS) problems.push({ message: MESSAGES.moreErrors(lineErrors - MAX_LINE_ERRORS), line: null });
  if (examples < minExamples) problems.push({ message: MESSAGES.tooFew(examples, minExamples), line: null });
  return { ok: problems.length === 0, problems, examples, ...(kind === 'sft' ? { estimatedTokens } : {}) };
}
