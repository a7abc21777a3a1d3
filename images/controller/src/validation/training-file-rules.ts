/**
 * The training-data rules, a contract shared with the trainer's Python validator
 * (images/trainer/src/vpctune_trainer/validation.py). Messages are byte-identical; both are tested against
 * test/fixtures/training-data/cases.json. Checked in this order; a line's first failing rule is its error.
 */

export type DataKind = 'sft' | 'dpo';

export const MIN_EXAMPLES = 10;
export const MAX_LINE_ERRORS = 20;
/**
 * Longest line accepted, in bytes (without its `\n` and one trailing `\r`): 1 MiB, several times the longest
 * example any supported context window holds. Longer lines are refused without being held in memory.
 */
export const MAX_LINE_BYTES = 1024 * 1024;
export const ROLES = ['system', 'user', 'assistant'] as const;

type JsonType = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

function jsonType(v: unknown): JsonType {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  return 'object';
}

/** A problem with one line (message without the `line N: ` prefix). */
export class LineError extends Error {}

const ARTICLE: Readonly<Record<'object' | 'array' | 'string', string>> = { object: 'an object', array: 'an array', string: 'a string' };

function expect(value: unknown, path: string, kind: 'object' | 'array' | 'string'): void {
  if (jsonType(value) !== kind) throw new LineError(`${path} must be ${ARTICLE[kind]}, got ${jsonType(value)}`);
}

function get(obj: Record<string, unknown>, key: string, path: string): unknown {
  if (!Object.prototype.hasOwnProperty.call(obj, key)) throw new LineError(`${path} is missing`);
  return obj[key];
}

function checkMessage(msg: unknown, path: string, allowed: readonly string[]): string {
  expect(msg, path, 'object');
  const m = msg as Record<string, unknown>;
  const role = get(m, 'role', `${path}.role`);
  expect(role, `${path}.role`, 'string');
  if (!allowed.includes(role as string)) throw new LineError(`${path}.role is ${JSON.stringify(role)}; allowed: ${allowed.join(', ')}`);
  expect(get(m, 'content', `${path}.content`), `${path}.content`, 'string');
  return role as string;
}

function checkMessages(messages: unknown, path: string, needAssistant: boolean): void {
  expect(messages, path, 'array');
  const list = messages as unknown[];
  if (list.length === 0) throw new LineError(`${path} is empty`);
  const roles = list.map((m, i) => checkMessage(m, `${path}[${i}]`, ROLES));
  if (needAssistant && !roles.includes('assistant')) throw new LineError(`${path} has no assistant message; at least one is required`);
}

function checkOutput(value: unknown, path: string): void {
  expect(value, path, 'array');
  const list = value as unknown[];
  if (list.length !== 1) throw new LineError(`${path} must contain exactly one message, got ${list.length}`);
  checkMessage(list[0], `${path}[0]`, ['assistant']);
}

/** Throws LineError for the first problem of one parsed line. */
export function checkRecord(obj: unknown, kind: DataKind): void {
  if (jsonType(obj) !== 'object') throw new LineError(`expected a JSON object, got ${jsonType(obj)}`);
  const o = obj as Record<string, unknown>;
  if (kind === 'sft') {
    checkMessages(get(o, 'messages', 'messages'), 'messages', true);
    return;
  }
  const input = get(o, 'input', 'input');
  expect(input, 'input', 'object');
  checkMessages(get(input as Record<string, unknown>, 'messages', 'input.messages'), 'input.messages', false);
  checkOutput(get(o, 'preferred_output', 'preferred_output'), 'preferred_output');
  checkOutput(get(o, 'non_preferred_output', 'non_preferred_output'), 'non_preferred_output');
}

/** The other format: what a file given to the wrong method is checked against, to say so once. */
export const OTHER_KIND: Readonly<Record<DataKind, DataKind>> = { sft: 'dpo', dpo: 'sft' };

/** Each format as messages name it: the method that trains on it and the fields of one example. */
export const FORMATS: Readonly<Record<DataKind, { readonly method: string; readonly examples: string }>> = {
  sft: { method: 'supervised', examples: 'chat examples (messages)' },
  dpo: { method: 'dpo', examples: 'preference examples (input, preferred_output, non_preferred_output)' },
};

export const MESSAGES = {
  notUtf8: 'is not valid UTF-8',
  notJson: 'is not valid JSON',
  lineTooLong: (maxBytes: number) => `is longer than the limit of ${maxBytes} bytes per line`,
  empty: 'file is empty',
  moreErrors: (k: number) => `and ${k} more lines with errors`,
  tooFew: (n: number, min: number) => `file has ${n === 0 ? 'no valid examples' : n === 1 ? '1 valid example' : `${n} valid examples`}; at least ${min} are required`,
  wrongFormat: (expected: DataKind, got: DataKind) =>
    `file has ${FORMATS[got].examples}, the format of method ${FORMATS[got].method}; method ${FORMATS[expected].method} expects ${FORMATS[expected].examples}`,
} as const;

/** Whether a parsed line is a valid example of `kind`. */
export function isRecordOf(obj: unknown, kind: DataKind): boolean {
  try {
    checkRecord(obj, kind);
    return true;
  } catch (err) {
    if (err instanceof LineError) return false;
    throw err;
  }
}
