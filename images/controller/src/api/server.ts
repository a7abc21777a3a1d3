import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '../domain/api-error';
import { probeStorageWritable, storageApiError } from '../storage/storage-fault';
import { newId } from '../domain/ids';
import { JOB_STATUSES } from '../domain/job';
import type { MetricsRegistry } from '../ops/metrics';
import type { ApiContext } from './api-context';
import { adminRouteLabel, handleAdmin, verifyAdminToken } from './admin-routes';
import { authenticate } from './auth';
import { FailedAuthGate } from './failed-auth-gate';
import type { ApiResponse, AuthContext } from './http-types';
import { RateLimiter } from './rate-limiter';
import { requirePrintableQuery } from './query-params';
import { decodePathParams, Router } from './router';
import { filesRoutes } from './routes/files-routes';
import { inferenceRoutes } from './routes/inference-routes';
import { jobsRoutes } from './routes/jobs-routes';
import { modelsRoutes } from './routes/models-routes';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Longest path kept in the audit log and in log lines; longer ones are cut and marked with `…`. */
export const MAX_LOGGED_PATH_CHARS = 512;

function loggedPath(pathName: string): string {
  return pathName.length > MAX_LOGGED_PATH_CHARS ? `${pathName.slice(0, MAX_LOGGED_PATH_CHARS)}…` : pathName;
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * The HTTP API: `/v1/...` (OpenAI-compatible, bearer auth, per-key rate limit, audit of every authenticated mutating
 * call), `/metrics` (Prometheus), `/healthz` (the process answers), `/readyz` (store and storage answer). One JSON log
 * line per request. A request that fails authentication is counted and rate-limited per client address, and writes
 * nothing durable (FailedAuthGate). Metrics label requests by route template, `unmatched` for any other path.
 */
export function createApiServer(ctx: ApiContext, metrics: MetricsRegistry, adminToken?: string): http.Server {
  const router = new Router([...filesRoutes(ctx), ...jobsRoutes(ctx), ...modelsRoutes(ctx), ...inferenceRoutes(ctx)]);
  metrics.addCollector(async () => ctx.serving.meter.families());
  const limiter = new RateLimiter(ctx.options.rateLimit, () => ctx.clock.nowMs());
  const gate = new FailedAuthGate(ctx.options.failedAuthRateLimit, metrics, () => ctx.clock.nowMs());
  /** Runs an authentication step; its 401 is counted against the client address (a 429 once the address has used its failed authentications). */
  const authenticated = async <T>(address: string, step: () => Promise<T> | T): Promise<T> => {
    try {
      return await step();
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) throw gate.failed(address, err);
      throw err;
    }
  };

  metrics.addCollector(async () => {
    const { byStatus, pausedQueued } = await ctx.store.countJobsByStatus();
    return [
      { name: 'vpctune_jobs', help: 'Fine-tuning jobs by status (a paused job is queued).', samples: JOB_STATUSES.map((s) => ({ labels: { status: s }, value: byStatus[s] ?? 0 })) },
      { name: 'vpctune_jobs_paused', help: 'Queued jobs that are paused (they wait for a resume, not for a slot).', samples: [{ labels: {}, value: pausedQueued }] },
      { name: 'vpctune_queue_depth', help: 'Jobs waiting for a slot (queued and not paused).', samples: [{ labels: {}, value: (byStatus.queued ?? 0) - pausedQueued }] },
    ];
  });

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    let routeLabel = 'unmatched';
    let status = 500;
    let auth: AuthContext | undefined;
    let admin = false;
    let target: string | null = null;
    /** The matched route's `audited` (inference calls are not). */
    let audited = true;
    try {
      if (url.pathname === '/healthz') {
        status = 200;
        send(res, 200, { status: 'ok' });
        return;
      }
      if (url.pathname === '/readyz') {
        // Ready when the store answers a query and the blob storage takes a write and a delete (credentials, bucket,
        // network, and room on a full or read-only volume).
        try {
          await ctx.store.countJobsByStatus();
          await probeStorageWritable(ctx.storage);
          status = 200;
          send(res, 200, { status: 'ok' });
        } catch (err) {
          status = 503;
          send(res, 503, { status: 'unavailable', reason: err instanceof Error ? err.message : String(err) });
        }
        return;
      }
      if (url.pathname === '/metrics' && method === 'GET') {
        routeLabel = '/metrics';
        status = 200;
        const text = await metrics.render();
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(text);
        return;
      }
      const address = req.socket.remoteAddress ?? 'unknown';
      if (url.pathname.startsWith('/admin/') && adminToken !== undefined) {
        routeLabel = adminRouteLabel(method, url.pathname);
        await authenticated(address, () => verifyAdminToken(req, adminToken));
        admin = true;
        const out = await handleAdmin(ctx, req, url.pathname);
        status = out.status;
        send(res, out.status, out.body);
        return;
      }
      const match = router.match(method, url.pathname);
      if (match !== undefined && 'route' in match) {
        routeLabel = match.route.template;
        audited = match.route.audited ?? true;
      }
      auth = await authenticated(address, () => authenticate(req.headers, ctx.store, Math.floor(ctx.clock.nowMs() / 1000), ctx.log));
      const wait = limiter.take(auth.key.id);
      if (wait > 0) {
        throw new ApiError(429, 'invalid_request_error', 'rate_limit_exceeded', `Rate limit reached for API key ${auth.key.id}: too many requests. Retry after ${wait} s.`, null, { 'retry-after': String(wait) });
      }
      if (match === undefined) throw new ApiError(404, 'invalid_request_error', 'unknown_url', `Invalid URL (${method} ${url.pathname}).`);
      if ('allowed' in match) throw new ApiError(405, 'invalid_request_error', 'method_not_allowed', `Method ${method} is not allowed on ${url.pathname}; allowed: ${match.allowed.join(', ')}.`);
      const params = decodePathParams(match.rawParams);
      requirePrintableQuery(url.searchParams);
      const out: ApiResponse = await match.route.handler({ method, path: url.pathname, query: url.searchParams, params, raw: req, auth });
      status = out.status;
      target = out.target ?? null;
      if (out.stream !== undefined) {
        res.writeHead(out.status, out.headers);
        await pipeline(out.stream, res);
      } else {
        send(res, out.status, out.body, out.headers);
      }
    } catch (err) {
      const apiErr = err instanceof ApiError ? err : (storageApiError(err) ?? new ApiError(500, 'server_error', 'internal_error', 'The server had an error while processing your request.'));
      if (!(err instanceof ApiError)) ctx.log.error('unhandled error', { method, path: loggedPath(url.pathname), error: String((err as Error)?.stack ?? err) });
      status = apiErr.status;
      if (!req.complete) req.resume();
      if (!res.headersSent) send(res, apiErr.status, apiErr.toBody(), apiErr.headers);
      else res.destroy();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.observeRequest(method, routeLabel, status, seconds);
      // Only authenticated calls are audited: a request without a valid key or admin token must cost no storage.
      if (audited && MUTATING.has(method) && ((auth !== undefined && url.pathname.startsWith('/v1/')) || admin)) {
        await ctx.store
          .insertAudit({ id: newId('audit'), atMs: ctx.clock.nowMs(), projectId: auth?.projectId ?? null, keyId: auth?.key.id ?? null, method, path: loggedPath(url.pathname), status, target })
          .catch((e) => ctx.log.error('audit write failed', { error: String(e) }));
      }
      ctx.log.info('request', { method, path: loggedPath(url.pathname), route: routeLabel, status, duration_ms: Math.round(seconds * 1e4) / 10, project: auth?.projectId ?? null, key_id: auth?.key.id ?? null });
    }
  };

  return http.createServer((req, res) => void handle(req, res));
}

/** Listens on `host:port` (port 0 picks a free one); resolves with the bound port. */
export function listen(server: http.Server, port: number, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}
