/**
 * Tokens in an OpenAI chat fine-tuning file (JSONL, one `{"messages": [{"role", "content"}, ...]}` per line).
 * With a model directory's tokenizer.json (byte-level BPE) and a chat template recognised by chat-template.ts the
 * count is exact: each example is rendered as the trainer renders it and tokenized. With a tokenizer but an
 * unrecognised template, message contents are tokenized and the template is estimated at 4 tokens per message.
 * Without a tokenizer the count is an estimate: characters / 4 (rounded up) per message content + 4 per message.
 * The rule travels with the number into the output.
 */
import { ChatMessage, ChatTemplate } from './chat-template';
import { TokenCounter } from './bpe-tokenizer';

/** Template tokens per message (role header and end-of-turn markers) when the template is not rendered. */
export const TEMPLATE_TOKENS_PER_MESSAGE = 4;
export const CHARACTERS_PER_TOKEN = 4;
export const TOKEN_COUNT_RULE = `estimate: characters / ${CHARACTERS_PER_TOKEN} per message + ${TEMPLATE_TOKENS_PER_MESSAGE} per message for the chat template (no tokenizer run)`;

export interface TokenCount {
  readonly tokens: number;
  readonly examples: number;
  readonly messages: number;
  /** True when every token was counted with the model's tokenizer and chat template. */
  readonly exact: boolean;
  readonly rule: string;
}

/** The model's tokenizer (and template, when recognised), and where they came from, for the rule text. */
export interface CountingTokenizer {
  readonly counter: TokenCounter;
  readonly template: ChatTemplate | undefined;
  readonly bosToken: string;
  /** `path/to/model-dir` */
  readonly origin: string;
}

/** A line of the file that is not a chat example; the message names the line and what is wrong. */
export class TrainingFileError extends Error {}

export function countChatTokens(jsonl: string, fileName: string, tokenizer?: CountingTokenizer): TokenCount {
  let tokens = 0;
  let examples = 0;
  let messages = 0;
  jsonl.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const chat = parseExample(line, `${fileName} line ${index + 1}`);
    tokens += countExample(chat, tokenizer);
    messages += chat.length;
    examples += 1;
  });
  if (examples === 0) throw new TrainingFileError(`${fileName}: no examples (the file is empty)`);
  return { tokens, examples, messages, exact: tokenizer?.template !== undefined, rule: ruleText(tokenizer) };
}

/** The no-tokenizer estimate for one message: characters / 4, rounded up, + 4 for the chat template. */
export function estimateMessageTokens(content: string): number {
  return Math.ceil([...content].length / CHARACTERS_PER_TOKEN) + TEMPLATE_TOKENS_PER_MESSAGE;
}

function countExample(chat: readonly ChatMessage[], tokenizer: CountingTokenizer | undefined): number {
  if (tokenizer === undefined) return chat.reduce((n, m) => n + estimateMessageTokens(m.content), 0);
  if (tokenizer.template !== undefined) return tokenizer.counter.count(tokenizer.template.render(chat, tokenizer.bosToken));
  return chat.reduce((n, m) => n + tokenizer.counter.count(m.content) + TEMPLATE_TOKENS_PER_MESSAGE, 0);
}

function ruleText(tokenizer: CountingTokenizer | undefined): string {
  if (tokenizer === undefined) return TOKEN_COUNT_RULE;
  if (tokenizer.template !== undefined) return `exact: ${tokenizer.origin}/tokenizer.json with its ${tokenizer.template.name} chat template`;
  return `message contents tokenized with ${tokenizer.origin}/tokenizer.json; chat template not recognised, estimated at ${TEMPLATE_TOKENS_PER_MESSAGE} tokens per message`;
}

function parseExample(line: string, where: string): ChatMessage[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new TrainingFileError(`${where}: not valid JSON`);
  }
  const list = typeof parsed === 'object' && parsed !== null ? (parsed as { messages?: unknown }).messages : undefined;
  if (!Array.isArray(list) || list.length === 0) throw new TrainingFileError(`${where}: expected {"messages": [...]} with at least one message`);
  return list.map((m) => {
    const o = typeof m === 'object' && m !== null ? (m as { role?: unknown; content?: unknown }) : {};
    const content = typeof o.content === 'string' ? o.content : o.content === null || o.content === undefined ? '' : JSON.stringify(o.content);
    return { role: typeof o.role === 'string' ? o.role : '', content };
  });
}
