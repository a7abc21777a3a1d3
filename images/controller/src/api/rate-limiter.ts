/** A token bucket: `burst` requests at once, refilled at `perSecond`. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

/** Most buckets a limiter keeps; past it, full buckets are dropped first, then the least recently used. @default 10,000 */
export const DEFAULT_MAX_BUCKETS = 10_000;

/**
 * Token buckets by key (an API key id, a client address). Memory stays bounded whatever keys clients bring: a bucket
 * that has refilled is the same as no bucket, so it is dropped when the map is full, and past `maxBuckets` the least
 * recently used goes.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: RateLimit | null,
    private readonly nowMs: () => number = Date.now,
    private readonly maxBuckets: number = DEFAULT_MAX_BUCKETS,
  ) {}

  /** Takes a token; returns 0 when allowed, else the seconds to wait (for Retry-After). */
  take(key: string): number {
    if (this.limit === null) return 0;
    const b = this.refilled(key);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return this.waitSeconds(b.tokens);
  }

  /** The seconds to wait before `key` may go on (0 when it may), without taking a token. */
  peek(key: string): number {
    if (this.limit === null) return 0;
    const b = this.buckets.get(key);
    if (b === undefined) return 0;
    const tokens = Math.min(this.limit.burst, b.tokens + ((this.nowMs() - b.at) / 1000) * this.limit.perSecond);
    return tokens >= 1 ? 0 : this.waitSeconds(tokens);
  }

  /** How many buckets are held (for tests of the bound). */
  get size(): number {
    return this.buckets.size;
  }

  private waitSeconds(tokens: number): number {
    const perSecond = this.limit?.perSecond ?? 1;
    return Math.max(1, Math.ceil((1 - tokens) / perSecond));
  }

  private refilled(key: string): { tokens: number; at: number } {
    const limit = this.limit as RateLimit;
    const now = this.nowMs();
    const b = this.buckets.get(key) ?? { tokens: limit.burst, at: now };
    b.tokens = Math.min(limit.burst, b.tokens + ((now - b.at) / 1000) * limit.perSecond);
    b.at = now;
    // Re-inserted so the map's order is least recently used first.
    this.buckets.delete(key);
    if (this.buckets.size >= this.maxBuckets) this.evict(now);
    this.buckets.set(key, b);
    return b;
  }

  private evict(now: number): void {
    const limit = this.limit as RateLimit;
    for (const [k, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * limit.perSecond >= limit.burst) this.buckets.delete(k);
    }
    for (const k of this.buckets.keys()) {
      if (this.buckets.size < this.maxBuckets) break;
      this.buckets.delete(k);
    }
  }
}
