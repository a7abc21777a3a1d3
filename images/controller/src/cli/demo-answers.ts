/** How `vpctune demo` prints the question, the trained reply and the two models' answers. */

/** What a chat completion returned: its text and why it ended ("stop": end of turn or a stop string; "length": max_tokens). */
export interface Answer {
  readonly content: string;
  readonly finishReason: string;
}

/** Invisible and control characters: C0/C1 controls (newlines and escapes included), format characters, lone surrogates. */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}]/gu;

/**
 * `text` made safe for one terminal line: control and format characters (an untrained model's byte-level garbage can
 * hold escapes, newlines and bidirectional overrides) become spaces, runs of spaces one; U+FFFD stays.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, ' ').replace(/ {2,}/g, ' ').trim();
}

/** The lines shown before the answers: the question and the reply the training file gives for it. */
export function questionLines(question: string, trainedReply: string): string[] {
  return [`question:      ${printable(question)}`, `trained reply: ${printable(trainedReply)}`];
}

/** One model's answer: "…" when it was cut by max_tokens, and whether it is exactly the trained reply. */
export function answerLine(label: 'base model' | 'fine-tuned', answer: Answer, trainedReply: string): string {
  const text = `${printable(answer.content)}${answer.finishReason === 'length' ? '…' : ''}`;
  const verdict = answer.content === trainedReply ? 'the trained reply' : 'not the trained reply';
  return `${`${label}:`.padEnd(15)}${text}  (${verdict})`;
}
