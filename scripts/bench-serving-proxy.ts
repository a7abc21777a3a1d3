/**
 * Serving proxy benchmark (not CI). Run: `npx tsx scripts/bench-serving-proxy.ts [--requests 200] [--latency-ms 20] [--chunks 20]`
 *
 * The controller's proxy overhead: the same chat completion, non-streamed and streamed, sent directly to an upstream
 * with a fixed latency (a node:http server speaking the upstream contract: `--latency-ms` before the answer, a
 * streamed answer of `--chunks` chunks 1 ms apart) and through the controller (auth, model lookup, proxy). Requests
 * alternate direct / proxied in one run, one at a time over keep-alive connections. Goal: proxied p50 ≤ 1.1x direct.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger } from '../images/controller/src/ops/logger';
import { createApiKey } from '../images/controller/src/platform/api-keys';
import { importBaseModel } from '../images/controller/src/platform/model-registry';
import { startPlatform } from '../images/controller/src/platform/platform';

const MODEL = 'bench/base';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fakeUpstream(latencyMs: number, chunks: number): http.Server {
  return http.createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', async () => {
      const parsed = JSON.parse(Buffer.concat(body).toString('utf8')) as { stream?: boolean; stream_options?: { include_usage?: boolean } };
      await sleep(latencyMs);
      const head = { id: 'chatcmpl-bench', created: 1, model: MODEL };
      const usage = { prompt_tokens: 10, completion_tokens: chunks, total_tokens: 10 + chunks };
      if (parsed.stream !== true) {
        const text = JSON.stringify({ ...head, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: 'word '.repeat(chunks) }, finish_reason: 'stop' }], usage });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < chunks; i += 1) {
        res.write(`data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'word ' }, finish_reason: i === chunks - 1 ? 'stop' : null }] })}\n\n`);
        await sleep(1);
      }
      if (parsed.stream_options?.include_usage === true) res.write(`data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk', choices: [], usage })}\n\n`);
      res.end('data: [DONE]\n\n');
    });
  });
}

async function timed(url: string, key: string | undefined, stream: boolean): Promise<number> {
  const started = process.hrtime.bigint();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key !== undefined ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hello' }], stream }),
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? NaN;

async function main(): Promise<void> {
  const requests = arg('requests', 200);
  const latencyMs = arg('latency-ms', 20);
  const chunks = arg('chunks', 20);
  const upstream = fakeUpstream(latencyMs, chunks);
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpctune-bench-serving-'));
  const modelDir = path.join(dataDir, 'weights');
  fs.mkdirSync(modelDir);
  fs.writeFileSync(path.join(modelDir, 'config.json'), '{}');
  const platform = await startPlatform({ dataDir, port: 0, trainer: { python: 'unused' }, api: { rateLimit: null }, log: silentLogger, serving: { upstreams: [{ model: MODEL, urls: [upstreamUrl] }] } });
  try {
    await importBaseModel(platform.store, platform.storage, MODEL, modelDir, 1);
    const key = (await createApiKey(platform.store, 'bench', 1)).key;
    const proxied = `${platform.url}/chat/completions`;
    const direct = `${upstreamUrl}/v1/chat/completions`;
    console.log(`upstream latency ${latencyMs} ms, stream of ${chunks} chunks 1 ms apart; ${requests} requests each way, alternating`);
    for (const stream of [false, true]) {
      for (let i = 0; i < 10; i += 1) await Promise.all([timed(direct, undefined, stream), timed(proxied, key, stream)]); // warm up
      const d: number[] = [];
      const p: number[] = [];
      for (let i = 0; i < requests; i += 1) {
        d.push(await timed(direct, undefined, stream));
        p.push(await timed(proxied, key, stream));
      }
      const ratio = pct(p, 50) / pct(d, 50);
      console.log(`${stream ? 'streamed    ' : 'non-streamed'}  direct p50 ${pct(d, 50).toFixed(2)} ms p99 ${pct(d, 99).toFixed(2)} ms | proxied p50 ${pct(p, 50).toFixed(2)} ms p99 ${pct(p, 99).toFixed(2)} ms | p50 ratio ${ratio.toFixed(3)}x (goal ≤ 1.1x)`);
    }
  } finally {
    await platform.close();
    upstream.closeAllConnections();
    upstream.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

void main();
