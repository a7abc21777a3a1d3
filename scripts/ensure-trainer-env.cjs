#!/usr/bin/env node
/**
 * Creates (or reuses) the Python environment the trainer runs in and the Python tests need.
 *
 *   node scripts/ensure-trainer-env.cjs [VENV_DIR]     (default: <repo>/.venv)
 *
 * The environment is rebuilt only when images/trainer's requirements or pyproject change (a hash stamp).
 * Package indexes come from the machine's pip configuration; when it names local mirrors, they are passed
 * as the primary index so pip does not wait on indexes it cannot reach. No machine path is committed.
 * Prints the venv's python path as the last line of stdout.
 */
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const repo = path.resolve(__dirname, '..');
const trainerDir = path.join(repo, 'images', 'trainer');

function log(msg) { process.stderr.write(`[trainer-env] ${msg}\n`); }

function mirrorArgs() {
  const out = spawnSync('python3', ['-m', 'pip', 'config', 'list'], { encoding: 'utf8' });
  const urls = [];
  for (const line of (out.stdout || '').split('\n')) {
    const m = /^[\w:.-]*(extra-index-url|index-url)='(.*)'$/.exec(line.trim());
    if (m) urls.push(...m[2].split(/\s+/).filter(Boolean));
  }
  const local = urls.filter((u) => u.startsWith('file://'));
  if (local.length === 0) return [];
  return ['--index-url', local[0], ...local.slice(1).flatMap((u) => ['--extra-index-url', u])];
}

function ensureTrainerEnv(venvDir = path.join(repo, '.venv')) {
  const reqFile = path.join(trainerDir, 'requirements-cpu.txt');
  const inputs = [reqFile, path.join(trainerDir, 'pyproject.toml')].filter((f) => fs.existsSync(f));
  const hash = crypto.createHash('sha256');
  for (const f of inputs) hash.update(fs.readFileSync(f));
  const stamp = hash.digest('hex');
  const stampFile = path.join(venvDir, '.vpctune-stamp');
  const python = path.join(venvDir, 'bin', 'python');
  if (fs.existsSync(python) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) return python;

  log(`preparing the trainer's Python environment in ${venvDir} (first run only; a few minutes)`);
  // System site packages: the machine's moto server and pytest are used by the tests.
  execFileSync('python3', ['-m', 'venv', '--system-site-packages', venvDir], { stdio: 'inherit' });
  const pip = [python, '-m', 'pip', 'install', '--disable-pip-version-check', ...mirrorArgs()];
  if (fs.existsSync(reqFile)) execFileSync(pip[0], [...pip.slice(1), '-r', reqFile], { stdio: ['ignore', 2, 2] });
  if (fs.existsSync(path.join(trainerDir, 'pyproject.toml'))) {
    execFileSync(pip[0], [...pip.slice(1), '--no-deps', '--no-build-isolation', '-e', trainerDir], { stdio: ['ignore', 2, 2] });
  }
  fs.writeFileSync(stampFile, stamp);
  log('trainer environment ready');
  return python;
}

module.exports = { ensureTrainerEnv };

if (require.main === module) {
  process.stdout.write(`${ensureTrainerEnv(process.argv[2])}\n`);
}
