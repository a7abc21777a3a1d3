import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { main } from '../../stacks/cli/main';

const REPO = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join('test', 'fixtures', 'estimate');

/** Runs the command function, capturing what it prints. */
async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['estimate', ...args], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

/** The real CLI: `node bin/vpctune.cjs estimate …`. */
function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/vpctune.cjs', 'estimate', ...args], { cwd: REPO, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const firstLine = (s: string): string => s.split('\n')[0] ?? '';

describe('vpctune estimate through the real CLI', () => {
  test('the issue\'s Done-when command prints a sourced table for all three clouds with the cheapest row beside Predibase and Anyscale', () => {
    // GIVEN the README's estimate command WHEN run THEN exit 0
    const r = cli('--model', 'llama-3.1-8b', '--method', 'lora', '--tokens', '100000000', '--epochs', '1');
    expect([r.code, r.stderr]).toEqual([0, '']);
    // AND a section per cloud, the reference rows, the comparison line and numbered sources
    expect(r.stdout).toMatch(/^AWS \(us-east-1; on-demand prices \[2\] \[3\], spot snapshot \[4\], as of 2025-10-01\)$/m);
    expect(r.stdout).toMatch(/^GCP \(us-central1; /m);
    expect(r.stdout).toMatch(/^Azure \(eastus; /m);
    expect(r.stdout).toContain('Cheapest on-demand: AWS g6e.2xlarge x1 $0.174 per 1M tokens ($17.36, 7.74 h) [L40S efficiency assumed*]   vs Predibase $0.500, Anyscale $1.050 per 1M tokens');
    expect(r.stdout).toMatch(/^Sources\n {2}\[1\] https:\/\/huggingface\.co\/meta-llama\/Llama-3\.1-8B-Instruct\/blob\/main\/config\.json/m);
  });

  test('--json is valid JSON with every shape', () => {
    const r = cli('--model', 'qwen2.5-7b', '--method', 'qlora', '--tokens', '5000000', '--cloud', 'azure', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.shapes.map((s: { instanceType: string }) => s.instanceType)).toEqual([
      'Standard_ND96asr_v4', 'Standard_NC24ads_A100_v4', 'Standard_NC48ads_A100_v4', 'Standard_NC96ads_A100_v4', 'Standard_ND96amsr_A100_v4', 'Standard_ND96isr_H100_v5',
    ]);
  });

  test.each([
    [['--model', 'llama-9b', '--method', 'lora', '--tokens', '100'], "vpctune estimate: --model 'llama-9b' is not a known model; allowed: a Hugging Face id or alias (llama-3.2-1b, llama-3.2-3b, llama-3.1-8b, "],
    [['--model', 'llama-3.1-8b', '--method', 'lora', '--tokens', '-5'], "vpctune estimate: --tokens '-5' is not a positive integer"],
    [['--model', 'llama-3.1-8b', '--method', 'dpo', '--tokens', '5'], "vpctune estimate: --method 'dpo' is not a method; allowed: lora, qlora, full"],
    [['--model', 'llama-3.1-8b', '--method', 'lora', '--tokens', '5', '--gpu', 'V100'], "vpctune estimate: --gpu 'V100' is not a catalog GPU; allowed: A10G, L40S, A100-40GB, A100-80GB, H100"],
  ])('bad input %j exits 2 with a clear message', (args, message) => {
    const r = cli(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(firstLine(r.stderr).startsWith(message)).toBe(true);
  });
});

describe('runEstimate', () => {
  test.each([
    [['--model', 'llama-3.1-8b', '--method', 'lora', '--tokens', '5', '--cloud', 'oci'], "vpctune estimate: --cloud 'oci' is not a cloud; allowed: aws, gcp, azure"],
    [['--model', 'llama-3.1-8b', '--method', 'lora', '--tokens', '0'], "vpctune estimate: --tokens '0' is not a positive integer"],
    [['--model', 'llama-3.1-8b', '--method', 'lora', '--tokens', '1.5e3x'], "vpctune estimate: --tokens '1.5e3x' is not a positive integer"],
    [['--model', 'llama-3.1-8b', '--tokens', '5'], 'vpctune estimate: --method is required; allowed: lora, qlora, full'],
    [['--model', 'llama-3.1-8b', '--method', 'full'], 'vpctune estimate: give exactly one of --tokens N or --training-file FILE'],
    [['--method', 'lora', '--tokens', '5'], 'vpctune estimate: give exactly one of --model ID or --model-config FILE'],
    [['--model', 'llama-3.1-8b', '--method', 'lora', '--tokens', '5', '--epochs', '0'], "vpctune estimate: --epochs '0' is not a positive number"],
    [['--model', 'llama-3.1-8b', '--method', 'lora', '--tokens', '5', '--context-length', '-1'], "vpctune estimate: --context-length '-1' is not a positive integer"],
    [['--model', 'llama-3.1-8b', '--method', 'lora', '--tokens', '5', '--efficiency', 'H100:lora=1.5'], "vpctune estimate: --efficiency 'H100:lora=1.5': 1.5 is not a fraction of peak in (0, 1]"],
    [['--model', 'llama-3.1-8b', '--method', 'lora', '--tokens', '5', '--frobnicate'], "vpctune estimate: unknown option --frobnicate; allowed: --model, --model-config, --method, --tokens, --training-file, --epochs, --cloud, --gpu, --context-length, --micro-batch, --lora-rank, --no-gradient-checkpointing, --efficiency, --json"],
  ])('%j exits 2: %s', async (args, message) => {
    const r = await run(...args);
    expect([r.code, r.stdout, firstLine(r.stderr)]).toEqual([2, '', message]);
  });

  test('every problem is reported, not just the first', async () => {
    const r = await run('--method', 'sft', '--tokens', '-1', '--cloud', 'oci');
    expect(r.stderr.split('\n').filter((l) => l.startsWith('vpctune estimate: '))).toEqual([
      'vpctune estimate: give exactly one of --model ID or --model-config FILE',
      "vpctune estimate: --method 'sft' is not a method; allowed: lora, qlora, full",
      "vpctune estimate: --tokens '-1' is not a positive integer",
      "vpctune estimate: --cloud 'oci' is not a cloud; allowed: aws, gcp, azure",
    ]);
  });

  test('a GPU the chosen cloud does not sell is explained from the catalog', async () => {
    const r = await run('--model', 'llama-3.1-8b', '--method', 'lora', '--tokens', '5', '--cloud', 'gcp', '--gpu', 'A10G');
    expect([r.code, r.stderr]).toEqual([2,
      'vpctune estimate: --gpu A10G with --cloud gcp selects no GPU shape: GCP does not offer the A10G (an AWS-specific part); its 24 GB option is the L4 (G2 machine types) (gcp offers A100-40GB x1, x2, x4, x8, x16; A100-80GB x1, x2, x4, x8; H100 x1, x2, x4, x8)\n']);
  });

  test('--training-file counts tokens of an OpenAI chat JSONL, labelled as an estimate', async () => {
    // GIVEN 2 examples: "You are terse." (14 chars → 4+4), "Capital of France?" (18 → 5+4), "Paris." (6 → 2+4), "2+2?" (4 → 1+4), "4" (1 → 1+4)
    const r = await run('--model', 'llama-3.1-8b', '--method', 'lora', '--training-file', path.join(REPO, FIXTURES, 'chat.jsonl'), '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    // THEN 33 tokens, exact=false, and the rule travels with the number
    expect(j.job.tokenCount).toEqual({
      tokens: 33, examples: 2, messages: 5, exact: false,
      rule: 'estimate: characters / 4 per message + 4 per message for the chat template (no tokenizer run)',
    });
    expect(j.job.datasetTokens).toBe(33);
  });

  test('a training file line that is not a chat example exits 2 naming the line', async () => {
    const file = path.join(FIXTURES, 'bad-chat.jsonl');
    const r = await run('--model', 'llama-3.1-8b', '--method', 'lora', '--training-file', file);
    expect([r.code, r.stderr]).toEqual([2, `vpctune estimate: ${file} line 2: expected {"messages": [...]} with at least one message\n`]);
    const missing = await run('--model', 'llama-3.1-8b', '--method', 'lora', '--training-file', 'no/such.jsonl');
    expect([missing.code, missing.stderr]).toEqual([2, "vpctune estimate: --training-file 'no/such.jsonl' cannot be read (ENOENT)\n"]);
  });

  test('--model-config estimates any model from its config.json', async () => {
    const r = await run('--model-config', path.join(FIXTURES, 'custom-model', 'config.json'), '--method', 'full', '--tokens', '1000000', '--cloud', 'aws', '--gpu', 'H100');
    expect(r.code).toBe(0);
    expect(firstLine(r.stdout)).toBe('vpctune estimate: acme/tiny-llama-1b (1.10B parameters [1]), full fine-tuning');
    const bad = await run('--model-config', path.join(FIXTURES, 'custom-model', 'incomplete-config.json'), '--method', 'lora', '--tokens', '5');
    expect([bad.code, bad.stderr]).toEqual([2, `vpctune estimate: --model-config '${path.join(FIXTURES, 'custom-model', 'incomplete-config.json')}': config.json lacks num_hidden_layers, num_attention_heads, vocab_size (positive numbers)\n`]);
  });

  test('--efficiency overrides a factor and the table says so', async () => {
    const r = await run('--model', 'llama-3.1-8b', '--method', 'lora', '--tokens', '1000000', '--cloud', 'aws', '--gpu', 'L40S', '--efficiency', 'L40S:lora=0.2');
    expect(r.stdout).toContain('  L40S lora: 0.2 (measured: overridden (table: 0.47))');
  });

  test('the Done-when estimate takes well under a second in-process (all 29 shapes, table rendered)', async () => {
    const started = process.hrtime.bigint();
    const r = await run('--model', 'llama-3.1-8b', '--method', 'lora', '--tokens', '100000000', '--epochs', '1');
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(r.code).toBe(0);
    expect(ms).toBeLessThan(1000);
  });

  test('--help prints the usage and exits 0', async () => {
    const r = await run('--help');
    expect([r.code, firstLine(r.stdout)]).toEqual([0, 'Usage: vpctune estimate [options]']);
  });
});
