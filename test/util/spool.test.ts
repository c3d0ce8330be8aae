/** The spool: order kept across memory and disk, nothing left on disk, whatever the exit. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { orderedMerge } from '../../src/util/concurrency.js';
import { Spool } from '../../src/util/spool.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spool-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function drain<T>(spool: Spool<T>): Promise<T[]> {
  const out: T[] = [];
  for (let item = await spool.next(); item; item = await spool.next()) out.push(item.value);
  return out;
}

describe('Spool', () => {
  it('keeps push order when values spill to disk, and removes the file while it is open', async () => {
    const spool = new Spool<{ n: number; s: string }>({ memoryItems: 3, dir });
    const values = Array.from({ length: 500 }, (_, n) => ({ n, s: `é€😀 ${'x'.repeat(n % 50)}` }));
    for (const v of values) await spool.push(v);
    expect(spool.spilling).toBe(true);
    expect(await readdir(dir)).toEqual([]); // unlinked once opened: a kill leaves nothing behind
    spool.close();
    expect(await drain(spool)).toEqual(values);
    await spool.dispose();
  });

  it('interleaves pushes and reads, going back to memory once the file is read back', async () => {
    const spool = new Spool<number>({ memoryItems: 2, dir });
    const got: number[] = [];
    const reader = (async () => {
      for (let item = await spool.next(); item; item = await spool.next()) got.push(item.value);
    })();
    for (let n = 0; n < 300; n++) {
      await spool.push(n);
      if (n % 7 === 0) await new Promise((r) => setImmediate(r));
    }
    spool.close();
    await reader;
    expect(got).toEqual(Array.from({ length: 300 }, (_, n) => n));
    await spool.dispose();
  });
});

describe('orderedMerge with spill', () => {
  it('a later source runs to its end while the first one waits for it (no head-of-line blocking)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = async function* () {
      await gate;
      yield 'a';
    };
    const second = async function* () {
      for (let i = 0; i < 50; i++) yield `b${i}`;
      release();
    };
    const out: string[] = [];
    for await (const x of orderedMerge([first, second], { concurrency: 2, buffer: 5, spill: true })) out.push(x);
    expect(out).toEqual(['a', ...Array.from({ length: 50 }, (_, i) => `b${i}`)]);
  });
});
