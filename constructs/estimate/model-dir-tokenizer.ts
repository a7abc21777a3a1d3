/**
 * The tokenizer of a local model directory (the one holding `--model-config`'s config.json): tokenizer.json, the chat
 * template (chat_template.jinja or tokenizer_config.json's `chat_template`) and the BOS token.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadBpeTokenizer, UnsupportedTokenizerError } from './bpe-tokenizer';
import { recogniseChatTemplate } from './chat-template';
import { CountingTokenizer } from './token-count';

export interface ModelDirTokenizer {
  /** Undefined when the directory has no usable tokenizer.json. */
  readonly tokenizer: CountingTokenizer | undefined;
  /** Why tokenizer.json was not used, when it exists but cannot be. */
  readonly note: string | undefined;
}

export function loadModelDirTokenizer(dir: string): ModelDirTokenizer {
  const file = path.join(dir, 'tokenizer.json');
  if (!fs.existsSync(file)) return { tokenizer: undefined, note: undefined };
  let counter;
  try {
    counter = loadBpeTokenizer(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (e) {
    if (e instanceof UnsupportedTokenizerError || e instanceof SyntaxError) {
      return { tokenizer: undefined, note: `${file} not used: ${e instanceof SyntaxError ? 'not valid JSON' : `unsupported ${e.message}`}` };
    }
    throw e;
  }
  const config = readJsonObject(path.join(dir, 'tokenizer_config.json'));
  const jinja = path.join(dir, 'chat_template.jinja');
  const source = fs.existsSync(jinja) ? fs.readFileSync(jinja, 'utf8') : typeof config.chat_template === 'string' ? config.chat_template : '';
  const bos = config.bos_token;
  const bosToken = typeof bos === 'string' ? bos : typeof bos === 'object' && bos !== null && typeof (bos as { content?: unknown }).content === 'string' ? (bos as { content: string }).content : '';
  return { tokenizer: { counter, template: recogniseChatTemplate(source), bosToken, origin: dir }, note: undefined };
}

function readJsonObject(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) return {};
  try {
    const v: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
