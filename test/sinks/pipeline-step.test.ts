/** A sink as the last step of `stream.pipeline`, after the library's stages. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { createSplitter, DuckDbSink, sinkStep } from '../../src/index.js';
import type { SingerMessage } from '../../src/singer/messages.js';
import { dumpDuckDb } from '../support/duckdb.js';
import { failingAfter, record, schema, str } from './fixtures.js';

const tags = { type: ['null', 'array'], items: { type: ['null', 'string'] } } as const;
const messages: SingerMessage[] = [
  schema('tasks', { id: str, tags: tags as never }),
  ...Array.from({ length: 50 }, (_, i) => record('tasks', { id: `t${i}`, tags: ['a', 'b'] })),
];

async function dbPath(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'ns-step-')), 'test.duckdb');
}

describe('sinkStep', () => {
  it('ends a pipeline of stages, which resolves with the sink summary', async () => {
    const path = await dbPath();
    const summary = await pipeline(Readable.from(messages), createSplitter(), sinkStep(new DuckDbSink({ path })));
    expect(summary.tables).toEqual([
      { table: 'tasks', rows: 50 },
      { table: 'tasks__tags', rows: 100 },
    ]);
    const dump = await dumpDuckDb(path);
    expect(dump.tasks!.rows).toHaveLength(50);
    expect(dump.tasks__tags!.rows).toHaveLength(100);
  });

  it('commits nothing when a stage before it fails', async () => {
    const path = await dbPath();
    const step = sinkStep(new DuckDbSink({ path }));
    await expect(pipeline(Readable.from(failingAfter(messages, 20)), createSplitter(), step)).rejects.toThrow('Notion went away');
    await expect(step.written).rejects.toThrow(); // the sink has undone its staging
    expect(await dumpDuckDb(path).catch(() => ({}))).toEqual({});
  });

  it('stops on its own signal', async () => {
    const path = await dbPath();
    const controller = new AbortController();
    controller.abort();
    await expect(pipeline(Readable.from(messages), createSplitter(), sinkStep(new DuckDbSink({ path }), { signal: controller.signal }))).rejects.toMatchObject({ code: 'aborted' });
  });
});
