import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/notion/rate-limiter.js';

describe('RateLimiter', () => {
  it('spaces request starts 1000/rate ms apart', async () => {
    const limiter = new RateLimiter(50); // 20 ms apart
    const starts: number[] = [];
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 6 }, async () => {
      await limiter.acquire();
      starts.push(Date.now() - t0);
    }));
    starts.sort((a, b) => a - b);
    // six slots at 0, 20, ..., 100 ms: the last cannot start before 100 ms
    expect(starts[5]).toBeGreaterThanOrEqual(95);
  });

  it('holds queued and new requests during a pause', async () => {
    const limiter = new RateLimiter(1000);
    limiter.pauseUntil(Date.now() + 120);
    expect(limiter.pauseRemaining()).toBeGreaterThan(100);
    const t0 = Date.now();
    await limiter.acquire();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
  });

  it('moves a waiting request behind a pause that starts while it waits', async () => {
    const limiter = new RateLimiter(10); // 100 ms apart
    await limiter.acquire(); // takes slot 0
    const t0 = Date.now();
    const waiting = limiter.acquire(); // slot at ~100 ms
    limiter.pauseUntil(Date.now() + 250);
    await waiting;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
  });

  it('rejects a waiting acquire as soon as the signal aborts', async () => {
    const limiter = new RateLimiter(1);
    await limiter.acquire();
    const controller = new AbortController();
    const p = limiter.acquire(controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expect(p).rejects.toMatchObject({ code: 'aborted' });
  });

  it('refuses a non-positive rate', () => {
    expect(() => new RateLimiter(0)).toThrow(RangeError);
  });
});
