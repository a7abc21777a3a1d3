import contentDisposition from 'content-disposition';
import { fileKey, isFileKey } from '../../../../../constructs/platform/bucket-keys';
import { ApiError, invalidParam, notFound, shown } from '../../domain/api-error';
import { newId } from '../../domain/ids';
import type { FilePurpose } from '../../domain/records';
import { BlobNotFoundError } from '../../storage/blob-storage';
import { storageFaultOf } from '../../storage/storage-fault';
import type { ApiContext } from '../api-context';
import type { ApiRequest, ApiResponse, Route } from '../http-types';
import { receiveUpload } from '../multipart-upload';
import { listBody, pageParams } from '../pagination';
import { fileView } from '../views';
import { firstControlCharacter, requirePrintable } from '../../validation/plain-text';

const UPLOAD_PURPOSES: readonly string[] = ['fine-tune'];
const LIST_PURPOSES: readonly FilePurpose[] = ['fine-tune', 'fine-tune-results'];

export function filesRoutes(ctx: ApiContext): readonly Route[] {
  const getOwned = async (req: ApiRequest) => {
    const id = req.params['file_id'] ?? '';
    const file = await ctx.store.getFile(req.auth.projectId, id);
    if (file === undefined) throw notFound('file', id, 'file_not_found', 'file_id');
    return file;
  };

  const upload = async (req: ApiRequest): Promise<ApiResponse> => {
    const id = newId('file');
    const key = fileKey(id);
    const up = await receiveUpload(req.raw, ctx.storage, key, ctx.options.maxUploadBytes);
    const purpose = up.fields['purpose'];
    if (purpose === undefined || !UPLOAD_PURPOSES.includes(purpose)) {
      await ctx.storage.delete(key);
      if (purpose === undefined) throw new ApiError(400, 'invalid_request_error', 'missing_required_parameter', "Missing required parameter: 'purpose'.", 'purpose');
      throw invalidParam('purpose', `Invalid 'purpose': ${shown(purpose)}; allowed: ${UPLOAD_PURPOSES.join(', ')} (this platform only fine-tunes).`);
    }
    if (firstControlCharacter(up.filename) !== undefined) {
      await ctx.storage.delete(key);
      requirePrintable(up.filename, 'file', { subject: "'file' name" });
    }
    const record = { id, projectId: req.auth.projectId, createdMs: ctx.clock.nowMs(), bytes: up.bytes, filename: up.filename, purpose: purpose as FilePurpose, storageKey: key };
    await ctx.store.insertFile(record);
    return { status: 200, body: fileView(record), target: id };
  };

  const list = async (req: ApiRequest): Promise<ApiResponse> => {
    const { limit, after } = pageParams(req.query, 10000, 10000);
    const order = req.query.get('order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') throw invalidParam('order', `Invalid 'order': ${shown(order)}; allowed: asc, desc.`);
    const purpose = req.query.get('purpose') ?? undefined;
    if (purpose !== undefined && !(LIST_PURPOSES as readonly string[]).includes(purpose)) {
      throw invalidParam('purpose', `Invalid 'purpose': ${shown(purpose)}; allowed: ${LIST_PURPOSES.join(', ')}.`);
    }
    const page = await ctx.store.listFiles(req.auth.projectId, { limit, order, ...(after !== undefined ? { after } : {}), ...(purpose !== undefined ? { purpose: purpose as FilePurpose } : {}) });
    return { status: 200, body: listBody(page.data.map(fileView), page.hasMore, true) };
  };

  const content = async (req: ApiRequest): Promise<ApiResponse> => {
    const file = await getOwned(req);
    try {
      const stream = await ctx.storage.get(file.storageKey);
      return {
        status: 200,
        stream,
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(file.bytes), 'content-disposition': contentDisposition(file.filename, { fallback: file.filename.replace(/[^\x20-\x7e]/g, '?') }) },
      };
    } catch (err) {
      if (err instanceof BlobNotFoundError) throw new ApiError(500, 'server_error', 'file_content_missing', `The content of file '${file.id}' is missing from storage.`);
      throw err;
    }
  };

  const remove = async (req: ApiRequest): Promise<ApiResponse> => {
    const file = await getOwned(req);
    // Record first (so no job can start on it meanwhile), then the content; if storage refuses, the record comes
    // back: the delete completes or leaves both.
    await ctx.store.deleteFile(file.projectId, file.id);
    if (isFileKey(file.storageKey)) {
      try {
        await ctx.storage.delete(file.storageKey);
      } catch (err) {
        await ctx.store.insertFile(file);
        // One code for every storage fault the API meets (storage-fault.ts): 503 storage_unavailable, which SDKs retry.
        const fault = storageFaultOf(err) ?? (err as NodeJS.ErrnoException).code ?? (err as Error).name;
        throw new ApiError(503, 'server_error', 'storage_unavailable', `Storage is unavailable: ${fault}. The content of file '${file.id}' could not be deleted; the file is kept: retry once storage is writable again.`);
      }
    }
    return { status: 200, body: { id: file.id, object: 'file', deleted: true }, target: file.id };
  };

  return [
    { method: 'POST', template: '/v1/files', handler: upload },
    { method: 'GET', template: '/v1/files', handler: list },
    { method: 'GET', template: '/v1/files/:file_id', handler: async (req) => ({ status: 200, body: fileView(await getOwned(req)) }) },
    { method: 'GET', template: '/v1/files/:file_id/content', handler: content },
    { method: 'DELETE', template: '/v1/files/:file_id', handler: remove },
  ];
}
