/**
 * What keeps the proxy's overhead small (scripts/bench-serving-proxy.ts): inference calls write no audit row, the
 * model lookup is reused briefly (and forgotten when a model is deleted), and the upstream hop keeps its connections
 * alive, retrying once on a kept-alive connection the upstream had closed.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { toFile } from 'openai';
import { ServedModelCache } from '../../src/serving/served-model-cache';
import { ServedModelKind, type ServedModel, type ServedModels } from '../../src/serving/served-models';
import { postJson, upstreamAgent } from '../../src/serving/upstream-http';
import { BASE_MODEL, startTestPlatform } from '../helpers/test-platform';
import { sftJsonl } from '../helpers/training-data';
import { startFakeUpstream } from './fake-upstream';

test('Given inference calls and an upload, when the audit log is read, then only the upload is audited', async () => {
  // GIVEN a platform whose base model is served by a fake upstream
  const upstream = await startFakeUpstream();
  const t = await startTestPlatform({ serving: { upstreams: [{ model: BASE_MODEL, urls: [upstream.url] }] } });
  try {
    const c = t.client(t.keyA);
    const before = (await t.platform.store.listAudit(1000)).length;

    // WHEN alpha asks for a chat completion, a completion and uploads a file
    await c.chat.completions.create({ model: BASE_MODEL, messages: [{ role: 'user', content: 'hello' }] });
    await c.completions.create({ model: BASE_MODEL, prompt: 'hello' });
    const file = await c.files.create({ file: await toFile(Buffer.from(sftJsonl(10)), 't.jsonl'), purpose: 'fine-tune' });

    // THEN the upstream answered both, and the audit log has one new row: the upload
    expect(upstream.requests.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/completions']);
    const audit = await t.platform.store.listAudit(1000);
    expect(audit).toHaveLength(before + 1);
    expect(audit[0]).toMatchObject({ method: 'POST', path: '/v1/files', status: 200, target: file.id, projectId: 'alpha' });
  } finally {
    await t.close();
    await upstream.close();
  }
});

function countingModels(known: readonly string[]): { models: ServedModels; asked: string[] } {
  const asked: string[] = [];
  const find = async (projectId: string, id: string): Promise<ServedModel | undefined> => {
    asked.push(`${projectId}/${id}`);
    return known.includes(id) ? { id, kind: ServedModelKind.BASE, createdAt: 1, projectId: null, route: id, storagePrefix: `models/${id}/` } : undefined;
  };
  return { models: { find } as unknown as ServedModels, asked };
}

test('Given the model cache, when a model is asked for again within, after the TTL and after a deletion, then the store is asked only when needed', async () => {
  // GIVEN a cache of 2 s over a store that knows one model
  let now = 1_000;
  const { models, asked } = countingModels(['base-a']);
  const cache = new ServedModelCache(models, { ttlMs: 2000, maxEntries: 10 }, () => now);

  // WHEN the model is asked for twice within the TTL, an unknown one twice, then the first after 2 s and after a clear
  const first = await cache.find('alpha', 'base-a');
  await cache.find('alpha', 'base-a');
  await cache.find('alpha', 'nope');
  await cache.find('alpha', 'nope');
  await cache.find('beta', 'base-a');
  now += 2000;
  await cache.find('alpha', 'base-a');
  cache.clear();
  await cache.find('alpha', 'base-a');

  // THEN a found model is reused per project within the TTL; a missing one is never remembered
  expect(first).toMatchObject({ id: 'base-a', route: 'base-a' });
  expect(asked).toEqual(['alpha/base-a', 'alpha/nope', 'alpha/nope', 'beta/base-a', 'alpha/base-a', 'alpha/base-a']);
});

test('Given a kept-alive connection the upstream closes when reused, when the next request is sent, then it is retried once on a new connection', async () => {
  // GIVEN an upstream that answers the first request of a connection and drops the connection on its second request
  const perSocket = new WeakMap<object, number>();
  let connections = 0;
  const server = http.createServer((req, res) => {
    const n = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, n);
    req.resume();
    req.on('end', () => (n === 1 ? res.writeHead(200, { 'content-type': 'application/json' }).end(`{"n":${connections}}`) : req.socket.destroy()));
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/completions`);
  const agent = upstreamAgent(url);
  try {
    // WHEN two requests go one after the other through one keep-alive agent
    const one = await postJson(url, '{}', AbortSignal.timeout(5000), agent);
    const firstText = await one.text();
    const two = await postJson(url, '{}', AbortSignal.timeout(5000), agent);

    // THEN the first reused nothing; the second, dropped on the kept-alive connection, was answered on a new one
    expect([one.status, firstText]).toEqual([200, '{"n":1}']);
    expect([two.status, await two.text(), connections]).toEqual([200, '{"n":2}', 2]);
  } finally {
    agent.destroy();
    server.closeAllConnections();
    server.close();
  }
});
