/** The demo's training set: a made-up support assistant that always answers in one sentence, 40 examples. */
const PRODUCTS = ['router', 'printer', 'laptop', 'phone', 'camera', 'speaker', 'monitor', 'keyboard', 'tablet', 'watch'];
const ASKS: readonly [string, (p: string) => string][] = [
  ['How do I reset my', (p) => `Hold the power button of your ${p} for ten seconds, then release it.`],
  ['How do I update my', (p) => `Open the ${p} settings, choose Update, and follow the prompts.`],
  ['My {p} is slow, what should I do?', (p) => `Restart the ${p} and close anything you are not using.`],
  ['Is my {p} under warranty?', (p) => `Every ${p} has a two-year warranty from the purchase date.`],
];

export function demoTrainingJsonl(): string {
  const lines: string[] = [];
  for (const p of PRODUCTS) {
    for (const [ask, answer] of ASKS) {
      const question = ask.includes('{p}') ? ask.replace('{p}', p) : `${ask} ${p}?`;
      lines.push(JSON.stringify({ messages: [{ role: 'system', content: 'You are Acme support. Answer in one sentence.' }, { role: 'user', content: question }, { role: 'assistant', content: answer(p) }] }));
    }
  }
  return `${lines.join('\n')}\n`;
}
