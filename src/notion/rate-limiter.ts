import { sleep } from '../util/abort.js';

/** Notion's documented average rate per integration, in requests per second. */
export const NOTION_RATE_LIMIT = 3;

/**
 * One limiter per run, shared by every request: it hands out start times spaced `1000 / perSecond` ms
 * apart, so the run never exceeds the configured average rate, and it can be paused for everyone at
 * once when Notion answers 429/529 with Retry-After.
 */
export class RateLimiter {
  private readonly intervalMs: number;
  private nextSlot = 0;
  private pausedUntil = 0;

  /** @param perSecond requests per second; must be positive (RangeError otherwise). */
  constructor(perSecond: number, private readonly now: () => number = Date.now) {
    if (!(perSecond > 0)) throw new RangeError(`rate limit must be positive, got ${perSecond}`);
    this.intervalMs = 1000 / perSecond;
  }

  /** The configured average rate, in requests per second. */
  get perSecond(): number {
    return 1000 / this.intervalMs;
  }

  /** Waits for this request's turn. Rejects when the signal aborts. */
  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.now();
      const slot = Math.max(now, this.nextSlot, this.pausedUntil);
      this.nextSlot = slot + this.intervalMs;
      if (slot > now) await sleep(slot - now, signal);
      // A pause that began while we slept moves our turn to after it.
      if (this.now() >= this.pausedUntil) return;
    }
  }

  /** Holds every request (queued and future) until `untilMs`. */
  pauseUntil(untilMs: number): void {
    if (untilMs <= this.pausedUntil) return;
    this.pausedUntil = untilMs;
    this.nextSlot = Math.max(this.nextSlot, untilMs);
  }

  /** Milliseconds left in the current pause (0 when not paused). */
  pauseRemaining(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }
}
