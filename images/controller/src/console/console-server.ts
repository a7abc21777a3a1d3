import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_API_OPTIONS } from '../api/api-context';
import { RateLimiter, type RateLimit } from '../api/rate-limiter';
import { loadConsoleAssets, type ConsoleAsset } from './console-assets';
import { CONSOLE_SECURITY_HEADERS } from './security-headers';

export interface ConsoleServerOptions {
  /** The API server: the console's `/v1/…` calls are handed to its request handler in this process. */
  readonly api: http.Server;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Page and asset requests per client address. @default the API's per-key rate (20/s, burst 100) */
  readonly rateLimit?: RateLimit | null;
  /** The built console. @default read from `<package root>/dist/console` */
  readonly assets?: ReadonlyMap<string, ConsoleAsset>;
  readonly nowMs?: () => number;
}

export interface RunningConsole {
  /** The console's address, e.g. `http://127.0.0.1:8322/`. */
  readonly url: string;
  readonly port: number;
  readonly server: http.Server;
  close(): Promise<void>;
}

/** Whether a path is the API's: those are answered by the API's own handler. */
export function isApiPath(pathName: string): boolean {
  return pathName === '/v1' || pathName.startsWith('/v1/');
}

function plain(res: http.ServerResponse, status: number, text: string, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * The web console on its own port: the built single-page app at `/`, and the API at `/v1/…` on the same origin.
 * API calls are not proxied over the network: each request is handed to the API server's handler in this process, so
 * it meets exactly the API's authentication, per-key rate limit, failed-auth limit per client address (the real
 * client address: the socket is the browser's), audit and metrics, and the API needs no CORS at all. Every response
 * carries the console's security headers (CSP without inline script, nosniff, no framing, no referrer).
 */
export async function startConsoleServer(options: ConsoleServerOptions): Promise<RunningConsole> {
  const assets = options.assets ?? loadConsoleAssets();
  const limiter = new RateLimiter(options.rateLimit === undefined ? DEFAULT_API_OPTIONS.rateLimit : options.rateLimit, options.nowMs ?? Date.now);
  const server = http.createServer((req, res) => {
    for (const [name, value] of Object.entries(CONSOLE_SECURITY_HEADERS)) res.setHeader(name, value);
    let pathName: string;
    try {
      pathName = new URL(req.url ?? '/', 'http://console.invalid').pathname;
    } catch {
      return plain(res, 400, 'Bad request: malformed URL.');
    }
    if (isApiPath(pathName)) {
      options.api.emit('request', req, res);
      return;
    }
    const method = req.method ?? 'GET';
    const wait = limiter.take(req.socket.remoteAddress ?? 'unknown');
    if (wait > 0) return plain(res, 429, `Too many requests from this address; retry after ${wait} s.`, { 'retry-after': String(wait) });
    const asset = assets.get(pathName);
    if (asset === undefined) return plain(res, 404, `Not found: ${pathName} is neither a console page nor under /v1.`);
    if (method !== 'GET' && method !== 'HEAD') return plain(res, 405, `Method ${method} is not allowed on ${pathName}; allowed: GET, HEAD.`, { allow: 'GET, HEAD' });
    res.writeHead(200, { 'content-type': asset.type, 'content-length': asset.body.length, 'cache-control': 'no-cache' });
    res.end(method === 'HEAD' ? undefined : asset.body);
  });
  const host = options.host ?? '127.0.0.1';
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve((server.address() as AddressInfo).port));
  });
  const shownHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
