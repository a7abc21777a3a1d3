#!/usr/bin/env node
/**
 * CLI start-up benchmark (not CI): the compiled CLI (bin/vpctune.cjs → dist/) against the same tree's TypeScript
 * sources through tsx (the run mode alone), and against the CLI as it ran before the package build, through tsx at
 * BASELINE (a git worktree sharing this node_modules; code changes since then count too).
 *
 *   npm run build && node scripts/bench-cli-startup.cjs [RUNS] [BASELINE]      (defaults: 15, 2c5137c)
 *
 * Each command runs RUNS times per variant, alternating (baseline, tsx, dist, baseline, …) so machine load hits both alike,
 * after one untimed warm-up each (tsx's compile cache is then warm, as on a user's second run). Prints the median
 * wall time per variant and the ratios to dist.
 */
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const repo = path.resolve(__dirname, '..');
const runs = Number(process.argv[2] ?? 15);
const baseline = process.argv[3] ?? '2c5137c';
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`bench-cli-startup: RUNS ${process.argv[2]} must be a whole number, at least 1\n`);
  process.exit(2);
}
if (!fs.existsSync(path.join(repo, 'dist', 'stacks', 'cli', 'main.js'))) {
  process.stderr.write('bench-cli-startup: dist/ is missing; run `npm run build` first\n');
  process.exit(2);
}

const COMMANDS = [
  ['--help'],
  ['validate', '--config', 'stacks/examples/aws-small.json'],
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The tree's own TypeScript CLI through tsx, as bin/vpctune.cjs ran it before the build (same code as dist/). */
const TSX_SOURCE = [
  '-r',
  'tsx/cjs',
  '-e',
  `require(${JSON.stringify(path.join(repo, 'stacks', 'cli', 'main.ts'))}).main(process.argv.slice(1)).then((c) => { process.exitCode = c; })`,
];

function timeRun(variant, args) {
  const root = variant.root;
  const argv = variant.tsxSource ? [...TSX_SOURCE, ...args] : [path.join(root, 'bin', 'vpctune.cjs'), ...args];
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { cwd: root, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${variant.name}: vpctune ${args.join(' ')} exited ${r.status}\n${r.stdout}${r.stderr}`);
  return ms;
}

const worktree = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-bench-baseline-'));
execFileSync('git', ['worktree', 'add', '--detach', '--force', worktree, baseline], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
try {
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(worktree, 'node_modules'), 'dir');
  const variants = [
    { name: `tsx (${baseline})`, root: worktree },
    { name: 'tsx (this tree)', root: repo, tsxSource: true },
    { name: 'dist (this tree)', root: repo },
  ];
  process.stdout.write(`node ${process.version}, ${runs} runs per variant, alternating, medians in ms\n`);
  for (const args of COMMANDS) {
    const times = variants.map(() => []);
    variants.forEach((v) => timeRun(v, args));
    for (let i = 0; i < runs; i += 1) variants.forEach((v, j) => times[j].push(timeRun(v, args)));
    const [baselineMs, tsxMs, distMs] = times.map(median);
    process.stdout.write(
      `vpctune ${args.join(' ')}\n` +
        variants.map((v, j) => `  ${v.name.padEnd(18)} ${median(times[j]).toFixed(0).padStart(6)} ms\n`).join('') +
        `  ratio tsx / dist, same code          ${(tsxMs / distMs).toFixed(2)}x\n` +
        `  ratio tsx at ${baseline} / dist now  ${(baselineMs / distMs).toFixed(2)}x\n`,
    );
  }
} finally {
  execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
}
