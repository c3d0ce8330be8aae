import { describe, expect, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import { mapOrdered, orderedMerge } from '../../src/util/concurrency.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* numbers(n: number, ms = 0): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    if (ms) await delay(ms);
    yield i;
  }
}

describe('mapOrdered', () => {
  it('keeps input order although later items finish first', async () => {
    const out = await collect(mapOrdered(numbers(10), async (i) => { await delay((10 - i) * 3); return i * 2; }, { concurrency: 4 }));
    expect(out).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  });

  it('never has more than `concurrency` calls in flight', async () => {
    let inflight = 0;
    let peak = 0;
    await collect(mapOrdered(numbers(30), async (i) => { inflight++; peak = Math.max(peak, inflight); await delay(2); inflight--; return i; }, { concurrency: 5 }));
    expect(peak).toBe(5);
  });

  it('propagates a failure', async () => {
    await expect(collect(mapOrdered(numbers(5), async (i) => { if (i === 3) throw new Error('boom'); return i; }, { concurrency: 2 }))).rejects.toThrow('boom');
  });
});

describe('orderedMerge', () => {
  it('yields each source whole, in source order, while reading several at once', async () => {
    const started: number[] = [];
    const sources = [0, 1, 2].map((s) => () => (async function* () { started.push(s); for await (const i of numbers(5, 2)) yield `${s}:${i}`; })());
    const out = await collect(orderedMerge(sources, { concurrency: 3, buffer: 100 }));
    expect(out).toEqual([0, 1, 2].flatMap((s) => [0, 1, 2, 3, 4].map((i) => `${s}:${i}`)));
    expect(started).toEqual([0, 1, 2]);
  });

  it('buffers at most `buffer` items of a source that is not at the head', async () => {
    let produced = 0;
    const slowHead = async function* () { await delay(80); yield 'head'; };
    const fast = async function* () { for (let i = 0; i < 1000; i++) { produced++; yield `x${i}`; } };
    const it = orderedMerge([slowHead, fast], { concurrency: 2, buffer: 10 });
    const first = await it.next();
    expect(first.value).toBe('head');
    expect(produced).toBeLessThanOrEqual(12);
    await it.return(undefined);
  });

  it('stops at once when any source fails, even one not yet at the head', async () => {
    const head = async function* (signal: AbortSignal) { for (let i = 0; i < 1000 && !signal.aborted; i++) { await delay(5); yield i; } };
    const failing = async function* () { await delay(20); throw new Error('second source failed'); };
    const t0 = Date.now();
    await expect(collect(orderedMerge([head, failing], { concurrency: 2, buffer: 5 }))).rejects.toThrow('second source failed');
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});
