import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { importBaseModel } from '../platform/model-registry';
import type { RunningPlatform } from '../platform/platform';
import { packageRoot } from '../../../../constructs/support/package-root';

/** The package root (repository or installed package): scripts/ensure-trainer-env.cjs and images/trainer ship there. */
export const REPO_ROOT = packageRoot(__dirname);
export const TINY_MODEL_ID = 'vpctune/tiny-chat';

/**
 * The trainer's Python: `VPCTUNE_PYTHON` if set, else a venv in the user's cache directory, built on first use by
 * scripts/ensure-trainer-env.cjs: `say` gets its one progress line; pip's output goes to a log file it names on failure.
 */
export function trainerPython(say: (line: string) => void): string {
  const fromEnv = process.env['VPCTUNE_PYTHON'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const cache = process.env['XDG_CACHE_HOME'] ?? path.join(os.homedir(), '.cache');
  const venv = path.join(cache, 'vpctune', 'trainer-venv');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ensureTrainerEnv } = require(path.join(REPO_ROOT, 'scripts', 'ensure-trainer-env.cjs')) as {
    ensureTrainerEnv: (dir: string, options: { progress: (line: string) => void }) => string;
  };
  return ensureTrainerEnv(venv, { progress: say });
}

/** Registers the tiny base model, building it with the trainer package the first time. */
export async function ensureTinyModel(platform: RunningPlatform, python: string, say: (line: string) => void): Promise<void> {
  if ((await platform.store.getModel(null, TINY_MODEL_ID)) !== undefined) return;
  say(`building the tiny base model ${TINY_MODEL_ID} (first run only)`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-tiny-'));
  try {
    const dir = path.join(tmp, 'tiny-chat');
    execFileSync(python, ['-m', 'vpctune_trainer', 'make-tiny-model', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    await importBaseModel(platform.store, platform.storage, TINY_MODEL_ID, dir, Math.floor(Date.now() / 1000));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
