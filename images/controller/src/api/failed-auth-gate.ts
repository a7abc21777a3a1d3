import { ApiError } from '../domain/api-error';
import type { MetricsRegistry } from '../ops/metrics';
import { RateLimiter, type RateLimit } from './rate-limiter';

/** The counter of failed authentications, by reason: the 401's error code, or `rate_limited` for the 429s. */
export const AUTH_FAILURES_METRIC = 'vpctune_auth_failures_total';

/** Why a request failed authentication: the error codes of the 401s, plus the 429 of an address over its limit. */
export enum AuthFailureReason {
  MISSING_API_KEY = 'missing_api_key',
  INVALID_AUTHORIZATION_HEADER = 'invalid_authorization_header',
  INVALID_API_KEY = 'invalid_api_key',
  INVALID_ADMIN_TOKEN = 'invalid_admin_token',
  RATE_LIMITED = 'rate_limited',
}

const KNOWN_REASONS: ReadonlySet<string> = new Set(Object.values(AuthFailureReason));

/**
 * What failed authentication costs: nothing durable (no audit row, no store write), one counter increment, and a token
 * of the client address's failed-authentication bucket. Once an address's bucket is empty its failed authentications
 * are answered 429 with Retry-After instead of 401, until tokens refill. A valid key still passes from that address:
 * clients behind one address (NAT, a proxy, everything on 127.0.0.1 under `up --local`) are not locked out by another.
 */
export class FailedAuthGate {
  private readonly limiter: RateLimiter;

  constructor(limit: RateLimit | null, private readonly metrics: MetricsRegistry, nowMs: () => number) {
    this.limiter = new RateLimiter(limit, nowMs);
  }

  /**
   * Records a failed authentication of `address` and returns what to answer: its 401, or the 429 once the address
   * has used up its failed authentications.
   */
  failed(address: string, err: ApiError): ApiError {
    const wait = this.limiter.peek(address);
    if (wait > 0) {
      this.count(AuthFailureReason.RATE_LIMITED);
      return new ApiError(429, 'invalid_request_error', 'rate_limit_exceeded', `Too many failed authentications from ${address}: retry after ${wait} s.`, null, { 'retry-after': String(wait) });
    }
    this.limiter.take(address);
    this.count(err.code !== null && KNOWN_REASONS.has(err.code) ? (err.code as AuthFailureReason) : AuthFailureReason.INVALID_API_KEY);
    return err;
  }

  private count(reason: AuthFailureReason): void {
    this.metrics.increment(AUTH_FAILURES_METRIC, 'Requests that failed authentication, by reason (nothing of them is stored).', { reason });
  }
}
