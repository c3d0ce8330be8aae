import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NdjsonSink } from '../../src/sinks/ndjson.js';
import { failingAfter, from, record, schema, str } from './fixtures.js';
import { countFileWrites, countingWritable } from '../support/counting.js';

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

describe('NdjsonSink writes in batches', () => {
  const many = [schema('tasks', { id: str, n: { type: ['null', 'integer'] } }), ...Array.from({ length: 5000 }, (_, i) => record('tasks', { id: `p${i}`, n: i })), { type: 'STATE' as const, value: { at: 5000 } }];
  const manyText = [...many, { type: 'STATE', value: { at: 5000 }, notion_stream_end: true }].map((m) => `${JSON.stringify(m)}\n`).join('');

  it('on stdout: far fewer write calls than lines, the same bytes', async () => {
    const stdout = countingWritable();
    await new NdjsonSink({ stdout: stdout.stream }).write(from(many));
    expect(stdout.text()).toBe(manyText);
    expect(stdout.calls()).toBeLessThan(many.length / 50);
  });

  it('into a file: far fewer write calls than lines, the same bytes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ns-ndjson-'));
    const out = join(dir, 'out.ndjson');
    const { writes, chunks } = await countFileWrites(() => new NdjsonSink({ out }).write(from(many)));
    expect(await readFile(out, 'utf8')).toBe(manyText);
    expect(writes).toBeGreaterThan(0);
    expect(chunks).toBeLessThan(many.length / 50);
  });

  it('on stdout, a failing input still gets its lines so far out, without the end marker', async () => {
    const stdout = countingWritable();
    await expect(new NdjsonSink({ stdout: stdout.stream }).write(failingAfter(many, 3))).rejects.toThrow('Notion went away');
    expect(stdout.text()).toBe(many.slice(0, 3).map((m) => `${JSON.stringify(m)}\n`).join(''));
  });
});
