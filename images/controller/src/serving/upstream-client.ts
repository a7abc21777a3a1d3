/**
 * An HTTP client for one upstream (upstream-contract.ts): inference over node:http with a keep-alive agent
 * (upstream-http.ts, the hot path), management calls over Node's fetch. Failures to reach the upstream (refused,
 * reset, DNS, timeout) are UpstreamUnreachableError; any HTTP answer is returned.
 */
import type { Agent } from 'node:http';
import { postJson, UpstreamConnectionError, upstreamAgent, type UpstreamResponse } from './upstream-http';
import {
  UpstreamPath,
  upstreamErrorMessage,
  type InferencePath,
  type LoadLoraAdapterBody,
  type UnloadLoraAdapterBody,
  type UpstreamModelList,
} from './upstream-contract';

export class UpstreamUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: 'timeout' | 'unreachable',
    detail: string,
  ) {
    super(`${url}: ${reason === 'timeout' ? 'no answer in time' : 'unreachable'} (${detail})`);
    this.name = 'UpstreamUnreachableError';
  }
}

/** An upstream's HTTP error answer to a management call. */
export class UpstreamHttpError extends Error {
  constructor(
    readonly url: string,
    readonly status: number,
    readonly upstreamMessage: string,
  ) {
    super(`${url}: HTTP ${status}: ${upstreamMessage}`);
    this.name = 'UpstreamHttpError';
  }
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message ?? String(err);
}

export class UpstreamClient {
  private agent?: Agent;

  /** @param baseUrl `http://host:port` (no `/v1`). */
  constructor(readonly baseUrl: string) {}

  /**
   * POSTs an inference request; resolves with the response once its headers arrive (the body is the caller's to read
   * or cancel). `signal` aborts it (client gone, timeout). Rejects with UpstreamUnreachableError.
   */
  async infer(path: InferencePath, body: unknown, signal: AbortSignal): Promise<UpstreamResponse> {
    const url = new URL(`${this.baseUrl}${path}`);
    this.agent ??= upstreamAgent(url);
    try {
      return await postJson(url, JSON.stringify(body), signal, this.agent);
    } catch (err) {
      if (signal.aborted) {
        if ((signal.reason as Error | undefined)?.name === 'TimeoutError') throw new UpstreamUnreachableError(this.baseUrl, 'timeout', 'timed out');
        throw signal.reason ?? err;
      }
      if (err instanceof UpstreamConnectionError) throw new UpstreamUnreachableError(this.baseUrl, 'unreachable', err.code);
      throw err;
    }
  }

  /** `GET /health` within `timeoutMs`: true on 200. */
  async healthy(timeoutMs: number): Promise<boolean> {
    try {
      const res = await this.fetch(UpstreamPath.HEALTH, { signal: AbortSignal.timeout(timeoutMs) });
      await res.body?.cancel();
      return res.status === 200;
    } catch {
      return false;
    }
  }

  async listModels(timeoutMs: number): Promise<UpstreamModelList> {
    const res = await this.fetch(UpstreamPath.MODELS, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    if (res.status !== 200) throw new UpstreamHttpError(this.baseUrl, res.status, upstreamErrorMessage(safeJson(text)) ?? text);
    return JSON.parse(text) as UpstreamModelList;
  }

  /** Loads an adapter from a path the upstream can read. */
  async loadAdapter(body: LoadLoraAdapterBody, timeoutMs: number): Promise<void> {
    await this.manage(UpstreamPath.LOAD_LORA_ADAPTER, body, timeoutMs, false);
  }

  /** Unloads an adapter; `false` when the upstream did not have it loaded (404, or vLLM's 400 "not found"). */
  async unloadAdapter(body: UnloadLoraAdapterBody, timeoutMs: number): Promise<boolean> {
    return this.manage(UpstreamPath.UNLOAD_LORA_ADAPTER, body, timeoutMs, true);
  }

  private async manage(path: UpstreamPath, body: unknown, timeoutMs: number, absentIsFine: boolean): Promise<boolean> {
    const res = await this.fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    if (res.status === 200) return true;
    const message = upstreamErrorMessage(safeJson(text)) ?? text;
    if (absentIsFine && (res.status === 404 || (res.status === 400 && /not found|cannot be found|not loaded/i.test(message)))) return false;
    throw new UpstreamHttpError(this.baseUrl, res.status, message);
  }

  private async fetch(path: string, init: RequestInit & { signal: AbortSignal }): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}${path}`, init);
    } catch (err) {
      const reason = init.signal.aborted && (init.signal.reason as Error | undefined)?.name === 'TimeoutError' ? 'timeout' : 'unreachable';
      if (init.signal.aborted && reason !== 'timeout') throw init.signal.reason ?? err;
      throw new UpstreamUnreachableError(this.baseUrl, reason, reason === 'timeout' ? 'timed out' : causeOf(err));
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
