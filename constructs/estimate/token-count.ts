/**
 * Tokens in an OpenAI chat fine-tuning file (JSONL, one `{"messages": [{"role", "content"}, ...]}` per line).
 * No tokenizer runs here yet, so the count is a labelled estimate: characters / 4 (rounded up) per message content,
 * plus 4 tokens per message for the chat template's role markers — the usual rule of thumb for English text with
 * BPE tokenizers. The label travels with the number into the output.
 */

/** Template tokens per message (role header and end-of-turn markers). */
export const TEMPLATE_TOKENS_PER_MESSAGE = 4;
export const CHARACTERS_PER_TOKEN = 4;
export const TOKEN_COUNT_RULE = `estimate: characters / ${CHARACTERS_PER_TOKEN} per message + ${TEMPLATE_TOKENS_PER_MESSAGE} per message for the chat template (no tokenizer run)`;

export interface TokenCount {
  readonly tokens: number;
  readonly examples: number;
  readonly messages: number;
  /** False: an estimate by `rule`. */
  readonly exact: boolean;
  readonly rule: string;
}

/** A line of the file that is not a chat example; the message names the line and what is wrong. */
export class TrainingFileError extends Error {}

export function countChatTokens(jsonl: string, fileName: string): TokenCount {
  let tokens = 0;
  let examples = 0;
  let messages = 0;
  const lines = jsonl.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `${fileName} line ${index + 1}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new TrainingFileError(`${where}: not valid JSON`);
    }
    const list = typeof parsed === 'object' && parsed !== null ? (parsed as { messages?: unknown }).messages : undefined;
    if (!Array.isArray(list) || list.length === 0) throw new TrainingFileError(`${where}: expected {"messages": [...]} with at least one message`);
    for (const m of list) {
      const content = typeof m === 'object' && m !== null ? (m as { content?: unknown }).content : undefined;
      const text = typeof content === 'string' ? content : content === null || content === undefined ? '' : JSON.stringify(content);
      tokens += Math.ceil([...text].length / CHARACTERS_PER_TOKEN) + TEMPLATE_TOKENS_PER_MESSAGE;
      messages += 1;
    }
    examples += 1;
  });
  if (examples === 0) throw new TrainingFileError(`${fileName}: no examples (the file is empty)`);
  return { tokens, examples, messages, exact: false, rule: TOKEN_COUNT_RULE };
}
