import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvSink } from '../../src/sinks/csv.js';
import { failingAfter, from, record, schema, str } from './fixtures.js';
import { stringify as stringifySync } from 'csv-stringify/sync';
import { countFileWrites } from '../support/counting.js';

const tasks = schema('tasks', {
  id: str,
  name: str,
  done: { type: ['null', 'boolean'] },
  points: { type: ['null', 'number'] },
  tags: { type: ['null', 'array'], items: str },
  meta: { 'x-json': true },
});

describe('CsvSink', () => {
  it('writes every SCHEMA column even when the first row is sparse', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ns-csv-'));
    const summary = await new CsvSink({ dir }).write(
      from([
        tasks,
        schema('people', { id: str, email: str }),
        record('tasks', { id: 'a' }),
        record('tasks', { id: 'b', name: 'Say "hi", then go', done: true, points: 2.5, tags: ['x', 'y'], meta: { k: [1] } }),
        record('people', { id: 'u', email: 'u@example.com' }),
      ]),
    );
    expect(await readFile(join(dir, 'tasks.csv'), 'utf8')).toBe(
      'id,name,done,points,tags,meta\n' + 'a,,,,,\n' + 'b,"Say ""hi"", then go",true,2.5,"[""x"",""y""]","{""k"":[1]}"\n',
    );
    expect(await readFile(join(dir, 'people.csv'), 'utf8')).toBe('id,email\nu,u@example.com\n');
    expect(summary).toEqual({ destination: dir, tables: [{ table: 'tasks', rows: 2 }, { table: 'people', rows: 1 }] });
    expect((await readdir(dir)).sort()).toEqual(['people.csv', 'tasks.csv']);
  });

  it('writes a header for a table without rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ns-csv-'));
    await new CsvSink({ dir }).write(from([tasks]));
    expect(await readFile(join(dir, 'tasks.csv'), 'utf8')).toBe('id,name,done,points,tags,meta\n');
  });

  it('leaves every previous file untouched when the input fails mid-run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ns-csv-'));
    await writeFile(join(dir, 'tasks.csv'), 'old tasks\n');
    await writeFile(join(dir, 'people.csv'), 'old people\n');
    const messages = [schema('people', { id: str }), record('people', { id: 'u' }), tasks, ...Array.from({ length: 5000 }, (_, i) => record('tasks', { id: `t${i}` }))];
    await expect(new CsvSink({ dir }).write(failingAfter(messages, 4000))).rejects.toThrow('Notion went away');
    expect(await readFile(join(dir, 'tasks.csv'), 'utf8')).toBe('old tasks\n');
    expect(await readFile(join(dir, 'people.csv'), 'utf8')).toBe('old people\n');
    expect((await readdir(dir)).sort()).toEqual(['people.csv', 'tasks.csv']);
  });

  it('rejects a changed header after records, leaving the directory as it was', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ns-csv-'));
    const run = new CsvSink({ dir }).write(from([tasks, record('tasks', { id: 'a' }), schema('tasks', { id: str, extra: str })]));
    await expect(run).rejects.toMatchObject({ code: 'invalid_message', message: expect.stringContaining('"tasks"') });
    expect(await readdir(dir)).toEqual([]);
  });

  it('accepts a repeated identical SCHEMA', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ns-csv-'));
    await new CsvSink({ dir }).write(from([tasks, record('tasks', { id: 'a' }), tasks, record('tasks', { id: 'b' })]));
    expect(await readFile(join(dir, 'tasks.csv'), 'utf8')).toBe('id,name,done,points,tags,meta\na,,,,,\nb,,,,,\n');
  });
});

describe('CsvSink writes in batches', () => {
  it('far fewer file write calls than rows, every row as csv-stringify makes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ns-csv-'));
    const rows = Array.from({ length: 5000 }, (_, i) => ({ id: `p${i}`, name: i % 7 ? `name, "${i}"` : null, done: i % 2 === 0, points: i / 4, tags: ['a', `b${i}`], meta: { i } }));
    const { writes, chunks } = await countFileWrites(() => new CsvSink({ dir }).write(from([tasks, ...rows.map((r) => record('tasks', r))])));
    const expected = stringifySync(
      rows.map((r) => [r.id, r.name, String(r.done), String(r.points), JSON.stringify(r.tags), JSON.stringify(r.meta)]),
      { header: true, columns: ['id', 'name', 'done', 'points', 'tags', 'meta'] },
    );
    expect(await readFile(join(dir, 'tasks.csv'), 'utf8')).toBe(expected);
    expect(writes).toBeGreaterThan(0);
    expect(chunks).toBeLessThan(rows.length / 50);
  });
});
