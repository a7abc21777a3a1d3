/**
 * Synth benchmark (not part of CI): wall time and peak memory of synthesizing every bundled example config
 * (stacks/examples: AWS, GCP and Azure, one app) vs a one-resource cdktf app, each in a fresh child process,
 * alternating, in the same run.
 *
 *   npx tsx scripts/bench-synth.ts [ROUNDS] [--source-maps]     (default 5 rounds)
 *
 * Children run with source maps off, as the compiled CLI does; --source-maps keeps tsx's (the figures before that).
 * Prints per-round figures, medians, and the ratios examples/baseline. Goal: <= 3x the baseline's time, <= 500 MB.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..');
const EXAMPLES = fs
  .readdirSync(path.join(REPO, 'stacks', 'examples'))
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort()
  .map((f) => `stacks/examples/${f}`);

interface Sample {
  readonly wallMs: number;
  readonly maxRssMb: number;
}

function child(mode: 'examples' | 'baseline'): Sample {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${mode}-`));
  const started = process.hrtime.bigint();
  const flags = process.argv.includes('--source-maps') ? ['--source-maps'] : [];
  const r = spawnSync(process.execPath, [require.resolve('tsx/cli'), __filename, '--child', mode, out, ...flags], { cwd: REPO, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  fs.rmSync(out, { recursive: true, force: true });
  if (r.status !== 0) throw new Error(`${mode} child failed: ${r.stderr}`);
  const { maxRssKb } = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { maxRssKb: number };
  return { wallMs, maxRssMb: maxRssKb / 1024 };
}

function runChild(mode: string, out: string): void {
  // tsx turns source maps on for our TypeScript; the shipped CLI (bin/vpctune.cjs over dist/) runs without them.
  // With them on, every stack trace cdktf captures (each token records its creation stack) is mapped through the
  // inline source maps of the provider bindings, which node then parses: about a third of the examples' time in a
  // --cpu-prof profile, none of it in what users run. Both children turn them off, so the ratio measures synthesis.
  if (process.argv.includes('--source-maps') === false) process.setSourceMapsEnabled(false);
  /* eslint-disable @typescript-eslint/no-require-imports */
  if (mode === 'baseline') {
    const { App, TerraformStack } = require('cdktf') as typeof import('cdktf');
    const { AwsProvider } = require('@cdktf/provider-aws/lib/provider') as typeof import('@cdktf/provider-aws/lib/provider');
    const { S3Bucket } = require('@cdktf/provider-aws/lib/s3-bucket') as typeof import('@cdktf/provider-aws/lib/s3-bucket');
    const app = new App({ outdir: out });
    const stack = new TerraformStack(app, 'baseline');
    new AwsProvider(stack, 'aws', { region: 'us-east-1' });
    new S3Bucket(stack, 'bucket', { bucketPrefix: 'baseline-' });
    app.synth();
  } else {
    const { buildApp } = require(path.join(REPO, 'stacks', 'build-app.ts')) as typeof import('../stacks/build-app');
    buildApp(EXAMPLES.map((e) => path.join(REPO, e)), out).synth();
  }
  process.stdout.write(`${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS })}\n`);
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

if (process.argv[2] === '--child') {
  runChild(process.argv[3] as string, process.argv[4] as string);
} else {
  const rounds = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 5);
  const samples: Record<'examples' | 'baseline', Sample[]> = { examples: [], baseline: [] };
  for (let i = 0; i < rounds; i++) {
    for (const mode of i % 2 === 0 ? (['baseline', 'examples'] as const) : (['examples', 'baseline'] as const)) {
      const s = child(mode);
      samples[mode].push(s);
      process.stdout.write(`round ${i + 1} ${mode.padEnd(8)} ${s.wallMs.toFixed(0).padStart(6)} ms ${s.maxRssMb.toFixed(0).padStart(5)} MB\n`);
    }
  }
  const m = (mode: 'examples' | 'baseline', k: keyof Sample) => median(samples[mode].map((s) => s[k]));
  process.stdout.write(
    `\nmedian baseline (1 resource): ${m('baseline', 'wallMs').toFixed(0)} ms, ${m('baseline', 'maxRssMb').toFixed(0)} MB\n` +
      `median examples (${EXAMPLES.length} stacks: ${EXAMPLES.map((e) => path.basename(e)).join(', ')}): ${m('examples', 'wallMs').toFixed(0)} ms, ${m('examples', 'maxRssMb').toFixed(0)} MB\n` +
      `ratio examples/baseline: wall ${(m('examples', 'wallMs') / m('baseline', 'wallMs')).toFixed(2)}x, peak memory ${(m('examples', 'maxRssMb') / m('baseline', 'maxRssMb')).toFixed(2)}x\n`,
  );
}
