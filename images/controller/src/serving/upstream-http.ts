/**
 * The inference hop to an upstream over node:http with a keep-alive agent: several times cheaper per request than
 * Node's fetch (no WHATWG streams, headers or body wrappers), which the proxy's overhead budget (≤ 1.1x the upstream's
 * own latency, scripts/bench-serving-proxy.ts) needs. The body is a plain Node stream the proxy passes on as it is.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { IncomingMessage } from 'node:http';

/** An upstream's answer once its headers have arrived; the body is the caller's to read, pass on or destroy. */
export interface UpstreamResponse {
  readonly status: number;
  /** A response header, lower-case name; undefined when absent. */
  header(name: string): string | undefined;
  /** The body, as the upstream sends it. */
  readonly body: IncomingMessage;
  /** Reads the whole body. */
  bytes(): Promise<Buffer>;
  /** Reads the whole body as UTF-8. */
  text(): Promise<string>;
}

/** A request that got no HTTP answer: refused, reset, DNS, TLS; `code` is Node's error code when it has one. */
export class UpstreamConnectionError extends Error {
  constructor(
    readonly code: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'UpstreamConnectionError';
  }
}

function responseOf(res: IncomingMessage): UpstreamResponse {
  const bytes = (): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => resolve(Buffer.concat(chunks)));
      res.once('error', reject);
      res.once('aborted', () => reject(new Error('the upstream connection closed before the answer was complete')));
    });
  return {
    status: res.statusCode ?? 0,
    header: (name) => {
      const v = res.headers[name];
      return Array.isArray(v) ? v.join(', ') : v;
    },
    body: res,
    bytes,
    text: async () => (await bytes()).toString('utf8'),
  };
}

/**
 * POSTs `body` (JSON text) to `url` through `agent`; resolves once the response headers arrive. `signal` aborts the
 * request and its response (rejects with the signal's reason). A kept-alive connection the upstream closed meanwhile
 * (ECONNRESET on a reused socket, before any answer) is retried once on a new connection, as Node's docs advise.
 */
export function postJson(url: URL, body: string, signal: AbortSignal, agent: http.Agent): Promise<UpstreamResponse> {
  const attempt = (retryReset: boolean): Promise<UpstreamResponse> =>
    new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const request = (url.protocol === 'https:' ? https.request : http.request)(url, {
        method: 'POST',
        agent,
        signal,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      request.once('response', (res) => resolve(responseOf(res)));
      request.once('error', (err: NodeJS.ErrnoException) => {
        if (signal.aborted) reject(signal.reason);
        else if (retryReset && request.reusedSocket && err.code === 'ECONNRESET') attempt(false).then(resolve, reject);
        else reject(new UpstreamConnectionError(err.code ?? 'EUNKNOWN', err.code !== undefined ? `${err.code}: ${err.message}` : err.message));
      });
      request.end(body);
    });
  return attempt(true);
}

/** A keep-alive agent for one upstream (idle connections do not keep the process alive). */
export function upstreamAgent(url: URL): http.Agent {
  return url.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
}
