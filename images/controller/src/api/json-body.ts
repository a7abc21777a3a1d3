import type { IncomingMessage } from 'node:http';
import { ApiError } from '../domain/api-error';

const MAX_JSON_BYTES = 1024 * 1024;

/** Deepest nesting of objects and arrays a JSON body may have (the API's deepest field is 4 levels down). @default 32 */
export const MAX_JSON_DEPTH = 32;

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest nesting of objects and arrays in JSON text, in one pass (brackets inside strings do not count). */
export function jsonDepth(bytes: Buffer): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const c = bytes[i];
    if (inString) {
      if (c === BACKSLASH) i += 1;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) deepest = Math.max(deepest, (depth += 1));
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth -= 1;
  }
  return deepest;
}

/**
 * Reads a JSON request body (empty body is `{}`); 400 for malformed JSON or nesting deeper than MAX_JSON_DEPTH (so no
 * rule below recurses without bound), 413 past 1 MiB.
 */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES) throw new ApiError(413, 'invalid_request_error', 'request_too_large', `The request body is larger than ${MAX_JSON_BYTES} bytes.`);
    chunks.push(chunk as Buffer);
  }
  const bytes = Buffer.concat(chunks);
  const text = bytes.toString('utf8');
  if (text.trim() === '') return {};
  if (jsonDepth(bytes) > MAX_JSON_DEPTH) {
    throw new ApiError(400, 'invalid_request_error', 'invalid_json', `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels of objects and arrays; at most ${MAX_JSON_DEPTH} are allowed.`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ApiError(400, 'invalid_request_error', 'invalid_json', `We could not parse the JSON body of your request: ${(err as Error).message}.`);
  }
}
