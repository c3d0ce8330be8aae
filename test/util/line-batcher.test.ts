/**
 * Batched writes: many lines per write call when input is fast, every byte out in order, backpressure
 * towards the input, and the tail out at the end, after a failure and after an abort.
 */
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ndjsonLines, writeBatched, writeNdjsonLines } from '../../src/util/line-batcher.js';
import { IdSet } from '../../src/state/id-set.js';
import { countingWritable } from '../support/counting.js';

/** A Writable that holds every write until `release()`: a consumer that stopped reading. */
function stalledWritable(highWaterMark: number) {
  let received = 0;
  const held: Array<() => void> = [];
  const stream = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, cb) {
      received += chunk.length;
      held.push(cb);
    },
  });
  return {
    stream,
    received: () => received,
    release: () => {
      for (const cb of held.splice(0)) cb();
    },
  };
}

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

const items = Array.from({ length: 5000 }, (_, i) => ({ i, s: 'x'.repeat(i % 30), u: 'é€😀' }));
const expected = items.map((o) => `${JSON.stringify(o)}\n`).join('');

describe('writeBatched', () => {
  it('writes many lines per write call, byte for byte', async () => {
    const out = countingWritable();
    await writeNdjsonLines(out.stream, items, { maxBytes: 16 * 1024 });
    expect(out.text()).toBe(expected);
    expect(out.calls()).toBeLessThan(items.length / 50);
    expect(out.stream.writableEnded).toBe(false); // stdout stays open
  });

  it('batches an async input too, and ends the destination with end: true', async () => {
    const out = countingWritable();
    await writeNdjsonLines(
      out.stream,
      (async function* () {
        yield* items;
      })(),
      { end: true },
    );
    expect(out.text()).toBe(expected);
    expect(out.calls()).toBeLessThan(10);
    expect(out.stream.writableFinished).toBe(true);
  });

  it('writes a line promptly when the input pauses', async () => {
    const out = countingWritable();
    let seenBeforeSecond = '';
    await writeNdjsonLines(
      out.stream,
      (async function* () {
        yield { a: 1 };
        await new Promise((r) => setTimeout(r, 20));
        seenBeforeSecond = out.text();
        yield { a: 2 };
      })(),
    );
    expect(seenBeforeSecond).toBe('{"a":1}\n');
    expect(out.text()).toBe('{"a":1}\n{"a":2}\n');
  });

  it('flushes the tail shorter than one batch at the end', async () => {
    const out = countingWritable();
    await writeBatched(out.stream, ['a\n', 'b\n', 'c'], { maxBytes: 1024 });
    expect(out.text()).toBe('a\nb\nc');
    expect(out.calls()).toBe(1);
  });

  it('does not run ahead of a slow consumer: bounded by one batch past its buffer', async () => {
    const maxBytes = 4096;
    const consumer = stalledWritable(1024);
    let pulled = 0;
    let stop = false;
    const line = `${'y'.repeat(99)}\n`;
    const endless = (function* () {
      while (!stop && pulled < 200_000) { // without backpressure all 20 MB would be read at once
        pulled++;
        yield line;
      }
    })();
    const done = writeBatched(consumer.stream, endless, { maxBytes });
    await turns(50);
    const bound = (maxBytes + 1024) * 2 + line.length; // a batch in the consumer's buffer, one pending
    expect(pulled * line.length).toBeLessThanOrEqual(bound);
    const stalledAt = pulled;
    await turns(50);
    expect(pulled).toBe(stalledAt); // still waiting for 'drain'
    for (let i = 0; i < 1000 && pulled === stalledAt; i++) {
      consumer.release(); // one held write at a time
      await turns(1);
    }
    expect(pulled).toBeGreaterThan(stalledAt); // drained: reading goes on
    stop = true;
    consumer.release();
    const releasing = setInterval(consumer.release, 1);
    await done;
    clearInterval(releasing);
    expect(consumer.received()).toBe(pulled * line.length);
  });

  it('hands the lines read before a failure to the output, then rejects with the failure', async () => {
    const out = countingWritable();
    const failing = (async function* () {
      yield 'one\n';
      yield 'two\n';
      throw new Error('Notion went away');
    })();
    await expect(writeBatched(out.stream, failing)).rejects.toThrow('Notion went away');
    expect(out.text()).toBe('one\ntwo\n');
  });

  it('on abort stops waiting for a stalled consumer and rejects with aborted, leaving no listener', async () => {
    const consumer = new PassThrough({ highWaterMark: 16 }); // nobody reads it
    const controller = new AbortController();
    const input = (function* () {
      yield 'x'.repeat(100) + '\n'; // fills the consumer: the writer waits for 'drain'
      yield 'more\n';
    })();
    const done = writeBatched(consumer, input, { signal: controller.signal, maxBytes: 50 });
    await turns(5);
    controller.abort();
    await expect(done).rejects.toMatchObject({ code: 'aborted' });
    expect(consumer.listenerCount('drain') + consumer.listenerCount('error') + consumer.listenerCount('close')).toBe(0);
    consumer.end();
    expect((await consumer.toArray()).join('')).toBe('x'.repeat(100) + '\n');
  });

  it('on abort hands the lines already read to the output', async () => {
    const out = countingWritable();
    const controller = new AbortController();
    const input = (function* () {
      yield 'one\n';
      yield 'two\n';
      controller.abort(); // a stage sees the abort and stops
      if (controller.signal.aborted) throw Object.assign(new Error('aborted'), { code: 'aborted' });
      yield 'never\n';
    })();
    await expect(writeBatched(out.stream, input, { signal: controller.signal })).rejects.toMatchObject({ code: 'aborted' });
    expect(out.text()).toBe('one\ntwo\n');
  });

  it('rejects with the output error (a closed pipe)', async () => {
    const out = new Writable({
      write(_chunk, _enc, cb) {
        cb(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    out.on('error', () => {});
    await expect(writeBatched(out, (function* () {
      for (let i = 0; i < 1e6; i++) yield `${i}\n`;
    })(), { maxBytes: 64 })).rejects.toMatchObject({ code: 'EPIPE' });
  });
});

describe('ndjsonLines', () => {
  it('gives a STATE message holding millions of ids in pieces of a few MiB, the line as JSON.stringify makes it', async () => {
    const ids = IdSet.of(Array.from({ length: 400_000 }, (_, i) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`));
    const items = [
      { type: 'RECORD', stream: 't', record: { id: 1n << 60n } },
      { type: 'STATE', value: { notion_stream: 2, bookmarks: { a: { table: 't', ids } } } },
    ];
    const pieces: string[] = [];
    for await (const piece of ndjsonLines(items)) pieces.push(piece);
    expect(pieces.join('')).toBe(`{"type":"RECORD","stream":"t","record":{"id":1152921504606846976}}\n${JSON.stringify(items[1])}\n`);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(4 * 2 ** 20); // 8.5 MB of base64 in all
  });
});
