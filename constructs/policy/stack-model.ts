/**
 * Read access to a synthesized stack for the policy rules: blocks by type, references between them, and IAM
 * policy documents normalised to one statement shape.
 *
 * Attribute values may be Terraform expressions (`${aws_subnet.a.id}`, `${[for s in aws_subnet.private: s.id]}`,
 * `${var.x}`). A reference to a resource or data source in the same JSON is resolved; anything else is a value
 * known only at apply time, and each rule says how it treats that.
 */
import { SynthesizedStack } from './types';

export interface Block {
  /** `aws_subnet.a` or `data.aws_iam_policy_document.x`. */
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly mode: 'resource' | 'data';
  readonly attrs: Readonly<Record<string, unknown>>;
}

/** One IAM statement, whether it came from a JSON document or a `data.aws_iam_policy_document` statement block. */
export interface Statement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  /** Undefined when the statement uses NotAction only. */
  readonly actions?: readonly string[];
  readonly notActions?: readonly string[];
  readonly resources?: readonly string[];
  /** Principals as `TYPE:identifier` (`*:*`, `AWS:*`, `Service:ec2.amazonaws.com`); undefined when absent. */
  readonly principals?: readonly string[];
  /** Conditions as test, variable, values (`Bool`, `aws:SecureTransport`, [`false`]). */
  readonly conditions: ReadonlyArray<{ readonly test: string; readonly variable: string; readonly values: readonly string[] }>;
}

/** A policy document read from a block, or why it could not be read. */
export type PolicyDocument =
  | { readonly kind: 'statements'; readonly statements: readonly Statement[]; readonly source: string }
  | { readonly kind: 'unknown'; readonly reason: string };

/** True for `true` and `"true"` (cdktf writes booleans as JSON booleans; hand-written JSON may quote them). */
export function isTrue(v: unknown): boolean {
  return v === true || v === 'true';
}

/** A Terraform expression (known only at apply time unless it is a reference the model resolves). */
export function isExpression(v: unknown): v is string {
  return typeof v === 'string' && v.includes('${');
}

/** A nested block as an array: Terraform JSON allows one object or an array of objects. */
export function blocks(v: unknown): Array<Record<string, unknown>> {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x));
}

/** A string or list of strings as a list; other values (expressions inside lists included) kept as strings. */
export function stringList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((x) => String(x));
}

function collectStrings(v: unknown, out: string[]): void {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) collectStrings(x, out);
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) if (k !== '//') collectStrings(x, out);
}

const REFERENCE = /(?<![A-Za-z0-9_.\-])(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)/g;
const LOCAL_REFERENCE = /(?<![A-Za-z0-9_.\-])local\.([A-Za-z_][A-Za-z0-9_-]*)/g;

export class StackModel {
  private readonly byAddress = new Map<string, Block>();

  constructor(readonly json: SynthesizedStack) {
    for (const [mode, section] of [['resource', json.resource], ['data', json.data]] as const) {
      for (const [type, named] of Object.entries(section ?? {})) {
        for (const [name, attrs] of Object.entries(named ?? {})) {
          const address = mode === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
          this.byAddress.set(address, { address, type, name, mode, attrs: attrs ?? {} });
        }
      }
    }
  }

  /** Resources (or data sources) of one type, in JSON order. */
  resources(type: string): Block[] {
    return [...this.byAddress.values()].filter((b) => b.mode === 'resource' && b.type === type);
  }

  dataSources(type: string): Block[] {
    return [...this.byAddress.values()].filter((b) => b.mode === 'data' && b.type === type);
  }

  block(address: string): Block | undefined {
    return this.byAddress.get(address);
  }

  /** cdktf's construct path for a block (`//.metadata.path`), when recorded. */
  constructPath(address: string): string | undefined {
    const meta = (this.byAddress.get(address)?.attrs['//'] as { metadata?: { path?: unknown } } | undefined)?.metadata;
    return typeof meta?.path === 'string' ? meta.path : undefined;
  }

  /**
   * Blocks referenced anywhere inside a value (through `${...}` expressions, and through `local.x` into `locals`),
   * deduplicated, in order of appearance. References to things not in this JSON are ignored.
   */
  references(value: unknown, seenLocals: Set<string> = new Set()): Block[] {
    const strings: string[] = [];
    collectStrings(value, strings);
    const found: Block[] = [];
    const add = (b: Block | undefined): void => {
      if (b !== undefined && !found.includes(b)) found.push(b);
    };
    for (const s of strings) {
      if (!s.includes('${')) continue;
      for (const m of s.matchAll(REFERENCE)) add(this.byAddress.get(m[1] !== undefined ? `data.${m[2]}.${m[3]}` : `${m[2]}.${m[3]}`));
      for (const m of s.matchAll(LOCAL_REFERENCE)) {
        const name = m[1]!;
        if (seenLocals.has(name) || this.json.locals?.[name] === undefined) continue;
        seenLocals.add(name);
        for (const b of this.references(this.json.locals[name], seenLocals)) add(b);
      }
    }
    return found;
  }

  /** Referenced blocks of one type. */
  referencesOfType(value: unknown, type: string): Block[] {
    return this.references(value).filter((b) => b.type === type);
  }

  /**
   * Blocks of `type` whose `attribute` points at `target`: by reference (`${aws_s3_bucket.b.id}`) or, for a literal
   * value, by equality with the target's `nameAttribute` (`bucket = "acme-data"` and `aws_s3_bucket.b.bucket`).
   */
  attachedTo(type: string, attribute: string, target: Block, nameAttribute?: string): Block[] {
    const targetName = nameAttribute === undefined ? undefined : target.attrs[nameAttribute];
    return this.resources(type).filter((b) => {
      const v = b.attrs[attribute];
      if (isExpression(v)) return this.references(v).includes(target);
      return typeof targetName === 'string' && !isExpression(targetName) && v === targetName;
    });
  }

  /**
   * Reads a policy attribute: a literal JSON string (references inside its values are fine), or an expression that
   * is exactly a reference to a `data.aws_iam_policy_document` (`${data.aws_iam_policy_document.x.json}`). Anything
   * else (`${jsonencode(...)}`, a variable) is `unknown` with the reason.
   */
  policyDocument(value: unknown): PolicyDocument {
    if (typeof value !== 'string') return { kind: 'unknown', reason: 'no policy document' };
    const m = /^\$\{data\.aws_iam_policy_document\.([A-Za-z_][A-Za-z0-9_-]*)\.(json|minified_json)\}$/.exec(value.trim());
    if (m !== null) {
      const doc = this.block(`data.aws_iam_policy_document.${m[1]}`);
      if (doc === undefined) return { kind: 'unknown', reason: `data.aws_iam_policy_document.${m[1]} is not in the stack` };
      return { kind: 'statements', statements: this.documentStatements(doc), source: doc.address };
    }
    // A JSON string stays JSON when it embeds references (`"Resource": "${aws_s3_bucket.b.arn}/*"`, what
    // JSON.stringify over cdktf tokens produces); only a whole-value expression (`${jsonencode(...)}`) is unreadable.
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (e) {
      if (isExpression(value)) return { kind: 'unknown', reason: `the policy is an expression (${value.length > 60 ? `${value.slice(0, 57)}...` : value})` };
      return { kind: 'unknown', reason: `the policy is not valid JSON (${(e as Error).message})` };
    }
    try {
      return { kind: 'statements', statements: parseJsonPolicy(parsed), source: 'literal JSON' };
    } catch (e) {
      return { kind: 'unknown', reason: `the policy is not an IAM policy document (${(e as Error).message})` };
    }
  }

  /**
   * Statements of a `data.aws_iam_policy_document`, including those of documents it pulls in through
   * `source_policy_documents`/`override_policy_documents` when those are references to other documents here.
   */
  documentStatements(doc: Block, seen: Set<string> = new Set()): Statement[] {
    if (seen.has(doc.address)) return [];
    seen.add(doc.address);
    const own = blocks(doc.attrs['statement']).map(statementFromBlock);
    const pulled: Statement[] = [];
    for (const attr of ['source_policy_documents', 'override_policy_documents', 'source_json', 'override_json']) {
      for (const v of stringList(doc.attrs[attr])) {
        const pd = this.policyDocument(v);
        if (pd.kind === 'statements') pulled.push(...pd.statements);
        else for (const ref of this.referencesOfType(v, 'aws_iam_policy_document')) pulled.push(...this.documentStatements(ref, seen));
      }
    }
    return [...pulled, ...own];
  }
}

function statementFromBlock(s: Record<string, unknown>): Statement {
  const principals = (key: string): string[] =>
    blocks(s[key]).flatMap((p) => stringList(p['identifiers']).map((id) => `${String(p['type'] ?? '')}:${id}`));
  const hasPrincipals = s['principals'] !== undefined;
  return {
    ...(typeof s['sid'] === 'string' ? { sid: s['sid'] } : {}),
    effect: s['effect'] === 'Deny' ? 'Deny' : 'Allow',
    ...(s['actions'] !== undefined ? { actions: stringList(s['actions']) } : {}),
    ...(s['not_actions'] !== undefined ? { notActions: stringList(s['not_actions']) } : {}),
    ...(s['resources'] !== undefined ? { resources: stringList(s['resources']) } : {}),
    ...(hasPrincipals ? { principals: principals('principals') } : {}),
    conditions: blocks(s['condition']).map((c) => ({ test: String(c['test'] ?? ''), variable: String(c['variable'] ?? ''), values: stringList(c['values']) })),
  };
}

/** Normalises a parsed IAM JSON policy (`{Statement: [...]}` or one statement object). */
export function parseJsonPolicy(doc: unknown): Statement[] {
  if (doc === null || typeof doc !== 'object') throw new Error('not an object');
  const raw = (doc as Record<string, unknown>)['Statement'];
  return blocks(raw).map((s) => {
    const principal = s['Principal'];
    let principals: string[] | undefined;
    if (principal === '*') principals = ['*:*'];
    else if (principal !== undefined && principal !== null && typeof principal === 'object') {
      principals = Object.entries(principal as Record<string, unknown>).flatMap(([type, ids]) => stringList(ids).map((id) => `${type}:${id}`));
    }
    const conditions: Array<{ test: string; variable: string; values: string[] }> = [];
    const cond = s['Condition'];
    if (cond !== null && typeof cond === 'object') {
      for (const [test, vars] of Object.entries(cond as Record<string, unknown>)) {
        if (vars === null || typeof vars !== 'object') continue;
        for (const [variable, values] of Object.entries(vars as Record<string, unknown>)) conditions.push({ test, variable, values: stringList(values) });
      }
    }
    return {
      ...(typeof s['Sid'] === 'string' && s['Sid'] !== '' ? { sid: s['Sid'] } : {}),
      effect: s['Effect'] === 'Deny' ? 'Deny' : 'Allow',
      ...(s['Action'] !== undefined ? { actions: stringList(s['Action']) } : {}),
      ...(s['NotAction'] !== undefined ? { notActions: stringList(s['NotAction']) } : {}),
      ...(s['Resource'] !== undefined ? { resources: stringList(s['Resource']) } : {}),
      ...(principals !== undefined ? { principals } : {}),
      conditions,
    } satisfies Statement;
  });
}
