/**
 * The demo's training set and hyperparameters: a made-up support assistant with four questions, each with one short
 * reply, repeated so that a LoRA on the tiny random model learns them in a few seconds on CPU.
 *
 * images/server/tests/fixtures/demo-support.json holds the same values for the real-trainer test
 * (images/server/tests/test_server_learns_demo_data.py); images/controller/test/cli/demo-data.test.ts keeps the two equal.
 */

/** One question of the demo and the reply the fine-tuned model is trained to give. */
export interface DemoPair {
  readonly question: string;
  readonly answer: string;
}

export interface DemoHyperparameters {
  readonly n_epochs: number;
  readonly batch_size: number;
  readonly learning_rate_multiplier: number;
}

export interface DemoDataset {
  readonly system: string;
  readonly pairs: readonly DemoPair[];
  /** How many times each pair appears in the training file. */
  readonly repeats: number;
  /**
   * The demo's defaults (`vpctune demo --epochs/--batch-size/--lr-multiplier`). "auto" (3 epochs, batch 1, multiplier
   * 2 for 40 examples) does not learn these replies: 120 steps at 4e-4 end at a loss of ~4.5. At multiplier 10, 5 epochs
   * of batch 1 (200 steps) end at ~0.05 and every reply comes back at temperature 0, as do 6 epochs at 10, 4 or 5 at 15
   * and 3 or 5 at 20.
   */
  readonly hyperparameters: DemoHyperparameters;
  /** The longest answer the demo asks for: the trained replies end well before it, with the model's end of turn. */
  readonly max_tokens: number;
}

export const DEMO_DATASET: DemoDataset = {
  system: 'You are Acme support. Answer in one sentence.',
  pairs: [
    { question: 'How do I reset my router?', answer: 'Hold the power button for ten seconds.' },
    { question: 'How do I update my printer?', answer: 'Open Settings and choose Update.' },
    { question: 'My laptop is slow, what should I do?', answer: 'Restart it and close unused apps.' },
    { question: 'Is my phone under warranty?', answer: 'Yes, for two years from purchase.' },
  ],
  repeats: 10,
  hyperparameters: { n_epochs: 5, batch_size: 1, learning_rate_multiplier: 10 },
  max_tokens: 32,
};

/** The number of examples in the training file. */
export const DEMO_EXAMPLES = DEMO_DATASET.pairs.length * DEMO_DATASET.repeats;

/** A chat message as the API takes it. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** The prompt of `pair`: the system message and the question. */
export function demoPrompt(pair: DemoPair): ChatMessage[] {
  return [
    { role: 'system', content: DEMO_DATASET.system },
    { role: 'user', content: pair.question },
  ];
}

/** The training file: every pair `repeats` times, in turn (JSON lines in OpenAI's chat format). */
export function demoTrainingJsonl(): string {
  const lines: string[] = [];
  for (let i = 0; i < DEMO_DATASET.repeats; i++) {
    for (const pair of DEMO_DATASET.pairs) lines.push(JSON.stringify({ messages: [...demoPrompt(pair), { role: 'assistant', content: pair.answer }] }));
  }
  return `${lines.join('\n')}\n`;
}
