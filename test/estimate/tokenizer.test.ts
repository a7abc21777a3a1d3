import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadBpeTokenizer, toJsRegex, UnsupportedTokenizerError } from '../../constructs/estimate/bpe-tokenizer';
import { main } from '../../stacks/cli/main';
import { loadModelDirTokenizer } from '../../constructs/estimate/model-dir-tokenizer';
import { countChatTokens } from '../../constructs/estimate/token-count';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'estimate');
const read = (f: string): string => fs.readFileSync(path.join(FIXTURES, f), 'utf8');
const perExample = (dir: string, file: string): number[] => {
  const { tokenizer } = loadModelDirTokenizer(path.join(FIXTURES, dir));
  return read(file).split('\n').filter((l) => l.trim() !== '').map((l) => countChatTokens(l, file, tokenizer).tokens);
};

/**
 * Reference counts: test/fixtures/estimate/reference_token_counts.py — each example rendered by transformers 5.17
 * (apply_chat_template) and encoded by Hugging Face tokenizers 0.23.2 from the fixture's tokenizer.json.
 */
describe('token counting with a local tokenizer.json is exact on the fixtures', () => {
  test.each([
    ['tiny-llama3', 'chat.jsonl', [38, 21]],
    ['tiny-llama3', 'chat-varied.jsonl', [90, 117, 136]],
    ['tiny-chatml', 'chat.jsonl', [34, 29]],
    ['tiny-chatml', 'chat-varied.jsonl', [86, 129, 144]],
    ['tiny-qwen2-split', 'chat.jsonl', [34, 29]],
    ['tiny-qwen2-split', 'chat-varied.jsonl', [89, 129, 148]],
  ])('%s on %s: %j tokens per example, as Hugging Face counts them', (dir, file, expected) => {
    expect(perExample(dir as string, file as string)).toEqual(expected);
  });

  test('the count says it is exact and where the tokenizer came from', () => {
    const dir = path.join(FIXTURES, 'tiny-llama3');
    const count = countChatTokens(read('chat.jsonl'), 'chat.jsonl', loadModelDirTokenizer(dir).tokenizer);
    expect(count).toEqual({ tokens: 59, examples: 2, messages: 5, exact: true, rule: `exact: ${dir}/tokenizer.json with its llama3 headers chat template` });
  });

  test('special tokens written in the text count one each; the Split pre-tokenizer and NFC normalizer are honoured', () => {
    const chatml = loadBpeTokenizer(JSON.parse(read('tiny-chatml/tokenizer.json')));
    expect(chatml.count('<|im_start|><|im_end|>')).toBe(2);
    expect(chatml.hasAddedToken('<|im_end|>')).toBe(true);
    // Qwen2's regex isolates every digit; the GPT-2 regex keeps " 1234567" together (tokenizers: ['Ġ12', '3', ...])
    const split = loadBpeTokenizer(JSON.parse(read('tiny-qwen2-split/tokenizer.json')));
    expect([chatml.count(' 1234567'), split.count(' 1234567')]).toEqual([6, 8]);
  });

  test("(?i:…) groups, which Node's RegExp lacks, become explicit letter classes", () => {
    expect(toJsRegex("(?i:'s|'t)|\\p{N}")).toBe("(?:'[sS]|'[tT])|\\p{N}");
  });
});

describe('without an exact tokenizer the count is labelled', () => {
  test('an unrecognised chat template: contents tokenized, template estimated at 4 per message', () => {
    const { tokenizer } = loadModelDirTokenizer(path.join(FIXTURES, 'tiny-llama3'));
    const count = countChatTokens(read('chat.jsonl'), 'chat.jsonl', tokenizer === undefined ? undefined : { ...tokenizer, template: undefined });
    expect(count.exact).toBe(false);
    expect(count.rule).toBe(`message contents tokenized with ${path.join(FIXTURES, 'tiny-llama3')}/tokenizer.json; chat template not recognised, estimated at 4 tokens per message`);
  });

  test('a tokenizer.json this counter does not implement is named and the estimate used', () => {
    // GIVEN a model directory whose tokenizer.json is WordPiece
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-tok-'));
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify({ model: { type: 'WordPiece' } }));
    expect(() => loadBpeTokenizer({ model: { type: 'WordPiece' } })).toThrow(new UnsupportedTokenizerError('model type WordPiece (only BPE)'));
    // WHEN loaded THEN no tokenizer, and a note saying why
    expect(loadModelDirTokenizer(dir)).toEqual({ tokenizer: undefined, note: `${path.join(dir, 'tokenizer.json')} not used: unsupported model type WordPiece (only BPE)` });
  });

  test('through the command: --model-config beside a tokenizer.json counts exactly; --model without one estimates', async () => {
    let out = '';
    const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true } };
    const file = path.join(FIXTURES, 'chat-varied.jsonl');
    expect(await main(['estimate', '--model-config', path.join(FIXTURES, 'tiny-chatml', 'config.json'), '--method', 'full', '--training-file', file, '--cloud', 'aws', '--json'], io)).toBe(0);
    expect(JSON.parse(out).job.tokenCount).toMatchObject({ tokens: 359, exact: true });
    out = '';
    expect(await main(['estimate', '--model', 'qwen2.5-0.5b', '--method', 'full', '--training-file', file, '--cloud', 'aws', '--json'], io)).toBe(0);
    expect(JSON.parse(out).job.tokenCount).toMatchObject({ exact: false, rule: 'estimate: characters / 4 per message + 4 per message for the chat template (no tokenizer run)' });
  });
});
