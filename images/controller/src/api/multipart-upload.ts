import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { ApiError } from '../domain/api-error';
import { BlobTooLargeError, type BlobStorage } from '../storage/blob-storage';

export interface UploadedFile {
  readonly fields: Readonly<Record<string, string>>;
  readonly filename: string;
  readonly bytes: number;
}

function tooLarge(limit: number): ApiError {
  return new ApiError(413, 'invalid_request_error', 'file_too_large', `The file is larger than the limit of ${limit} bytes.`, 'file');
}

/** The status logged for an upload whose client went away before its end (nginx's "client closed request"). */
export const CLIENT_CLOSED_REQUEST = 499;

function clientClosed(): ApiError {
  return new ApiError(CLIENT_CLOSED_REQUEST, 'invalid_request_error', 'client_closed_request', 'The client disconnected before the upload ended; nothing was stored.', 'file');
}

/**
 * Streams the `file` part of a multipart upload straight to storage under `key` (never held in memory) and collects
 * the other fields. Past `maxBytes` the upload is abandoned and nothing is kept. A client that disconnects before the
 * closing boundary ends it too: the file stream is destroyed, so storage closes and removes what it had written, and
 * the promise rejects (status 499). File names are read as UTF-8 (RFC 7578), not latin1.
 */
export async function receiveUpload(req: IncomingMessage, storage: BlobStorage, key: string, maxBytes: number): Promise<UploadedFile> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('multipart/form-data')) {
    throw new ApiError(400, 'invalid_request_error', 'invalid_content_type', `Uploads must be multipart/form-data with 'file' and 'purpose' fields; got content type ${JSON.stringify(type)}.`, 'file');
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes + 64 * 1024) {
    req.resume();
    throw tooLarge(maxBytes);
  }
  return new Promise<UploadedFile>((resolve, reject) => {
    const fields: Record<string, string> = {};
    let stored: Promise<{ bytes: number; filename: string }> | undefined;
    let fileStream: Readable | undefined;
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      req.unpipe();
      req.resume();
      if (fileStream !== undefined && !fileStream.readableEnded) fileStream.destroy(err instanceof Error ? err : new Error(String(err)));
      if (stored === undefined) reject(err instanceof BlobTooLargeError ? tooLarge(maxBytes) : err);
      // Settles once storage has let go of the object: closed and removed the partial one, or removed a stored one.
      else stored.then(() => storage.delete(key).then(() => reject(err), () => reject(err)), () => reject(err instanceof BlobTooLargeError ? tooLarge(maxBytes) : err));
    };
    req.once('close', () => {
      if (req.complete || failed) return;
      fail(clientClosed());
    });
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { files: 1, fields: 20, fieldSize: 64 * 1024 } });
    } catch (err) {
      reject(new ApiError(400, 'invalid_request_error', 'invalid_multipart', `Malformed multipart body: ${(err as Error).message}.`, 'file'));
      return;
    }
    bb.on('field', (name, value) => (fields[name] = value));
    bb.on('file', (name, stream: Readable, info) => {
      if (name !== 'file' || stored !== undefined) {
        stream.resume();
        return;
      }
      fileStream = stream;
      stored = storage.put(key, stream, { maxBytes }).then((r) => ({ bytes: r.bytes, filename: info.filename || 'upload.jsonl' }));
      stored.catch(fail);
    });
    bb.on('error', (err) => fail(new ApiError(400, 'invalid_request_error', 'invalid_multipart', `Malformed multipart body: ${(err as Error).message}.`, 'file')));
    bb.on('close', () => {
      if (failed) return;
      if (stored === undefined) {
        fail(new ApiError(400, 'invalid_request_error', 'missing_required_parameter', "Missing required parameter: 'file'.", 'file'));
        return;
      }
      stored.then((s) => resolve({ fields, filename: s.filename, bytes: s.bytes }), fail);
    });
    req.pipe(bb);
  });
}
