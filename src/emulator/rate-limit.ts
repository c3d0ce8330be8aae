/**
 * Notion-like rate limiting: a token bucket per integration token. A bucket holds `burst` tokens and
 * refills at `perSecond`; a request takes one token, and a rejected request takes none.
 */

export interface RateLimitOptions {
  /** Tokens added per second: the sustained rate in requests/s. */
  perSecond: number;
  /** Tokens the bucket holds: requests allowed at once after a pause. */
  burst: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perSecond: 3, burst: 10 };

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(options.perSecond > 0) || !(options.burst >= 1)) {
      throw new RangeError('rateLimit needs perSecond > 0 and burst >= 1');
    }
  }

  take(key: string): RateDecision {
    const now = this.now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.options.burst, at: now };
    bucket.tokens = Math.min(this.options.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.options.perSecond);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    // Whole seconds, at least 1, as Notion's Retry-After header.
    const wait = (1 - bucket.tokens) / this.options.perSecond;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(wait)) };
  }
}
