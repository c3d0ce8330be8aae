/** The line batcher: many lines per chunk when input is fast, every line out, in order. */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createLineBatcher } from '../../src/util/line-batcher.js';

async function run(items: AsyncIterable<unknown> | Iterable<unknown>, maxBytes?: number): Promise<string[]> {
  const chunks: string[] = [];
  await pipeline(
    Readable.from(items, { objectMode: true }),
    createLineBatcher({ maxBytes }),
    new Writable({ write(chunk, _e, cb) { chunks.push(String(chunk)); cb(); } }),
  );
  return chunks;
}

describe('createLineBatcher', () => {
  it('joins many lines into few chunks and keeps every line in order', async () => {
    const items = Array.from({ length: 5000 }, (_, i) => ({ i, s: 'x'.repeat(i % 30) }));
    const chunks = await run(items, 16 * 1024);
    expect(chunks.join('')).toBe(items.map((o) => `${JSON.stringify(o)}\n`).join(''));
    expect(chunks.length).toBeLessThan(items.length / 50);
  });

  it('writes a line promptly when the input pauses', async () => {
    const chunks = await run(
      (async function* () {
        yield { a: 1 };
        await new Promise((r) => setTimeout(r, 20));
        yield { a: 2 };
      })(),
    );
    expect(chunks).toEqual(['{"a":1}\n', '{"a":2}\n']);
  });
});
