import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..', '..', '..');

/** The trainer's Python for tests: VPCTUNE_PYTHON (set by `npm test`), else the repo's venv, built if needed. */
export function testPython(): string {
  if (process.env['VPCTUNE_PYTHON']) return process.env['VPCTUNE_PYTHON'];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(path.join(REPO, 'scripts', 'ensure-trainer-env.cjs')) as { ensureTrainerEnv: () => string }).ensureTrainerEnv();
}

export interface UpProcess {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  output(): string;
}

/** Runs `vpctune up --local` as a real process and waits until it prints its base URL. */
export function startUp(args: readonly string[], env: Readonly<Record<string, string>>, timeoutMs = 120_000): Promise<UpProcess> {
  const child = spawn(process.execPath, [path.join(REPO, 'bin', 'vpctune.cjs'), 'up', '--local', ...args], {
    env: { ...process.env, VPCTUNE_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vpctune up did not start in time:\n${out}`)), timeoutMs);
    const check = () => {
      const m = /base URL: (\S+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({ child, baseUrl: m[1], output: () => out });
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vpctune up exited with ${code}:\n${out}`));
    });
  });
}

export function stopUp(up: UpProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  return new Promise((resolve) => {
    if (up.child.exitCode !== null || up.child.signalCode !== null) return resolve();
    up.child.removeAllListeners('exit');
    up.child.once('exit', () => resolve());
    up.child.kill(signal);
  });
}
