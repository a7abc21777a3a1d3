import type { IncomingMessage } from 'node:http';
import { ApiError } from '../domain/api-error';

const MAX_JSON_BYTES = 1024 * 1024;

/** Reads a JSON request body (empty body is `{}`); 400 for malformed JSON, 413 past 1 MiB. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES) throw new ApiError(413, 'invalid_request_error', 'request_too_large', `The request body is larger than ${MAX_JSON_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, 'invalid_request_error', 'invalid_json', `We could not parse the JSON body of your request: ${(err as Error).message}.`);
  }
}
