/**
 * The local commands as a new user runs them, as real processes (the compiled CLI in dist/, `npm run build`), with the
 * fake trainer and a fresh HOME and XDG_DATA_HOME: `vpctune demo` ends cleanly and says it stopped only once it has;
 * restarting `vpctune up --local` shows no new key; `vpctune keys` finds the per-user store from any directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from './helpers/cli-process';

const KEY = /sk-vpct-[A-Za-z0-9]{40}/g;
/** The fake trainer (a `vpctune_trainer` package without torch); as a path only: this file loads no controller module. */
const FAKE_TRAINER_DIR = path.join(__dirname, 'fixtures', 'fake-trainer');

/** A fresh user: HOME and XDG_DATA_HOME in a temp directory, the fake trainer, no VPCTUNE_* settings inherited. */
function freshUser(): { root: string; xdg: string; env: Record<string, string> } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-user-'));
  const xdg = path.join(root, 'xdg-data');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('VPCTUNE_') && !k.startsWith('XDG_')) env[k] = v;
  Object.assign(env, { HOME: path.join(root, 'home'), XDG_DATA_HOME: xdg, XDG_CACHE_HOME: path.join(root, 'cache'), VPCTUNE_PYTHON: 'python3', PYTHONPATH: FAKE_TRAINER_DIR });
  fs.mkdirSync(env['HOME'] as string);
  return { root, xdg, env };
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `vpctune ARGS` in `cwd`; `onLine` sees each stdout line as it arrives. */
function vpctune(args: readonly string[], env: Record<string, string>, cwd: string, onLine: (line: string) => void = () => undefined): Promise<Run> {
  const child = spawn(process.execPath, [path.join(REPO, 'bin', 'vpctune.cjs'), ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let pending = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    pending += d.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    lines.forEach(onLine);
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

interface Up {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  output(): string;
}

/** Starts `vpctune up --local --port 0` with exactly `env`; resolves once it prints its base URL. */
function startUp(env: Record<string, string>, cwd: string): Promise<Up> {
  const child = spawn(process.execPath, [path.join(REPO, 'bin', 'vpctune.cjs'), 'up', '--local', '--port', '0'], { env: { ...env, VPCTUNE_LOG_LEVEL: 'warn' }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // (the whole block is one write: its last line ends it)
      const m = /base URL: (\S+)[\s\S]*Ctrl-C stops it[^\n]*\n/.exec(out);
      if (m?.[1] !== undefined) resolve({ child, baseUrl: m[1], output: () => out });
    });
    child.once('exit', (code) => reject(new Error(`vpctune up exited with ${code}:\n${out}`)));
  });
}

/** Ctrl-C; resolves with the exit code. */
function interrupt(up: Up): Promise<number | string | null> {
  up.child.removeAllListeners('exit');
  return new Promise((resolve) => {
    up.child.once('exit', (code, signal) => resolve(code ?? signal));
    up.child.kill('SIGINT');
  });
}

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

test('GIVEN a new user WHEN vpctune demo runs THEN the job succeeds, it exits 0 with nothing on stderr, and "platform stopped" comes last, once the controller has let go of its data directory', async () => {
  // GIVEN
  const user = freshUser();
  roots.push(user.root);
  const dataDir = path.join(user.xdg, 'vpctune', 'demo');
  const leftWhenStopped: string[][] = [];
  // WHEN
  const r = await vpctune(['demo', '--epochs', '1'], user.env, user.root, (line) => {
    // (checked the moment the line arrives: the controller's pid file, its address and its admin token must be gone)
    if (line.includes('platform stopped')) leftWhenStopped.push(['controller.pid', 'controller.json', 'admin.token'].filter((f) => fs.existsSync(path.join(dataDir, f))));
  });
  // THEN
  expect(r.stderr).not.toMatch(/EBADF/);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(new RegExp(`^▸ local platform up at http://127\\.0\\.0\\.1:\\d+/v1 \\(store: sqlite, data: ${dataDir}, log: ${dataDir}/controller\\.log\\)$`));
  expect(lines.filter((l) => /^fine-tuned model: vpctune\/tiny-chat:acme-support:[0-9a-f]{8} {2}\(listed in GET \/v1\/models\)$/.test(l))).toHaveLength(1);
  // AND it says what it uploaded and how it trains (--epochs given, the demo's batch and multiplier by default)
  expect(lines.filter((l) => /^▸ uploaded acme-support\.jsonl \(40 examples: 4 support questions × 10, \d+ bytes\) as file-[A-Za-z0-9]+$/.test(l))).toHaveLength(1);
  expect(lines.filter((l) => /^▸ created fine-tuning job ftjob-[A-Za-z0-9]+ \(\w+\): LoRA on vpctune\/tiny-chat, 1 epochs, batch 1, learning-rate multiplier 10$/.test(l))).toHaveLength(1);
  // AND it shows the question and the reply it was trained to give, before any answer
  const asked = lines.indexOf('question:      How do I reset my router?');
  expect(asked).toBeGreaterThan(0);
  expect(lines[asked + 1]).toBe('trained reply: Hold the power button for ten seconds.');
  // (the fake trainer's tiny model cannot be served: the comparison of answers is skipped, saying why, and the demo goes on)
  expect(lines[asked + 2]).toMatch(/^▸ inference is off/);
  expect(lines.filter((l) => l.startsWith('▸ inference is off'))).toEqual([
    `▸ inference is off, so no answers to compare: the local inference worker exited with code 1 before listening; see ${dataDir}/serving/worker.log`,
  ]);
  expect(lines[lines.length - 1]).toMatch(/^▸ done in \d+\.\d s; platform stopped$/);
  expect(lines.filter((l) => l.includes('platform stopped'))).toHaveLength(1);
  expect(leftWhenStopped).toEqual([[]]);
  // AND the controller's log is complete JSON lines, the last one written before the file closed
  const log = fs.readFileSync(path.join(dataDir, 'controller.log'), 'utf8').trimEnd().split('\n');
  expect(log.length).toBeGreaterThan(0);
  for (const l of log) expect(() => JSON.parse(l)).not.toThrow();
}, 120_000);

test('GIVEN up --local started once and stopped with Ctrl-C WHEN it starts again THEN no new key is shown, it says a key exists and how to make another, and the first key still works', async () => {
  // GIVEN a first start, which makes and shows the key
  const user = freshUser();
  roots.push(user.root);
  const dataDir = path.join(user.xdg, 'vpctune', 'local');
  const first = await startUp(user.env, user.root);
  const shown = first.output().match(KEY) ?? [];
  expect(shown).toHaveLength(1);
  const key = shown[0] as string;
  expect(first.output()).toContain(`  API key:  ${key}  (project default; shown once)\n  data dir: ${dataDir}\n`);
  expect(await interrupt(first)).toBe(0);
  expect(fs.existsSync(path.join(dataDir, 'controller.pid'))).toBe(false);

  // WHEN it starts again on the same per-user data directory
  const second = await startUp(user.env, user.root);
  let code: number | string | null = null;
  try {
    // THEN no key is printed; the line names the existing key and the command that makes another
    expect(second.output().match(KEY)).toBeNull();
    expect(second.output()).toMatch(
      /\n {2}API key: {2}project default has a key \(newest key-\w+, sk-vpct-\w{4}…\w{4}\); keys are shown only when made: vpctune keys create --project default makes another\n {2}data dir: /,
    );
    expect(second.output()).toContain(`(newest key-`);
    expect(second.output()).toContain(`, ${key.slice(0, 12)}…${key.slice(-4)});`);
    // AND the first key still works against the restarted platform
    const res = await fetch(`${second.baseUrl}/models`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { id: string }[] }).data.map((m) => m.id)).toEqual(['vpctune/tiny-chat']);
  } finally {
    code = await interrupt(second);
  }
  expect(code).toBe(0);
}, 120_000);

test('GIVEN a temp XDG_DATA_HOME WHEN keys create runs in one directory and keys list in another THEN both use the same per-user store under XDG_DATA_HOME and name it by its absolute path', async () => {
  // GIVEN two unrelated working directories
  const user = freshUser();
  roots.push(user.root);
  const dataDir = path.join(user.xdg, 'vpctune', 'local');
  const [here, there] = ['here', 'there'].map((d) => path.join(user.root, d, 'deeper')) as [string, string];
  for (const d of [here, there]) fs.mkdirSync(d, { recursive: true });
  // WHEN
  const created = await vpctune(['keys', 'create', '--project', 'p'], user.env, here);
  const listed = await vpctune(['keys', 'list'], user.env, there);
  // THEN the key is made in <XDG_DATA_HOME>/vpctune/local, and found from the other directory
  expect(created.code).toBe(0);
  const key = created.stdout.trim();
  expect(key).toMatch(/^sk-vpct-[A-Za-z0-9]{40}$/);
  expect(created.stderr).toMatch(new RegExp(`^key (key-\\w+) for project p in ${dataDir}; store it now, it is not shown again\\n$`));
  const id = /^key (key-\w+)/.exec(created.stderr)?.[1];
  expect(fs.existsSync(path.join(dataDir, 'controller.db'))).toBe(true);
  for (const cwd of [here, there]) expect(fs.readdirSync(cwd)).toEqual([]);
  expect(listed).toMatchObject({ code: 0, stderr: `1 key in ${dataDir}\n` });
  const rows = listed.stdout.trimEnd().split('\n').map((l) => l.split(/ {2,}/));
  expect(rows).toEqual([
    ['ID', 'PROJECT', 'CREATED', 'LAST USED', 'REVOKED'],
    [id, 'p', expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), '-', '-'],
  ]);
  expect(listed.stdout).not.toContain(key);
  // AND VPCTUNE_DATA_DIR (then --data-dir) choose another store, given relative to the working directory and shown
  // absolute; listing a directory no platform has used makes nothing there
  const viaEnv = await vpctune(['keys', 'list'], { ...user.env, VPCTUNE_DATA_DIR: 'elsewhere' }, there);
  expect(viaEnv).toEqual({ code: 0, stdout: 'ID  PROJECT  CREATED  LAST USED  REVOKED\n', stderr: `0 keys in ${path.join(there, 'elsewhere')} (no platform there yet)\n` });
  expect(fs.existsSync(path.join(there, 'elsewhere'))).toBe(false);
  const viaFlag = await vpctune(['keys', 'list', '--data-dir', dataDir], { ...user.env, VPCTUNE_DATA_DIR: 'elsewhere' }, here);
  expect(viaFlag).toMatchObject({ code: 0, stderr: `1 key in ${dataDir}\n` });
}, 60_000);
