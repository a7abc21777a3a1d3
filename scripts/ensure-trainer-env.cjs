#!/usr/bin/env node
/**
 * Creates (or reuses) the Python environment the trainer runs in and the Python tests need.
 *
 *   node scripts/ensure-trainer-env.cjs [VENV_DIR]     (default: <repo>/.venv)
 *
 * The environment is rebuilt only when images/trainer's requirements or pyproject change (a hash stamp).
 * Package indexes come from the machine's pip configuration; when it names local mirrors, they are passed
 * as the primary index so pip does not wait on indexes it cannot reach. No machine path is committed.
 * While it builds, one progress line is printed; venv's and pip's output go to `<VENV_DIR>.log`, whose path is
 * printed when a step fails. Prints the venv's python path as the last line of stdout.
 */
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const repo = path.resolve(__dirname, '..');
const trainerDir = path.join(repo, 'images', 'trainer');

/** A build step failed; the message names the step and the log file. */
class TrainerEnvError extends Error {}

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

/**
 * @param {string} [venvDir] where the venv lives
 * @param {{ progress?: (line: string) => void }} [options] progress: where the one progress line goes (default: stderr)
 * @returns {string} the venv's python
 */
function ensureTrainerEnv(venvDir = path.join(repo, '.venv'), options = {}) {
  const progress = options.progress || ((line) => process.stderr.write(`[trainer-env] ${line}\n`));
  const reqFile = path.join(trainerDir, 'requirements-cpu.txt');
  const inputs = [reqFile, path.join(trainerDir, 'pyproject.toml')].filter((f) => fs.existsSync(f));
  const hash = crypto.createHash('sha256');
  for (const f of inputs) hash.update(fs.readFileSync(f));
  const stamp = hash.digest('hex');
  const stampFile = path.join(venvDir, '.vpctune-stamp');
  const python = path.join(venvDir, 'bin', 'python');
  if (fs.existsSync(python) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) return python;

  const logFile = `${venvDir.replace(/\/+$/, '')}.log`;
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  progress(`preparing the trainer's Python environment in ${venvDir} (first run only; a few minutes; log: ${logFile})`);
  const logFd = fs.openSync(logFile, 'w');
  const step = (what, file, args) => {
    fs.writeSync(logFd, `$ ${[file, ...args].join(' ')}\n`);
    try {
      execFileSync(file, args, { stdio: ['ignore', logFd, logFd] });
    } catch (err) {
      const why = err && typeof err.status === 'number' ? `exit code ${err.status}` : String(err && err.message);
      throw new TrainerEnvError(`preparing the trainer's Python environment failed: ${what} (${why}); the full log is ${logFile}`);
    }
  };
  try {
    // System site packages: the machine's moto server and pytest are used by the tests.
    step('python3 -m venv', 'python3', ['-m', 'venv', '--system-site-packages', venvDir]);
    const pip = ['-m', 'pip', 'install', '--disable-pip-version-check', ...mirrorArgs()];
    if (fs.existsSync(reqFile)) step('pip install -r requirements-cpu.txt', python, [...pip, '-r', reqFile]);
    if (fs.existsSync(path.join(trainerDir, 'pyproject.toml'))) step('pip install -e images/trainer', python, [...pip, '--no-deps', '--no-build-isolation', '-e', trainerDir]);
  } finally {
    fs.closeSync(logFd);
  }
  fs.writeFileSync(stampFile, stamp);
  return python;
}

module.exports = { ensureTrainerEnv, TrainerEnvError };

if (require.main === module) {
  try {
    process.stdout.write(`${ensureTrainerEnv(process.argv[2])}\n`);
  } catch (err) {
    if (!(err instanceof TrainerEnvError)) throw err;
    process.stderr.write(`[trainer-env] ${err.message}\n`);
    process.exitCode = 1;
  }
}
