/**
 * Bounded abuse soak of the controller (not CI; a smaller run is in images/controller/test/hardening/bounded-soak.test.ts).
 * Starts the local platform (`up --local` with its default limits, the fake trainer) in a child process on 127.0.0.1,
 * warms it up, then sends aborted uploads, unauthenticated requests with long paths and unknown paths, and prints the
 * child's open file descriptors, data-directory disk use, controller.db size, /metrics size, partial files, RSS and
 * /healthz latency before and after.
 *
 * Run: `npx tsx scripts/soak-controller.ts [--aborted-uploads 300] [--unauthenticated 3000] [--unknown-paths 3000]
 *       [--path-bytes 8192] [--concurrency 8] [--max-seconds 120]`
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { silentLogger } from '../images/controller/src/ops/logger';
import { createApiKey } from '../images/controller/src/platform/api-keys';
import { startPlatform } from '../images/controller/src/platform/platform';

export interface SoakOptions {
  /** Uploads cut off mid-file. @default 300 */
  readonly abortedUploads: number;
  /** POST/DELETE requests without a key or with a wrong one, with long paths. @default 3000 */
  readonly unauthenticated: number;
  /** Requests to paths no route matches (admin without a token, /v1 with a key, elsewhere). @default 3000 */
  readonly unknownPaths: number;
  /** Length of the unauthenticated requests' paths. @default 8192 */
  readonly pathBytes: number;
  /** Requests in flight at once. @default 8 */
  readonly concurrency: number;
  /** Stops sending after this long (each phase gets its share). @default 120 */
  readonly maxSeconds: number;
}

export const DEFAULT_SOAK_OPTIONS: SoakOptions = { abortedUploads: 300, unauthenticated: 3000, unknownPaths: 3000, pathBytes: 8192, concurrency: 8, maxSeconds: 120 };

export interface SoakFigures {
  readonly openFds: number;
  readonly dataDirBytes: number;
  readonly databaseBytes: number;
  readonly metricsBytes: number;
  /** Sample lines in /metrics (series × buckets): flat unless a label takes a new value. */
  readonly metricsSamples: number;
  readonly partialFiles: number;
  readonly rssKiB: number;
  readonly healthzMs: number;
}

export interface SoakReport {
  readonly before: SoakFigures;
  readonly after: SoakFigures;
  /** Requests sent per phase, and the statuses they got (aborted uploads get none). */
  readonly sent: Readonly<Record<string, number>>;
  readonly statuses: Readonly<Record<string, number>>;
  readonly seconds: number;
  /** /metrics samples present after and not before (name and labels). */
  readonly newSamples: readonly string[];
}

const sampleNames = (metrics: string) => metrics.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.replace(/ \S+$/, ''));

const REPO = path.resolve(__dirname, '..');
const FAKE_TRAINER_DIR = path.join(REPO, 'images', 'controller', 'test', 'fixtures', 'fake-trainer');
const KEYS = 10;

/** The child: the local platform with default API limits, its keys printed as one JSON line. */
async function serve(dataDir: string): Promise<void> {
  const platform = await startPlatform({ dataDir, port: 0, trainer: { python: 'python3', env: { PYTHONPATH: FAKE_TRAINER_DIR } }, log: silentLogger });
  const keys: string[] = [];
  for (let i = 0; i < KEYS; i += 1) keys.push((await createApiKey(platform.store, 'soak', Math.floor(Date.now() / 1000))).key);
  process.stdout.write(`${JSON.stringify({ origin: platform.url.replace(/\/v1$/, ''), keys })}\n`);
  process.once('SIGTERM', () => void platform.close().then(() => process.exit(0)));
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) total += dirBytes(full);
    else if (e.isFile()) total += fs.statSync(full).size;
  }
  return total;
}

function partials(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.partial-/.test(path.basename(f)));
}

async function measure(pid: number, dataDir: string, origin: string): Promise<SoakFigures & { readonly samples: readonly string[] }> {
  const t0 = process.hrtime.bigint();
  await (await fetch(`${origin}/healthz`)).text();
  const healthzMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const metrics = await (await fetch(`${origin}/metrics`)).text();
  const rss = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return {
    openFds: fs.readdirSync(`/proc/${pid}/fd`).length,
    dataDirBytes: dirBytes(dataDir),
    databaseBytes: fs.statSync(path.join(dataDir, 'controller.db')).size,
    metricsBytes: Buffer.byteLength(metrics),
    metricsSamples: sampleNames(metrics).length,
    samples: sampleNames(metrics),
    partialFiles: partials(dataDir).length,
    rssKiB: Number(rss ?? 0),
    healthzMs: Math.round(healthzMs * 10) / 10,
  };
}

/** Sends 256 KiB of a multipart upload, waits until the server writes it (a new partial file) or 2 s, then disconnects. */
async function abortedUpload(origin: string, key: string, storageDir: string): Promise<void> {
  const { hostname, port } = new URL(origin);
  const seen = new Set(partials(storageDir));
  const boundary = 'soakboundary7MA4YWxkTrZu0gW';
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nfine-tune\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.jsonl"\r\n\r\n`;
  const socket = net.connect(Number(port), hostname);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(`POST /v1/files HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${key}\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${head.length + 4 * 1024 * 1024}\r\n\r\n${head}`);
  socket.write(Buffer.alloc(256 * 1024, 0x61));
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline && partials(storageDir).every((p) => seen.has(p))) await new Promise((r) => setTimeout(r, 5));
  socket.destroy();
}

/** Runs `count` tasks, `concurrency` at a time, until done or `deadline`; returns how many ran. */
async function pool(count: number, concurrency: number, deadline: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < count && Date.now() < deadline) await task(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return next;
}

/** Waits (at most 15 s) until no partial file is left and the child holds no more descriptors than `fdsBefore`. */
async function untilSettled(pid: number, dataDir: string, fdsBefore: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && (partials(dataDir).length > 0 || fs.readdirSync(`/proc/${pid}/fd`).length > fdsBefore)) await new Promise((r) => setTimeout(r, 100));
  // (a handler records its metrics just after it removed its partial file)
  await new Promise((r) => setTimeout(r, 300));
}

/** Starts the child platform, runs the warm-up and the soak, stops the child; the figures before and after. */
export async function runSoak(options: SoakOptions = DEFAULT_SOAK_OPTIONS): Promise<SoakReport> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-soak-'));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', __filename, 'serve', dataDir], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: child.stdout! }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`the controller exited with ${code} before it was ready`)));
    });
    const { origin, keys } = JSON.parse(line) as { origin: string; keys: string[] };
    const pid = child.pid as number;
    const storageDir = path.join(dataDir, 'storage');
    const statuses: Record<string, number> = {};
    const count = (phase: string, status: number) => void (statuses[`${phase} ${status}`] = (statuses[`${phase} ${status}`] ?? 0) + 1);
    const longPath = `/v1/files/${'x'.repeat(options.pathBytes)}`;
    const unauthenticated = async (i: number) => {
      const init: RequestInit = i % 3 === 2 ? { method: 'POST', headers: { authorization: 'Bearer sk-vpct-not-a-key-00000000000000000000000000000' } } : { method: i % 3 === 0 ? 'POST' : 'DELETE' };
      const res = await fetch(`${origin}${longPath}${i}`, init);
      await res.arrayBuffer();
      count('unauthenticated', res.status);
    };
    const unknown = async (i: number) => {
      const kinds = [`${origin}/admin/x${i}`, `${origin}/v1/x${i}`, `${origin}/x${i}`];
      const res = await fetch(kinds[i % 3] as string, i % 3 === 1 ? { headers: { authorization: `Bearer ${keys[i % keys.length]}` } } : {});
      await res.arrayBuffer();
      count('unknown path', res.status);
    };
    const upload = (i: number) => abortedUpload(origin, keys[i % keys.length] as string, storageDir);

    // Warm-up: every kind of request once or more, so each metrics series and rate-limit state exists before "before".
    const warm = Date.now() + 30_000;
    // (each kind before and after the address has used up its failed authentications: 401s, then 429s)
    await pool(5, 1, warm, upload);
    await pool(6, 1, warm, unauthenticated);
    await pool(6, 1, warm, unknown);
    await pool(30, 1, warm, unauthenticated);
    await pool(30, 1, warm, unknown);
    await untilSettled(pid, dataDir, Number.POSITIVE_INFINITY);
    await measure(pid, dataDir, origin); // (so /healthz and /metrics have their own series before)
    const { samples: samplesBefore, ...before } = await measure(pid, dataDir, origin);
    for (const k of Object.keys(statuses)) delete statuses[k];

    const started = Date.now();
    const share = (options.maxSeconds * 1000) / 3;
    const sent = {
      'aborted uploads': await pool(options.abortedUploads, Math.min(4, options.concurrency), Date.now() + share, upload),
      unauthenticated: await pool(options.unauthenticated, options.concurrency, Date.now() + share, unauthenticated),
      'unknown paths': await pool(options.unknownPaths, options.concurrency, Date.now() + share, unknown),
    };
    const seconds = (Date.now() - started) / 1000;
    await untilSettled(pid, dataDir, before.openFds);
    const { samples: samplesAfter, ...after } = await measure(pid, dataDir, origin);
    const newSamples = samplesAfter.filter((n) => !samplesBefore.includes(n));
    return { before, after, sent, statuses, seconds, newSamples };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

async function cli(): Promise<void> {
  const d = DEFAULT_SOAK_OPTIONS;
  const options: SoakOptions = {
    abortedUploads: flag('aborted-uploads', d.abortedUploads),
    unauthenticated: flag('unauthenticated', d.unauthenticated),
    unknownPaths: flag('unknown-paths', d.unknownPaths),
    pathBytes: flag('path-bytes', d.pathBytes),
    concurrency: flag('concurrency', d.concurrency),
    maxSeconds: flag('max-seconds', d.maxSeconds),
  };
  const r = await runSoak(options);
  const rows: [string, keyof SoakFigures][] = [
    ['open fds', 'openFds'],
    ['data dir bytes', 'dataDirBytes'],
    ['controller.db bytes', 'databaseBytes'],
    ['/metrics bytes', 'metricsBytes'],
    ['/metrics samples', 'metricsSamples'],
    ['partial files', 'partialFiles'],
    ['RSS KiB', 'rssKiB'],
    ['/healthz ms', 'healthzMs'],
  ];
  process.stdout.write(`sent in ${r.seconds.toFixed(1)} s: ${Object.entries(r.sent).map(([k, v]) => `${v} ${k}`).join(', ')}\n`);
  process.stdout.write(`new /metrics samples: ${r.newSamples.length === 0 ? 'none' : `${r.newSamples.length}, e.g. ${r.newSamples.slice(0, 2).join(', ')}`}\n`);
  process.stdout.write(`statuses: ${Object.entries(r.statuses).map(([k, v]) => `${k}: ${v}`).join(', ')}\n`);
  process.stdout.write(`${'measure'.padEnd(22)}${'before'.padStart(14)}${'after'.padStart(14)}${'change'.padStart(14)}\n`);
  for (const [label, key] of rows) {
    const change = Math.round((r.after[key] - r.before[key]) * 10) / 10;
    process.stdout.write(`${label.padEnd(22)}${String(r.before[key]).padStart(14)}${String(r.after[key]).padStart(14)}${`${change >= 0 ? '+' : ''}${change}`.padStart(14)}\n`);
  }
}

if (require.main === module) {
  if (process.argv[2] === 'serve') void serve(process.argv[3] ?? '');
  else void cli().catch((err: unknown) => {
    process.stderr.write(`soak-controller: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
