/**
 * Forwards `POST /v1/chat/completions` and `/v1/completions` to an upstream that serves the model's base, naming the
 * model as the upstream knows it (the base id, or the fine-tuned / checkpoint id its LoRA resolver finds in storage).
 * Streams pass through with back-pressure; a client that goes away aborts the upstream request. Upstreams that are
 * down, overloaded or slow are 503 / 429 with Retry-After, never a hang.
 */
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { ApiError, invalidParam, notFound, shown } from '../domain/api-error';
import type { Logger } from '../ops/logger';
import { SseUsageTap } from './sse-usage-tap';
import { UpstreamUnreachableError, type UpstreamClient } from './upstream-client';
import type { UpstreamResponse } from './upstream-http';
import { upstreamErrorMessage, type CompletionBody, type InferencePath, type InferenceRequestBody } from './upstream-contract';
import type { UpstreamDirectory } from './upstream-directory';
import type { UsageMeter } from './usage-meter';
import type { ServedModelCache } from './served-model-cache';
import { ServedModelKind, type ServedModel, type ServedModels } from './served-models';

export interface ProxyOptions {
  /** How long an upstream may take to answer (headers), and a non-streamed answer to complete, ms. @default 300000 */
  readonly requestTimeoutMs: number;
  /** The longest pause between two pieces of a stream, ms. @default 60000 */
  readonly idleTimeoutMs: number;
  /** Retry-After when an upstream that refused gave none, seconds. @default 5 */
  readonly retryAfterSeconds: number;
  /** How long a model found for a request is reused by the next ones, ms (served-model-cache.ts). @default 2000 */
  readonly modelCacheMs: number;
}

export const DEFAULT_PROXY_OPTIONS: ProxyOptions = { requestTimeoutMs: 300_000, idleTimeoutMs: 60_000, retryAfterSeconds: 5, modelCacheMs: 2000 };

/** What the API server sends: a status, headers and the body as a stream. */
export interface ProxiedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly stream: Readable;
}

class ClientGone extends Error {
  constructor() {
    super('the client closed the connection');
    this.name = 'ClientGone';
  }
}

function unavailable(status: 429 | 503, code: string, message: string, retryAfter: string): ApiError {
  return new ApiError(status, status === 429 ? 'rate_limit_error' : 'server_error', code, message, null, { 'retry-after': retryAfter });
}

export class InferenceProxy {
  constructor(
    private readonly models: ServedModels,
    private readonly cache: ServedModelCache,
    private readonly directory: UpstreamDirectory,
    private readonly meter: UsageMeter,
    private readonly log: Logger,
    private readonly options: ProxyOptions = DEFAULT_PROXY_OPTIONS,
  ) {}

  /** Checks the request, finds the model for the project and forwards it. `socket`: the client's connection. */
  async forward(path: InferencePath, projectId: string, raw: unknown, socket: Socket): Promise<ProxiedResponse> {
    const body = requestBody(raw);
    const model = await this.cache.find(projectId, body.model);
    if (model === undefined) throw notFound('model', body.model, 'model_not_found', 'model');
    const route = model.route;
    if (route === undefined || !this.directory.serves(route)) {
      const why = route === undefined ? 'checkpoints of full fine-tunes are not served' : `no upstream serves its base '${route}' (the platform config's serving section lists the served models)`;
      throw new ApiError(400, 'invalid_request_error', 'model_not_servable', `Model '${model.id}' cannot be served here: ${why}.`, 'model');
    }
    if (model.kind === ServedModelKind.CHECKPOINT) await this.models.publishCheckpoint(model);
    const stream = body.stream === true;
    const askedUsage = body.stream_options?.include_usage === true;
    const upstreamBody = stream && !askedUsage ? { ...body, stream_options: { ...(body.stream_options ?? {}), include_usage: true } } : body;

    const abort = new AbortController();
    const onClose = (): void => abort.abort(new ClientGone());
    socket.once('close', onClose);
    const release = (): void => void socket.off('close', onClose);
    try {
      const { client, response } = await this.send(path, model, route, upstreamBody, abort);
      const out = stream ? this.streamed(projectId, response, abort, !askedUsage, release) : await this.whole(projectId, client, response, abort, release);
      this.meter.recordRequest(projectId, 200);
      return out;
    } catch (err) {
      release();
      abort.abort(new ClientGone());
      if (err instanceof ApiError) this.meter.recordRequest(projectId, err.status);
      throw err;
    }
  }

  /** Tries the base's upstreams in turn until one accepts: unreachable, 429 and 503 move on to the next. */
  private async send(path: InferencePath, model: ServedModel, route: string, body: unknown, abort: AbortController): Promise<{ client: UpstreamClient; response: UpstreamResponse }> {
    let refusal: ApiError | undefined;
    for (const client of this.directory.rotation(route)) {
      const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(this.options.requestTimeoutMs)]);
      let response: UpstreamResponse;
      try {
        response = await client.infer(path, body, signal);
      } catch (err) {
        if (abort.signal.aborted) throw new ApiError(499, 'invalid_request_error', 'client_closed_request', 'The client closed the connection.');
        if (!(err instanceof UpstreamUnreachableError)) throw err;
        if (err.reason === 'timeout') {
          throw unavailable(503, 'upstream_timeout', `The model server for '${model.id}' did not answer within ${this.options.requestTimeoutMs / 1000} s. Retry after ${this.options.retryAfterSeconds} s.`, String(this.options.retryAfterSeconds));
        }
        this.directory.markDown(client);
        this.log.warn('upstream unreachable', { model: model.id, upstream: client.baseUrl, error: err.message });
        refusal = unavailable(503, 'upstream_unavailable', `No model server for '${model.id}' is reachable (${err.message}). Retry after ${this.options.retryAfterSeconds} s.`, String(this.options.retryAfterSeconds));
        continue;
      }
      if (response.status === 200) return { client, response };
      const text = signal.aborted ? '' : await response.text().catch(() => '');
      const message = upstreamErrorMessage(safeJson(text)) ?? text.slice(0, 500);
      if (response.status === 429 || response.status === 503) {
        const retryAfter = response.header('retry-after') ?? String(this.options.retryAfterSeconds);
        refusal = response.status === 429
          ? unavailable(429, 'upstream_overloaded', `The model server for '${model.id}' is overloaded: ${message}. Retry after ${retryAfter} s.`, retryAfter)
          : unavailable(503, 'upstream_unavailable', `The model server for '${model.id}' is unavailable: ${message}. Retry after ${retryAfter} s.`, retryAfter);
        continue;
      }
      if (response.status >= 400 && response.status < 500) {
        throw new ApiError(response.status, 'invalid_request_error', 'upstream_rejected', `The model server refused the request for '${model.id}': ${message}`, null);
      }
      throw new ApiError(502, 'server_error', 'upstream_error', `The model server for '${model.id}' failed with HTTP ${response.status}: ${message}`);
    }
    throw refusal ?? unavailable(503, 'upstream_unavailable', `No model server for '${model.id}' is configured.`, String(this.options.retryAfterSeconds));
  }

  /** A non-streamed answer: read whole (within the request timeout), usage recorded, bytes passed on unchanged. */
  private async whole(projectId: string, client: UpstreamClient, response: UpstreamResponse, abort: AbortController, release: () => void): Promise<ProxiedResponse> {
    let bytes: Buffer;
    try {
      bytes = await response.bytes();
    } catch (err) {
      if (abort.signal.aborted && abort.signal.reason instanceof ClientGone) throw new ApiError(499, 'invalid_request_error', 'client_closed_request', 'The client closed the connection.');
      throw unavailable(503, 'upstream_timeout', `The model server at ${client.baseUrl} did not finish its answer within ${this.options.requestTimeoutMs / 1000} s (${(err as Error).message}).`, String(this.options.retryAfterSeconds));
    } finally {
      release();
    }
    const usage = (safeJson(bytes.toString('utf8')) as CompletionBody | undefined)?.usage;
    if (usage !== undefined && usage !== null) this.meter.recordUsage(projectId, usage);
    return { status: 200, headers: { 'content-type': response.header('content-type') ?? 'application/json', 'content-length': String(bytes.length) }, stream: Readable.from([bytes]) };
  }

  /** A stream: upstream body → usage tap → client, with an idle timeout; closing either end cancels the other. */
  private streamed(projectId: string, response: UpstreamResponse, abort: AbortController, dropUsageChunk: boolean, release: () => void): ProxiedResponse {
    const source = response.body;
    const tap = new SseUsageTap({ dropUsageChunk, onUsage: (u) => this.meter.recordUsage(projectId, u) });
    let idle = setTimeout(() => abort.abort(new Error('idle')), this.options.idleTimeoutMs);
    source.on('data', () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        this.log.warn('upstream stream idle; cancelled', { idle_ms: this.options.idleTimeoutMs });
        abort.abort(new Error('idle'));
      }, this.options.idleTimeoutMs);
    });
    abort.signal.addEventListener('abort', () => source.destroy(), { once: true });
    pipeline(source, tap, (err) => {
      clearTimeout(idle);
      release();
      if (err !== undefined && err !== null) abort.abort(new ClientGone());
    });
    return { status: 200, headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' }, stream: tap };
  }
}

function requestBody(raw: unknown): InferenceRequestBody {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw invalidParam('body', `The request body must be a JSON object, got ${shown(raw)}.`, 'invalid_request_body');
  const body = raw as Record<string, unknown>;
  if (typeof body['model'] !== 'string' || body['model'] === '') throw invalidParam('model', `model must be a non-empty string naming a base or fine-tuned model (GET /v1/models lists them), got ${shown(body['model'])}.`);
  if (body['stream'] !== undefined && body['stream'] !== null && typeof body['stream'] !== 'boolean') throw invalidParam('stream', `stream must be true or false, got ${shown(body['stream'])}.`);
  const so = body['stream_options'];
  if (so !== undefined && so !== null && (typeof so !== 'object' || Array.isArray(so))) throw invalidParam('stream_options', `stream_options must be an object like {"include_usage": true}, got ${shown(so)}.`);
  return body as InferenceRequestBody;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
