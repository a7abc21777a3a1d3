/**
 * A byte-level BPE tokenizer over a Hugging Face `tokenizer.json` (GPT-2, Llama 3, Qwen 2 style), for counting
 * tokens only. Supported: no normalizer or NFC; a ByteLevel pre-tokenizer with its regex, or Split(regex, Isolated)
 * followed by ByteLevel; a BPE model without subword prefixes/suffixes or byte fallback; added (special) tokens
 * matched literally. Anything else is refused with the reason, and the caller falls back to a labelled estimate.
 * Checked token-for-token against Hugging Face tokenizers on the fixtures (test/estimate/tokenizer.test.ts).
 */

/** tokenizer.json uses a feature this counter does not implement; the message says which. */
export class UnsupportedTokenizerError extends Error {}

/** The GPT-2 pre-tokenizer regex that ByteLevel(use_regex=true) applies. */
const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/** The parts of tokenizer.json this counter reads. */
interface TokenizerJson {
  readonly model?: {
    readonly type?: string;
    readonly vocab?: Readonly<Record<string, number>>;
    readonly merges?: readonly (string | readonly [string, string])[];
    readonly continuing_subword_prefix?: string | null;
    readonly end_of_word_suffix?: string | null;
    readonly byte_fallback?: boolean;
    readonly ignore_merges?: boolean;
  };
  readonly normalizer?: { readonly type?: string } | null;
  readonly pre_tokenizer?: PreTokenizerJson | null;
  readonly added_tokens?: readonly { readonly content: string }[];
}

interface PreTokenizerJson {
  readonly type?: string;
  readonly use_regex?: boolean;
  readonly add_prefix_space?: boolean;
  readonly pretokenizers?: readonly PreTokenizerJson[];
  readonly pattern?: { readonly Regex?: string };
  readonly behavior?: string;
  readonly invert?: boolean;
}

export interface TokenCounter {
  /** Tokens of `text`, added/special tokens written literally counting one each. */
  count(text: string): number;
  /** Whether `token` is one of the tokenizer's added tokens. */
  hasAddedToken(token: string): boolean;
}

export function loadBpeTokenizer(json: unknown): TokenCounter {
  const t = (typeof json === 'object' && json !== null ? json : {}) as TokenizerJson;
  const model = t.model;
  if (model?.type !== 'BPE') throw new UnsupportedTokenizerError(`model type ${String(model?.type)} (only BPE)`);
  if (model.continuing_subword_prefix || model.end_of_word_suffix || model.byte_fallback) {
    throw new UnsupportedTokenizerError('BPE with subword prefix/suffix or byte fallback');
  }
  const normalize = normalizer(t.normalizer);
  const { pattern, addPrefixSpace } = preTokenizer(t.pre_tokenizer);
  const vocab = new Map<string, number>(Object.entries(model.vocab ?? {}));
  const ranks = new Map<string, number>();
  (model.merges ?? []).forEach((m, i) => {
    const [a, b] = typeof m === 'string' ? splitMerge(m) : m;
    ranks.set(`${a} ${b}`, i);
  });
  const added = (t.added_tokens ?? []).map((a) => a.content).sort((a, b) => b.length - a.length);
  const addedSet = new Set(added);
  const bpe = new BytePairCounter(ranks, vocab, model.ignore_merges === true);
  const regex = new RegExp(pattern, 'gu');

  const countPlain = (text: string): number => {
    if (text === '') return 0;
    let s = normalize(text);
    if (addPrefixSpace && !s.startsWith(' ')) s = ` ${s}`;
    let n = 0;
    for (const m of s.matchAll(regex)) n += bpe.count(toByteSymbols(m[0]));
    return n;
  };
  return {
    count(text: string): number {
      let n = 0;
      let rest = text;
      while (rest !== '') {
        let at = -1;
        let hit = '';
        for (const a of added) {
          const i = rest.indexOf(a);
          if (i >= 0 && (at < 0 || i < at || (i === at && a.length > hit.length))) {
            at = i;
            hit = a;
          }
        }
        if (at < 0) return n + countPlain(rest);
        n += countPlain(rest.slice(0, at)) + 1;
        rest = rest.slice(at + hit.length);
      }
      return n;
    },
    hasAddedToken: (token: string) => addedSet.has(token),
  };
}

function normalizer(n: TokenizerJson['normalizer']): (s: string) => string {
  if (n === null || n === undefined) return (s) => s;
  if (n.type === 'NFC') return (s) => s.normalize('NFC');
  throw new UnsupportedTokenizerError(`normalizer ${String(n.type)}`);
}

function preTokenizer(p: PreTokenizerJson | null | undefined): { pattern: string; addPrefixSpace: boolean } {
  if (p?.type === 'ByteLevel' && p.use_regex !== false) return { pattern: GPT2_PATTERN, addPrefixSpace: p.add_prefix_space === true };
  if (p?.type === 'Sequence' && p.pretokenizers?.length === 2) {
    const split = p.pretokenizers[0];
    const byteLevel = p.pretokenizers[1];
    if (split?.type === 'Split' && typeof split.pattern?.Regex === 'string' && split.behavior === 'Isolated' && split.invert === false &&
        byteLevel?.type === 'ByteLevel' && byteLevel.use_regex === false) {
      return { pattern: toJsRegex(split.pattern?.Regex ?? ''), addPrefixSpace: byteLevel.add_prefix_space === true };
    }
  }
  throw new UnsupportedTokenizerError(`pre-tokenizer ${JSON.stringify(p)?.slice(0, 80)}`);
}

/** Rewrites `(?i:…)` groups (Oniguruma/Rust regex; not in Node 20) as explicit [xX] classes. */
export function toJsRegex(pattern: string): string {
  return pattern.replace(/\(\?i:([^()]*)\)/g, (_, body: string) =>
    `(?:${body.replace(/[a-zA-Z]/g, (c) => `[${c.toLowerCase()}${c.toUpperCase()}]`)})`);
}

function splitMerge(m: string): readonly [string, string] {
  const i = m.indexOf(' ', 1);
  return [m.slice(0, i), m.slice(i + 1)];
}

/** GPT-2's reversible byte → printable character table. */
const BYTE_TO_CHAR: readonly string[] = (() => {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b += 1) printable.push(b);
  for (let b = 161; b <= 172; b += 1) printable.push(b);
  for (let b = 174; b <= 255; b += 1) printable.push(b);
  const table: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b += 1) table[b] = String.fromCharCode(printable.includes(b) ? b : 256 + extra++);
  return table;
})();

const ENCODER = new TextEncoder();

function toByteSymbols(piece: string): string[] {
  return [...ENCODER.encode(piece)].map((b) => BYTE_TO_CHAR[b] ?? '');
}

/** Applies merges lowest rank first, every occurrence left to right, until none applies; caches per word. */
class BytePairCounter {
  private readonly cache = new Map<string, number>();
  constructor(
    private readonly ranks: ReadonlyMap<string, number>,
    private readonly vocab: ReadonlyMap<string, number>,
    private readonly ignoreMerges: boolean,
  ) {}

  count(symbols: string[]): number {
    const word = symbols.join('');
    const cached = this.cache.get(word);
    if (cached !== undefined) return cached;
    const n = this.ignoreMerges && this.vocab.has(word) ? 1 : this.merge(symbols).length;
    if (this.cache.size < 100_000) this.cache.set(word, n);
    return n;
  }

  private merge(start: string[]): string[] {
    let parts = start;
    for (;;) {
      let best = Infinity;
      let pair: readonly [string, string] | undefined;
      for (let i = 0; i + 1 < parts.length; i += 1) {
        const r = this.ranks.get(`${parts[i]} ${parts[i + 1]}`);
        if (r !== undefined && r < best) {
          best = r;
          pair = [parts[i] ?? '', parts[i + 1] ?? ''];
        }
      }
      if (pair === undefined) return parts;
      const next: string[] = [];
      for (let i = 0; i < parts.length; i += 1) {
        if (i + 1 < parts.length && parts[i] === pair[0] && parts[i + 1] === pair[1]) {
          next.push(pair[0] + pair[1]);
          i += 1;
        } else next.push(parts[i] ?? '');
      }
      parts = next;
    }
  }
}
