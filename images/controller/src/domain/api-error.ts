/**
 * An error the API reports in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}`.
 * Status codes follow OpenAI's use: 400 bad request, 401 auth, 404 unknown id, 409 wrong state, 413 too large,
 * 422 unprocessable, 429 rate limited, 500 internal.
 */
export type ErrorType = 'invalid_request_error' | 'authentication_error' | 'not_found_error' | 'conflict_error' | 'rate_limit_error' | 'server_error';

export interface ErrorBody {
  readonly error: { readonly message: string; readonly type: ErrorType; readonly param: string | null; readonly code: string | null };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    readonly code: string | null,
    message: string,
    readonly param: string | null = null,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** 400 naming the field, the bad value and what is allowed. */
export function invalidParam(param: string, message: string, code = 'invalid_value'): ApiError {
  return new ApiError(400, 'invalid_request_error', code, message, param);
}

/** 404 for an id this project cannot see (another project's ids answer the same). */
export function notFound(what: string, id: string, code: string, param: string | null = null): ApiError {
  return new ApiError(404, 'invalid_request_error', code, `No ${what} with id '${id}' exists.`, param);
}

export function shown(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
