import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NdjsonSink } from '../../src/sinks/ndjson.js';
import { failingAfter, from, record, schema, str } from './fixtures.js';

const messages = [schema('tasks', { id: str, n: { type: ['null', 'integer'] } }), record('tasks', { id: 'a', n: 1 }), record('tasks', { id: 'b', n: null }), { type: 'STATE' as const, value: { x: 1 } }];
// The output ends with the end marker of the completion protocol, carrying the last state.
const text = [...messages, { type: 'STATE', value: { x: 1 }, notion_stream_end: true }].map((m) => JSON.stringify(m)).join('\n') + '\n';

describe('NdjsonSink', () => {
  it('writes one message per line to the file and counts rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ns-ndjson-'));
    const out = join(dir, 'out.ndjson');
    const summary = await new NdjsonSink({ out }).write(from(messages));
    expect(await readFile(out, 'utf8')).toBe(text);
    expect(summary).toEqual({ destination: out, tables: [{ table: 'tasks', rows: 2 }], state: { x: 1 } }); // the last STATE, for the caller to save
    expect(await readdir(dir)).toEqual(['out.ndjson']);
  });

  it('leaves the previous file untouched and no temporary file when the input fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ns-ndjson-'));
    const out = join(dir, 'out.ndjson');
    await writeFile(out, 'previous\n');
    await expect(new NdjsonSink({ out }).write(failingAfter(messages, 2))).rejects.toThrow('Notion went away');
    expect(await readFile(out, 'utf8')).toBe('previous\n');
    expect(await readdir(dir)).toEqual(['out.ndjson']);
  });

  it('stops on abort, leaving the previous file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ns-ndjson-'));
    const out = join(dir, 'out.ndjson');
    await writeFile(out, 'previous\n');
    const controller = new AbortController();
    async function* slow() {
      yield messages[0]!;
      controller.abort();
      yield messages[1]!;
    }
    await expect(new NdjsonSink({ out }).write(slow(), controller.signal)).rejects.toMatchObject({ code: 'aborted' });
    expect(await readFile(out, 'utf8')).toBe('previous\n');
    expect(await readdir(dir)).toEqual(['out.ndjson']);
  });

  it('writes to stdout without ending it', async () => {
    const stdout = new PassThrough();
    const chunks: Buffer[] = [];
    stdout.on('data', (c: Buffer) => chunks.push(c));
    const summary = await new NdjsonSink({ stdout }).write(from(messages));
    expect(Buffer.concat(chunks).toString()).toBe(text);
    expect(stdout.writableEnded).toBe(false);
    expect(summary.destination).toBe('stdout');
  });

  it('rejects a RECORD before its SCHEMA', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ns-ndjson-'));
    await expect(new NdjsonSink({ out: join(dir, 'o') }).write(from([record('x', {})]))).rejects.toMatchObject({ code: 'invalid_message' });
    expect(await readdir(dir)).toEqual([]);
  });
});
