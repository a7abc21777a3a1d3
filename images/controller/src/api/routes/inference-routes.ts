import { UpstreamPath, type InferencePath } from '../../serving/upstream-contract';
import type { ApiContext } from '../api-context';
import type { ApiRequest, ApiResponse, Route } from '../http-types';
import { readJsonBody } from '../json-body';

/** `POST /v1/chat/completions` and `POST /v1/completions`: forwarded to an upstream serving the model (serving/inference-proxy.ts). */
export function inferenceRoutes(ctx: ApiContext): readonly Route[] {
  const serving = ctx.serving;
  const forward = (path: InferencePath) => async (req: ApiRequest): Promise<ApiResponse> => {
    const out = await serving.proxy.forward(path, req.auth.projectId, await readJsonBody(req.raw), req.raw.socket);
    return { status: out.status, headers: out.headers, stream: out.stream };
  };
  return [
    // Not audited: an inference call changes nothing, and a synced audit row per call would cost more than the proxy.
    { method: 'POST', template: UpstreamPath.CHAT_COMPLETIONS, handler: forward(UpstreamPath.CHAT_COMPLETIONS), audited: false },
    { method: 'POST', template: UpstreamPath.COMPLETIONS, handler: forward(UpstreamPath.COMPLETIONS), audited: false },
  ];
}
