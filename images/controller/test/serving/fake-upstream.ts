/**
 * A tiny upstream speaking serving/upstream-contract.ts over node:http, for proxy tests: answers `<model> says hi`
 * (one word per stream chunk), usage = prompt characters / completion words; modes make it refuse, hang or trickle.
 * It records what it was asked and which requests the caller abandoned.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export enum FakeMode {
  OK = 'ok',
  /** 429 with Retry-After: 7 */
  OVERLOADED = 'overloaded',
  /** 503 with Retry-After: 11 */
  UNAVAILABLE = 'unavailable',
  /** never answers */
  HANG = 'hang',
  /** streams one chunk, then waits until the client goes */
  TRICKLE = 'trickle',
}

export interface FakeRequest {
  readonly path: string;
  readonly body: Record<string, unknown>;
}

export interface FakeUpstream {
  readonly url: string;
  readonly requests: FakeRequest[];
  /** Paths of inference requests whose connection closed before the answer ended. */
  readonly abandoned: string[];
  mode: FakeMode;
  healthy: boolean;
  close(): Promise<void>;
}

export function replyOf(model: string): string {
  return `${model} says hi`;
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const state = { mode: FakeMode.OK, healthy: true };
  const requests: FakeRequest[] = [];
  const abandoned: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      if (path === '/health') return void res.writeHead(state.healthy ? 200 : 503).end();
      requests.push({ path, body });
      if (path === '/v1/unload_lora_adapter') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(`Success: LoRA adapter '${String(body['lora_name'])}' removed successfully.`);
      if (path === '/v1/load_lora_adapter') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(`Success: LoRA adapter '${String(body['lora_name'])}' added successfully.`);
      if (path === '/v1/models') return void json(res, 200, { object: 'list', data: [] });
      if (path !== '/v1/chat/completions' && path !== '/v1/completions') return void json(res, 404, { error: { message: `no route ${path}`, type: 'NotFoundError', param: null, code: 404 } });
      if (state.mode === FakeMode.OVERLOADED) return void json(res, 429, { error: { message: 'too many requests in flight', type: 'RateLimitError', param: null, code: 429 } }, { 'retry-after': '7' });
      if (state.mode === FakeMode.UNAVAILABLE) return void json(res, 503, { error: { message: 'engine is starting', type: 'ServiceUnavailableError', param: null, code: 503 } }, { 'retry-after': '11' });
      res.on('close', () => {
        if (!res.writableFinished) abandoned.push(path);
      });
      if (state.mode === FakeMode.HANG) return;
      answer(path, body, res, state.mode === FakeMode.TRICKLE);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url,
    requests,
    abandoned,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as FakeUpstream;
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}

function answer(path: string, body: Record<string, unknown>, res: http.ServerResponse, trickle: boolean): void {
  const model = String(body['model']);
  const chat = path === '/v1/chat/completions';
  const prompt = chat ? JSON.stringify(body['messages']) : String(body['prompt']);
  const words = replyOf(model).split(' ');
  const usage = { prompt_tokens: prompt.length, completion_tokens: words.length, total_tokens: prompt.length + words.length };
  const head = { id: 'cmpl-fake', object: chat ? 'chat.completion' : 'text_completion', created: 1, model };
  if (body['stream'] !== true) {
    const choice = chat ? { index: 0, message: { role: 'assistant', content: replyOf(model) }, finish_reason: 'stop' } : { index: 0, text: replyOf(model), finish_reason: 'stop' };
    return json(res, 200, { ...head, choices: [choice], usage });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const object = chat ? 'chat.completion.chunk' : 'text_completion';
  const piece = (text: string, finish: string | null) => ({ ...head, object, choices: [chat ? { index: 0, delta: { content: text }, finish_reason: finish } : { index: 0, text, finish_reason: finish }] });
  const events = words.map((w, i) => piece(i === 0 ? w : ` ${w}`, i === words.length - 1 ? 'stop' : null));
  if (trickle) return void res.write(`data: ${JSON.stringify(events[0])}\n\n`);
  for (const e of events) res.write(`data: ${JSON.stringify(e)}\n\n`);
  const options = body['stream_options'] as { include_usage?: boolean } | undefined;
  if (options?.include_usage === true) res.write(`data: ${JSON.stringify({ ...head, object, choices: [], usage })}\n\n`);
  res.end('data: [DONE]\n\n');
}
