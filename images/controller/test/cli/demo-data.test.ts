/**
 * The demo's training set (the same values as the real-trainer test's fixture) and how the demo prints the question,
 * the trained reply and the models' answers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { answerLine, printable, questionLines } from '../../src/cli/demo-answers';
import { DEMO_DEFAULTS } from '../../../../stacks/cli/commands/local-commands';
import { DEMO_DATASET, DEMO_EXAMPLES, demoTrainingJsonl } from '../../src/cli/demo-data';

const FIXTURE = path.resolve(__dirname, '..', '..', '..', 'server', 'tests', 'fixtures', 'demo-support.json');

describe('the demo training set', () => {
  test('GIVEN the real-trainer test fixture WHEN compared with the demo data THEN they hold the same pairs, repeats, hyperparameters and max_tokens', () => {
    // GIVEN
    const { '//': note, ...fixture } = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Record<string, unknown>;
    // WHEN / THEN
    expect(note).toContain('images/controller/src/cli/demo-data.ts');
    expect(fixture).toEqual(DEMO_DATASET);
  });

  test('GIVEN the demo command\'s flag defaults WHEN compared with the demo data THEN they are its example count and hyperparameters', () => {
    // GIVEN / WHEN / THEN (the command definitions write them out so that defining commands loads no controller module)
    expect(DEMO_DEFAULTS).toEqual({
      examples: DEMO_EXAMPLES,
      epochs: DEMO_DATASET.hyperparameters.n_epochs,
      batchSize: DEMO_DATASET.hyperparameters.batch_size,
      lrMultiplier: DEMO_DATASET.hyperparameters.learning_rate_multiplier,
    });
  });

  test('GIVEN the demo data WHEN the training file is written THEN it has 40 lines of system, question and trained reply, each of the 4 pairs 10 times, the demo question first', () => {
    // GIVEN / WHEN
    const lines = demoTrainingJsonl().split('\n');
    // THEN
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(40);
    expect(DEMO_EXAMPLES).toBe(40);
    const rows = lines.map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
    expect(rows[0]).toEqual({
      messages: [
        { role: 'system', content: 'You are Acme support. Answer in one sentence.' },
        { role: 'user', content: 'How do I reset my router?' },
        { role: 'assistant', content: 'Hold the power button for ten seconds.' },
      ],
    });
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(JSON.stringify(r.messages.slice(1)), (counts.get(JSON.stringify(r.messages.slice(1))) ?? 0) + 1);
    expect([...counts.values()]).toEqual([10, 10, 10, 10]);
    expect(new Set(rows.map((r) => r.messages[2]?.content)).size).toBe(4);
  });
});

describe('the demo answers', () => {
  test('GIVEN byte-level garbage with escapes, newlines, a bidirectional override and a lone surrogate WHEN made printable THEN those become single spaces and U+FFFD stays', () => {
    // GIVEN
    const garbage = 'b 17\x1b[2J 2Z\uFFFD wor\nQSay\r\t\x00wind\u202Eet3\uD800 some\x7Ft\x9b';
    // WHEN
    const shown = printable(garbage);
    // THEN
    expect(shown).toBe('b 17 [2J 2Z\uFFFD wor QSay wind et3 some t');
  });

  test('GIVEN the question and trained reply WHEN the lines before the answers are made THEN they are aligned and labelled', () => {
    // GIVEN / WHEN
    const lines = questionLines('How do I reset my router?', 'Hold the power button for ten seconds.');
    // THEN
    expect(lines).toEqual(['question:      How do I reset my router?', 'trained reply: Hold the power button for ten seconds.']);
  });

  test('GIVEN the trained reply ended by the end of turn WHEN shown as the fine-tuned answer THEN it says it is the trained reply', () => {
    // GIVEN
    const reply = 'Hold the power button for ten seconds.';
    // WHEN
    const line = answerLine('fine-tuned', { content: reply, finishReason: 'stop' }, reply);
    // THEN
    expect(line).toBe('fine-tuned:    Hold the power button for ten seconds.  (the trained reply)');
  });

  test('GIVEN garbage cut by max_tokens WHEN shown as the base answer THEN it is one clean line ending in … that says it is not the trained reply', () => {
    // GIVEN
    const answer = { content: 'b 17 2Z\uFFFD wor\nQSay\x1b wind', finishReason: 'length' };
    // WHEN
    const line = answerLine('base model', answer, 'Hold the power button for ten seconds.');
    // THEN
    expect(line).toBe('base model:    b 17 2Z\uFFFD wor QSay wind…  (not the trained reply)');
  });
});
