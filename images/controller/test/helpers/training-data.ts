/** Small, valid training files for tests. */
export function sftExample(i: number): object {
  return {
    messages: [
      { role: 'system', content: 'You answer in one short sentence.' },
      { role: 'user', content: `What is ${i} plus ${i}?` },
      { role: 'assistant', content: `${i} plus ${i} is ${2 * i}.` },
    ],
  };
}

export function sftJsonl(n = 12): string {
  return `${Array.from({ length: n }, (_, i) => JSON.stringify(sftExample(i + 1))).join('\n')}\n`;
}

export function dpoJsonl(n = 12): string {
  return `${Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      input: { messages: [{ role: 'user', content: `Say ${i}` }] },
      preferred_output: [{ role: 'assistant', content: `${i}` }],
      non_preferred_output: [{ role: 'assistant', content: `no` }],
    }),
  ).join('\n')}\n`;
}
