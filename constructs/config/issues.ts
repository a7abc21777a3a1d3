import { z } from 'zod';

/** One problem in a config: where, what was there, and what is allowed. */
export interface ConfigIssue {
  /** Field path: `gpuPools[1].maxNodes`, `network.cidr`, or `(root)`. */
  readonly path: string;
  /** The value found at the path (undefined when missing). */
  readonly value: unknown;
  /** A sentence naming the bad value and what is allowed. */
  readonly message: string;
}

export function formatIssue(issue: ConfigIssue): string {
  return `${issue.path}: ${issue.message}`;
}

/** Thrown by the loader and by constructs given an invalid config; carries every issue found. */
export class ConfigError extends Error {
  constructor(
    public readonly issues: readonly ConfigIssue[],
    public readonly source = 'config',
  ) {
    super(`${source} has ${issues.length} error${issues.length === 1 ? '' : 's'}:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function pathToString(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(root)';
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc === '' ? p : `${acc}.${p}`), '');
}

export function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** Keys an object schema allows at `path` (walking through defaults, optionals and arrays). */
function allowedKeysAt(schema: z.ZodTypeAny, path: readonly (string | number)[]): readonly string[] {
  let cur: z.ZodTypeAny | undefined = schema;
  const unwrap = (s: z.ZodTypeAny): z.ZodTypeAny => {
    let t = s;
    for (;;) {
      if (t instanceof z.ZodDefault) t = t._def.innerType;
      else if (t instanceof z.ZodOptional || t instanceof z.ZodNullable) t = t.unwrap();
      else if (t instanceof z.ZodEffects) t = t.innerType();
      else return t;
    }
  };
  for (const p of path) {
    if (cur === undefined) return [];
    const u = unwrap(cur);
    if (typeof p === 'number' && u instanceof z.ZodArray) cur = u.element;
    else if (typeof p === 'string' && u instanceof z.ZodObject) cur = (u.shape as Record<string, z.ZodTypeAny>)[p];
    else return [];
  }
  if (cur === undefined) return [];
  const u = unwrap(cur);
  return u instanceof z.ZodObject ? Object.keys(u.shape as object) : [];
}

/** Turns zod's issues into ours: field path, the bad value, and what is allowed. */
export function fromZodIssues(schema: z.ZodTypeAny, input: unknown, zodIssues: readonly z.ZodIssue[]): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const i of zodIssues) {
    const value = valueAt(input, i.path);
    const at = (message: string, path = i.path, v = value): void => {
      out.push({ path: pathToString(path), value: v, message });
    };
    switch (i.code) {
      case z.ZodIssueCode.invalid_enum_value:
        at(`${show(value)} is not allowed; allowed: ${i.options.join(', ')}`);
        break;
      case z.ZodIssueCode.invalid_type:
        if (value === undefined) at(`is required (${i.expected})`);
        else if (i.expected === 'integer') at(`${show(value)} is not a whole number`);
        else at(`${show(value)} is ${describeType(value)}; expected ${i.expected === 'array' ? 'a list' : i.expected}`);
        break;
      case z.ZodIssueCode.too_small:
        if (i.type === 'array') at(`has ${Array.isArray(value) ? value.length : 0} items; at least ${i.minimum} required`);
        else if (i.type === 'string') at(`${show(value)} is shorter than ${i.minimum} characters`);
        else at(`${show(value)} is below the minimum ${i.minimum}`);
        break;
      case z.ZodIssueCode.too_big:
        if (i.type === 'array') at(`has ${Array.isArray(value) ? value.length : 0} items; at most ${i.maximum} allowed`);
        else if (i.type === 'string') at(`${show(value)} is longer than ${i.maximum} characters`);
        else at(`${show(value)} is above the maximum ${i.maximum}`);
        break;
      case z.ZodIssueCode.unrecognized_keys: {
        const allowed = allowedKeysAt(schema, i.path);
        for (const key of i.keys) {
          at(`unknown field; allowed here: ${allowed.join(', ')}`, [...i.path, key], valueAt(input, [...i.path, key]));
        }
        break;
      }
      case z.ZodIssueCode.invalid_string:
        at(`${show(value)} ${i.message}`);
        break;
      default:
        at(`${show(value)}: ${i.message}`);
    }
  }
  return out;
}
