/** `load` changes no value on its way from the pipe to a destination. */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const schema = JSON.stringify({
  type: 'SCHEMA',
  stream: 't',
  key_properties: ['id'],
  schema: { type: 'object', properties: { id: { type: ['null', 'string'] }, n: { type: ['null', 'integer'] }, j: { type: ['null', 'object'] } } },
});
const input = `${schema}\n{"type":"RECORD","stream":"t","record":{"id":"a","n":9007199254740993,"j":{"big":123456789012345678901234567890}}}\n`;

describe('load keeps every digit of integers beyond 2^53', () => {
  it('--to ndjson', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'notion-stream-values-')), 'out.ndjson');
    const res = await runCli(['load', '-q', '--assume-complete', '--to', 'ndjson', '--out', out], {}, undefined, input);
    expect(res.stderr).toBe('');
    const text = await readFile(out, 'utf8');
    expect(text).toContain('"n":9007199254740993,"j":{"big":123456789012345678901234567890}');
  });

  it('--to duckdb', async () => {
    const db = join(await mkdtemp(join(tmpdir(), 'notion-stream-values-')), 'n.duckdb');
    const res = await runCli(['load', '-q', '--assume-complete', '--to', 'duckdb', '--out', db], {}, undefined, input);
    expect(res.stderr).toBe('');
    const instance = await DuckDBInstance.create(db);
    const c = await instance.connect();
    const rows = (await c.runAndReadAll('SELECT CAST(n AS VARCHAR) AS n, CAST(j AS VARCHAR) AS j FROM t')).getRowObjects();
    c.closeSync();
    instance.closeSync();
    expect(rows).toEqual([{ n: '9007199254740993', j: '{"big":123456789012345678901234567890}' }]);
  });

  it('refuses 1e400 with its line number and changes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'notion-stream-values-'));
    const res = await runCli(['load', '--assume-complete', '--to', 'ndjson', '--out', join(dir, 'o.ndjson')], {}, undefined, `${schema}\n{"type":"RECORD","stream":"t","record":{"id":"a","n":1e400}}\n`);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^notion-stream: line 2: the number 1e400 is too large for a double/);
  });
});
