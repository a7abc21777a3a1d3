#!/usr/bin/env node
/**
 * The one test command (`npm test`): build and type-check, jest, pytest; then a plain `N passed, N failed` line.
 * Exits non-zero if anything failed. Extra arguments are passed to jest (e.g. a test path pattern).
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ensureTrainerEnv } = require('./ensure-trainer-env.cjs');

const repo = path.resolve(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-test-'));
const env = { ...process.env, CHECKPOINT_DISABLE: '1' };
let passed = 0;
let failed = 0;
const problems = [];

function run(title, cmd, args, opts = {}) {
  process.stdout.write(`\n=== ${title}: ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { cwd: repo, stdio: 'inherit', env, ...opts });
  return r.status === null ? 1 : r.status;
}

// 1. Python environment for the trainer (also used by jest tests that run the trainer).
const python = ensureTrainerEnv();
env.VPCTUNE_PYTHON = python;

// 2. Build dist/ (the CLI's process tests and the package test run the compiled code), which type-checks the shipped
//    code; then type-check the tests against its declarations (tsconfig.test.json references the build, so the
//    shipped code is compiled once; an up-to-date build is skipped). jest itself transpiles only.
if (run('build and typecheck', 'npx', ['tsc', '-b', 'tsconfig.test.json']) !== 0) {
  failed += 1;
  problems.push('build or typecheck failed');
}

// 3. jest
const jestJson = path.join(work, 'jest.json');
// --forceExit: a test that leaves a handle open (a timer, a child's pipe) must not keep the whole run from reaching
// pytest and the summary; jest still reports such a run ("did not exit one second after the test run").
run('jest', 'npx', ['jest', '--ci', '--forceExit', '--json', `--outputFile=${jestJson}`, ...process.argv.slice(2)]);
if (fs.existsSync(jestJson)) {
  const r = JSON.parse(fs.readFileSync(jestJson, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  // A suite that fails to load counts as a failure even though it ran no test.
  const broken = r.testResults.filter((t) => t.status === 'failed' && t.assertionResults.length === 0);
  failed += broken.length;
  for (const b of broken) problems.push(`jest suite failed to run: ${path.relative(repo, b.name)}`);
  if (r.numPendingTests > 0) problems.push(`${r.numPendingTests} jest tests skipped`);
} else {
  failed += 1;
  problems.push('jest produced no report');
}

// 4. pytest (the trainer's tests live beside it)
const pyDirs = ['images/trainer/tests', 'images/server/tests'].filter((d) => fs.existsSync(path.join(repo, d)));
if (pyDirs.length > 0 && process.argv.length <= 2) {
  const junit = path.join(work, 'pytest.xml');
  const code = run('pytest', python, ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', `--junitxml=${junit}`, ...pyDirs]);
  if (fs.existsSync(junit)) {
    const xml = fs.readFileSync(junit, 'utf8');
    const suite = /<testsuite [^>]*>/.exec(xml)[0];
    const attr = (n) => Number((new RegExp(`${n}="(\\d+)"`).exec(suite) || [0, 0])[1]);
    const total = attr('tests');
    const bad = attr('failures') + attr('errors');
    const skipped = attr('skipped');
    passed += total - bad - skipped;
    failed += bad;
    if (skipped > 0) problems.push(`${skipped} pytest tests skipped`);
  } else if (code !== 5) {
    failed += 1;
    problems.push('pytest produced no report');
  }
}

fs.rmSync(work, { recursive: true, force: true });
for (const p of problems) process.stdout.write(`note: ${p}\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
