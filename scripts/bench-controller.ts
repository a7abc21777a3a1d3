/**
 * Controller benchmark (not CI). Run: `npx tsx scripts/bench-controller.ts [--seconds 5] [--rounds 3] [--connections 32]`
 *
 * 1. GET /v1/fine_tuning/jobs/{id} requests/s (bearer auth, store lookup, JSON) against a bare node:http hello-world
 *    server (the same framework: the controller uses node:http directly), both in a child process, same load
 *    generator, same run. Goal: ≥ 0.5x.
 * 2. GET /v1/fine_tuning/jobs?limit=20 latency (first page, and a page deep behind a cursor) with 1k and 100k jobs in
 *    the project (embedded SQLite store). Goal: flat.
 * Servers run in child processes; the load generator is this process (keep-alive connections, bounded in time).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { JobRecord } from '../images/controller/src/domain/job';
import { silentLogger } from '../images/controller/src/ops/logger';
import { createApiKey } from '../images/controller/src/platform/api-keys';
import { startPlatform } from '../images/controller/src/platform/platform';
import { JOB_COLUMNS, jobValues } from '../images/controller/src/store/row-mappers';
import { SqliteDriver } from '../images/controller/src/store/sqlite-driver';
import { SqlStore } from '../images/controller/src/store/sql-store';
import { DEFAULT_ADAPTER } from '../images/controller/src/validation/create-job-request';

const KEY = 'sk-vpct-bench-key-0123456789abcdefghijklmnopqrstuv';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

// ---------- child roles ----------

async function serveHello(): Promise<void> {
  const body = JSON.stringify({ hello: 'world' });
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${(server.address() as { port: number }).port}\n`));
}

async function serveController(dataDir: string): Promise<void> {
  const p = await startPlatform({ dataDir, port: 0, trainer: { python: 'false' }, api: { rateLimit: null }, supervisor: { maxConcurrentJobs: 0 }, log: silentLogger });
  process.stdout.write(`PORT ${p.port}\n`);
}

/** Seeds `n` succeeded jobs for project `bench` straight into the SQLite file, in one transaction. */
async function seed(dataDir: string, n: number): Promise<string> {
  fs.mkdirSync(dataDir, { recursive: true });
  const driver = new SqliteDriver(path.join(dataDir, 'controller.db'));
  const store = await SqlStore.open(driver);
  await createApiKey(store, 'bench', 0, KEY);
  const base = Date.now() - n * 1000;
  let lastId = '';
  await driver.transaction(async (tx) => {
    const sql = `INSERT INTO jobs (${JOB_COLUMNS.join(', ')}) VALUES (${JOB_COLUMNS.map(() => '?').join(', ')})`;
    for (let i = 0; i < n; i += 1) {
      const job: JobRecord = {
        id: `ftjob-bench${String(i).padStart(8, '0')}`, projectId: i % 10 === 0 ? 'other' : 'bench', createdMs: base + i * 1000, status: 'succeeded',
        model: 'vpctune/tiny-chat', trainingFile: 'file-x', validationFile: null, suffix: null, seed: i, metadata: null,
        method: { type: 'supervised', supervised: { hyperparameters: { n_epochs: 'auto', batch_size: 'auto', learning_rate_multiplier: 'auto' } } },
        adapter: DEFAULT_ADAPTER, fineTunedModel: `vpctune/tiny-chat:ft:${i}`, finishedAt: 1, trainedTokens: 1000, error: null, resultFiles: [],
        estimatedFinish: null, estimatedRunSeconds: null, placement: null, resolvedHyperparameters: null, runRef: null, attempt: 1, eventsCursor: 0, startedAt: 1, pausedAt: null,
      };
      await tx.run(sql, jobValues(job));
      if (job.projectId === 'bench') lastId = job.id;
    }
  });
  await store.close();
  return lastId;
}

// ---------- load generation ----------

/** With taskset and ≥ 2 CPUs, servers run on CPU 1 and the load generator on CPU 0, so they do not compete. */
const PIN = os.cpus().length >= 2 && spawnSync('sh', ['-c', 'command -v taskset']).status === 0;

function startChild(args: readonly string[]): Promise<{ child: ChildProcess; port: number }> {
  const cmd = [process.execPath, '--import', 'tsx', __filename, ...args];
  const child = PIN ? spawn('taskset', ['-c', '1', ...cmd], { stdio: ['ignore', 'pipe', 'inherit'] }) : spawn(cmd[0] as string, cmd.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PORT (\d+)/.exec(out);
      if (m?.[1] !== undefined) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
}

async function load(port: number, pathName: string, seconds: number, connections: number): Promise<{ rps: number; errors: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  let errors = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: pathName, agent, headers: { authorization: `Bearer ${KEY}` } }, (res) => {
        if (res.statusCode !== 200) errors += 1;
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', () => {
        errors += 1;
        resolve();
      });
    });
  const worker = async () => {
    while (Date.now() < deadline) {
      await one();
      done += 1;
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: connections }, worker));
  agent.destroy();
  return { rps: done / ((Date.now() - t0) / 1000), errors };
}

async function latency(port: number, pathName: string, n: number): Promise<{ p50: number; p99: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const times: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t0 = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: pathName, agent, headers: { authorization: `Bearer ${KEY}` } }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode} for ${pathName}`));
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          const n = (JSON.parse(body) as { data: unknown[] }).data.length;
          if (n !== 20) reject(new Error(`expected a full page of 20 jobs from ${pathName}, got ${n}`));
          resolve();
        });
      });
    });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  agent.destroy();
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(n * 0.5)] ?? 0, p99: times[Math.floor(n * 0.99)] ?? 0 };
}

async function main(): Promise<void> {
  const seconds = arg('seconds', 5);
  const rounds = arg('rounds', 3);
  const connections = arg('connections', 32);
  if (PIN) execFileSync('taskset', ['-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-bench-'));
  const children: ChildProcess[] = [];
  try {
    console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg()[0]?.toFixed(1)}, ${rounds} rounds of ${seconds} s per server, ${connections} connections${PIN ? ', servers pinned to CPU 1 and the load generator to CPU 0' : ''}`);
    const small = path.join(root, 'jobs-1k');
    const big = path.join(root, 'jobs-100k');
    const t0 = Date.now();
    await seed(small, 1_000);
    const bigLast = await seed(big, 100_000);
    console.log(`seeded 1k and 100k jobs (90% in the benchmarked project) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const hello = await startChild(['serve-hello']);
    children.push(hello.child);
    const ctl = await startChild(['serve-controller', big]);
    children.push(ctl.child);
    await load(hello.port, '/', 2, connections);
    await load(ctl.port, `/v1/fine_tuning/jobs/${bigLast}`, 2, connections);
    // Alternate the two servers so that background load on a shared machine hits both alike.
    const ratios: number[] = [];
    console.log('\nGET /v1/fine_tuning/jobs/{id} (bearer auth + store, 100k jobs) vs bare node:http hello world:');
    for (let r = 1; r <= rounds; r += 1) {
      const h = await load(hello.port, '/', seconds, connections);
      const c = await load(ctl.port, `/v1/fine_tuning/jobs/${bigLast}`, seconds, connections);
      ratios.push(c.rps / h.rps);
      console.log(`  round ${r}: controller ${c.rps.toFixed(0)} req/s (${c.errors} errors), hello world ${h.rps.toFixed(0)} req/s (${h.errors} errors), ratio ${(c.rps / h.rps).toFixed(2)}x`);
    }
    const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)] ?? 0;
    console.log(`  median ratio ${median.toFixed(2)}x (goal ≥ 0.5x)`);

    const ctlSmall = await startChild(['serve-controller', small]);
    children.push(ctlSmall.child);
    console.log('\nGET /v1/fine_tuning/jobs?limit=20, 300 sequential requests each (ms):');
    for (const [label, port] of [['1k jobs', ctlSmall.port], ['100k jobs', ctl.port]] as const) {
      const middle = `ftjob-bench${String(label === '1k jobs' ? 501 : 50_001).padStart(8, '0')}`;
      await latency(port, '/v1/fine_tuning/jobs?limit=20', 100);
      await latency(port, `/v1/fine_tuning/jobs?limit=20&after=${middle}`, 100);
      const first = await latency(port, '/v1/fine_tuning/jobs?limit=20', 300);
      const deep = await latency(port, `/v1/fine_tuning/jobs?limit=20&after=${middle}`, 300);
      console.log(`  ${label.padEnd(9)} first page p50 ${first.p50.toFixed(2)} p99 ${first.p99.toFixed(2)} | page after the middle job p50 ${deep.p50.toFixed(2)} p99 ${deep.p99.toFixed(2)}`);
    }
  } finally {
    for (const ch of children) ch.kill('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
  }
}

// A clean exit on SIGINT lets `node --cpu-prof` write its profile when a server is profiled by hand.
process.on('SIGINT', () => process.exit(0));
const role = process.argv[2];
if (role === 'serve-hello') void serveHello();
else if (role === 'serve-controller') void serveController(process.argv[3] ?? '');
else
  main().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
