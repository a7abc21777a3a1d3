/**
 * Text a request names things with (ids, names, models, metadata keys and values) must be printable: a NUL cuts the
 * string in SQLite and in C libraries below it, and other control characters (C0, DEL, C1) corrupt logs and headers.
 */
import { invalidParam, shown } from '../domain/api-error';

/** C0 controls (U+0000–U+001F), DEL (U+007F) and C1 controls (U+0080–U+009F). */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** The first control character of `value` and where it is, or undefined when there is none. */
export function firstControlCharacter(value: string): { readonly codePoint: string; readonly index: number } | undefined {
  const m = CONTROL_CHARACTER.exec(value);
  if (m === null) return undefined;
  return { codePoint: `U+${(m[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`, index: m.index };
}

/**
 * Throws a 400 for `param` when `value` holds a control character: `Invalid 'param': "<value, escaped>" contains the
 * control character U+0000 at position 17; allowed: printable characters only.` `subject` replaces `'param'` (e.g.
 * `'file' name`); `what` goes before the value (e.g. `key ` for a metadata key).
 */
export function requirePrintable(value: string, param: string, options: { readonly subject?: string; readonly what?: string } = {}): string {
  const found = firstControlCharacter(value);
  if (found === undefined) return value;
  throw invalidParam(
    param,
    `Invalid ${options.subject ?? `'${param}'`}: ${options.what ?? ''}${shown(value)} contains the control character ${found.codePoint} at position ${found.index}; allowed: printable characters only.`,
  );
}
