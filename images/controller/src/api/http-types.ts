import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { ApiKeyRecord } from '../domain/records';

export interface AuthContext {
  readonly key: ApiKeyRecord;
  readonly projectId: string;
}

export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: Readonly<Record<string, string>>;
  readonly raw: IncomingMessage;
  readonly auth: AuthContext;
}

export interface ApiResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly stream?: Readable;
  readonly headers?: Readonly<Record<string, string>>;
  /** The id the call created or changed, for the audit log. */
  readonly target?: string;
}

export type Handler = (req: ApiRequest) => Promise<ApiResponse>;

export interface Route {
  readonly method: string;
  /** Path template like `/v1/fine_tuning/jobs/:fine_tuning_job_id/cancel` (parameters named as the API names them); also the metrics label. */
  readonly template: string;
  readonly handler: Handler;
  /**
   * Whether an authenticated call is written to the audit log (a synced write). Inference calls are not audited: they
   * change nothing, and their use is metered (serving/usage-meter.ts).
   * @default true for POST, PUT, PATCH and DELETE
   */
  readonly audited?: boolean;
}
