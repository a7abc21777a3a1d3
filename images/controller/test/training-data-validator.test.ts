/**
 * The TypeScript validator against the fixture set it shares with the trainer's Python validator
 * (test/fixtures/training-data/cases.json): for every file and kind, exactly the same messages and line numbers.
 * Cases marked trainer_only need the tokenizer (lengths against a context window) and run only in the trainer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { validateTrainingFile } from '../src/validation/training-file-validator';

interface Case {
  readonly file: string;
  readonly kind: 'sft' | 'dpo';
  readonly message: string;
  readonly line: number | null;
  readonly trainer_only: boolean;
  /** The line-length limit to validate with (a small one keeps the fixture small); the documented limit otherwise. */
  readonly max_line_bytes?: number;
}

const DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'training-data');
const cases = JSON.parse(fs.readFileSync(path.join(DIR, 'cases.json'), 'utf8')) as Case[];
const groups = new Map<string, Case[]>();
for (const c of cases) groups.set(`${c.file} ${c.kind}`, [...(groups.get(`${c.file} ${c.kind}`) ?? []), c]);
const checked = [...groups.entries()].filter(([, cs]) => cs.every((c) => !c.trainer_only));

test('the shared fixture set is there and has cases this validator must match', () => {
  expect(checked.length).toBeGreaterThanOrEqual(20);
});

test.each(checked.map(([key, cs]) => ({ key, cs })))('$key', async ({ cs }) => {
  // GIVEN a fixture file and the problems the trainer reports for it
  const first = cs[0] as Case;
  // WHEN the controller validates it (streamed in small chunks, so lines straddle chunk borders)
  const bytes = fs.readFileSync(path.join(DIR, first.file));
  const chunks = Array.from({ length: Math.ceil(bytes.length / 7) || 1 }, (_, i) => bytes.subarray(i * 7, i * 7 + 7));
  const result = await validateTrainingFile(Readable.from(chunks), first.kind, undefined, first.max_line_bytes);
  // THEN it reports the same messages with the same line numbers, in the same order
  expect(result.problems.map((p) => ({ message: p.message, line: p.line }))).toEqual(cs.map((c) => ({ message: c.message, line: c.line })));
});

test('files without cases (the good ones) pass', async () => {
  const withCases = new Set(cases.map((c) => c.file));
  const good = fs.readdirSync(DIR).filter((f) => f.endsWith('.jsonl') && !withCases.has(f));
  expect(good.length).toBeGreaterThan(0);
  for (const f of good) {
    const kind = f.startsWith('dpo') ? 'dpo' : 'sft';
    const result = await validateTrainingFile(fs.createReadStream(path.join(DIR, f)), kind);
    expect({ f, problems: result.problems }).toEqual({ f, problems: [] });
  }
});
