/** The public API, on the console's own origin (`/v1/…`), with the tab's key as the bearer token. */
import { apiKey } from './session';
import type { ApiErrorBody, FileObject } from './types';

/** An API error: the status and the error object's message, code and the parameter it names. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null,
    readonly code: string | null,
  ) {
    super(message);
  }
}

let onUnauthorized: () => void = () => undefined;

/** What to do when the API answers 401 (the key is wrong or was revoked): sign out. */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

function authHeaders(key: string | null = apiKey()): Record<string, string> {
  return key === null ? {} : { authorization: `Bearer ${key}` };
}

async function failure(res: Response): Promise<ApiFailure> {
  let body: ApiErrorBody = {};
  try {
    body = (await res.json()) as ApiErrorBody;
  } catch {
    // not JSON: the status says it
  }
  const e = body.error ?? {};
  const retry = res.headers.get('retry-after');
  const message = e.message ?? `${res.status} ${res.statusText}`;
  return new ApiFailure(res.status, retry !== null && res.status === 429 && !message.includes('Retry') ? `${message} (retry after ${retry} s)` : message, e.param ?? null, e.code ?? null);
}

async function checked(res: Response, key: string | null): Promise<Response> {
  if (res.ok) return res;
  if (res.status === 401 && key === apiKey()) onUnauthorized();
  throw await failure(res);
}

/** A JSON call; `key` overrides the tab's key (sign-in checks a key before keeping it). */
export async function api<T>(method: string, path: string, body?: unknown, key: string | null = apiKey()): Promise<T> {
  const headers: Record<string, string> = { ...authHeaders(key), accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return (await (await checked(res, key)).json()) as T;
}

/** Uploads a training file (multipart, purpose fine-tune) with XMLHttpRequest, reporting upload progress. */
export function uploadFile(file: File, onProgress: (loaded: number, total: number) => void): Promise<FileObject> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const key = apiKey();
    xhr.open('POST', '/v1/files');
    if (key !== null) xhr.setRequestHeader('authorization', `Bearer ${key}`);
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size));
    xhr.addEventListener('error', () => reject(new ApiFailure(0, 'The upload failed: the connection to the console was lost.', null, null)));
    xhr.addEventListener('load', () => {
      const body = xhr.response as (FileObject & ApiErrorBody) | null;
      if (xhr.status >= 200 && xhr.status < 300 && body !== null) return resolve(body);
      if (xhr.status === 401) onUnauthorized();
      const e = body?.error ?? {};
      reject(new ApiFailure(xhr.status, e.message ?? `${xhr.status} ${xhr.statusText}`, e.param ?? null, e.code ?? null));
    });
    const form = new FormData();
    form.append('purpose', 'fine-tune');
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

/** Downloads a file's content with the bearer token and hands it to the browser as a download named `filename`. */
export async function downloadFile(fileId: string, filename: string): Promise<void> {
  const key = apiKey();
  const res = await checked(await fetch(`/v1/files/${encodeURIComponent(fileId)}/content`, { headers: authHeaders(key) }), key);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * A streamed chat completion (`stream: true`): server-sent events read from fetch's body; yields each delta's text
 * until `data: [DONE]`. An error before the stream starts is an ApiFailure; an error chunk inside it too.
 */
export async function* streamChat(model: string, messages: readonly { role: string; content: string }[], signal: AbortSignal): AsyncGenerator<string> {
  const key = apiKey();
  const res = await checked(
    await fetch('/v1/chat/completions', {
      method: 'POST',
      headers: { ...authHeaders(key), 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ model, messages, stream: true }),
      signal,
    }),
    key,
  );
  if (res.body === null) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    const events = buffer.split(/\r?\n\r?\n/);
    buffer = events.pop() ?? '';
    for (const event of events) {
      const data = event
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data === '') continue;
      if (data === '[DONE]') return;
      const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string | null } }[] } & ApiErrorBody;
      if (chunk.error !== undefined) throw new ApiFailure(res.status, chunk.error.message ?? 'the stream failed', chunk.error.param ?? null, chunk.error.code ?? null);
      const text = chunk.choices?.[0]?.delta?.content;
      if (typeof text === 'string' && text !== '') yield text;
    }
  }
}
