import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import type { SingerMessage } from '../../src/singer/messages.js';
import { createSplitter, splitStream } from '../../src/stages/split.js';

const messages: SingerMessage[] = [
  {
    type: 'SCHEMA',
    stream: 'tasks',
    schema: { type: 'object', properties: { id: { type: ['null', 'string'] }, tags: { type: ['null', 'array'], items: { type: ['null', 'string'] } } } },
    key_properties: ['id'],
  },
  ...Array.from({ length: 500 }, (_, i): SingerMessage => ({ type: 'RECORD', stream: 'tasks', record: { id: `p${i}`, tags: ['a', 'b'] } })),
  { type: 'STATE', value: { done: true } },
];

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('splitStream', () => {
  it('splits a message stream read from a Readable', async () => {
    const out = await collect(splitStream(Readable.from(messages)));
    expect(out).toHaveLength(2 + 500 * 3 + 1);
    expect(out.slice(0, 5)).toEqual([
      { ...messages[0], schema: { type: 'object', properties: { id: { type: ['null', 'string'] } } } },
      expect.objectContaining({ type: 'SCHEMA', stream: 'tasks__tags', key_properties: ['_parent_id', '_idx'] }),
      { type: 'RECORD', stream: 'tasks', record: { id: 'p0' } },
      { type: 'RECORD', stream: 'tasks__tags', record: { _parent_id: 'p0', _idx: 0, value: 'a' } },
      { type: 'RECORD', stream: 'tasks__tags', record: { _parent_id: 'p0', _idx: 1, value: 'b' } },
    ]);
    expect(out.at(-1)).toEqual({ type: 'STATE', value: { done: true } });
  });

  it('passes messages through in inline mode', async () => {
    expect(await collect(splitStream(Readable.from(messages), { arrays: 'inline' }))).toEqual(messages);
  });

  it('stops when the signal aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(collect(splitStream(Readable.from(messages), { signal: controller.signal }))).rejects.toMatchObject({ code: 'aborted' });
  });
});

describe('createSplitter', () => {
  it('works as a pipeline stage with backpressure: it pulls input only as fast as its output is read', async () => {
    let pulled = 0;
    const source = Readable.from(
      (function* () {
        for (const m of messages) {
          pulled++;
          yield m;
        }
      })(),
      { objectMode: true, highWaterMark: 1 },
    );
    const out: SingerMessage[] = [];
    const pulledAtFirstWrite: number[] = [];
    let maxAhead = 0;
    const sink = new Writable({
      objectMode: true,
      highWaterMark: 1,
      write(chunk: SingerMessage, _enc, cb) {
        if (out.length === 0) pulledAtFirstWrite.push(pulled);
        out.push(chunk);
        // Each input record gives 3 output messages: input messages pulled ahead of those written.
        maxAhead = Math.max(maxAhead, pulled - out.length / 3);
        setImmediate(cb);
      },
    });
    await pipeline(source, createSplitter(), sink);
    expect(out).toHaveLength(2 + 500 * 3 + 1);
    expect(out.filter((m) => m.type === 'RECORD' && m.stream === 'tasks__tags')).toHaveLength(1000);
    // A stage that buffered its whole input would have pulled all 502 messages before the first write.
    expect(pulledAtFirstWrite[0]).toBeLessThan(60);
    expect(maxAhead).toBeLessThan(60);
  });

  it('fails the pipeline on a malformed record', async () => {
    const bad: SingerMessage[] = [messages[0]!, { type: 'RECORD', stream: 'tasks', record: { id: 'x', tags: 'a' } }];
    const sink = new Writable({ objectMode: true, write: (_c, _e, cb) => cb() });
    await expect(pipeline(Readable.from(bad), createSplitter(), sink)).rejects.toMatchObject({ code: 'invalid_message' });
  });
});
