/** Singer messages written by other taps: their schema idioms, message types and decimals. */
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { allTypesWorkspace } from '../../src/emulator/generate.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { normalizeColumnSchema } from '../../src/singer/foreign.js';
import type { ColumnSchema, SchemaMessage, SingerMessage } from '../../src/singer/messages.js';
import { readSingerLines } from '../../src/singer/read.js';
import { runCli } from '../support/cli.js';
import { dumpDuckDb } from '../support/duckdb.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/singer/${name}`, import.meta.url), 'utf8');

async function read(text: string, onWarning?: (m: string) => void): Promise<SingerMessage[]> {
  const out: SingerMessage[] = [];
  for await (const m of readSingerLines(Readable.from([Buffer.from(text)]), { onWarning })) out.push(m);
  return out;
}

describe('normalizeColumnSchema', () => {
  it('reads anyOf of null and one schema as that schema, nullable', () => {
    expect(normalizeColumnSchema({ anyOf: [{ type: 'string', format: 'date-time' }, { type: 'null' }], description: 'd' })).toEqual({
      schema: { type: ['null', 'string'], format: 'date-time', description: 'd' },
      decimal: false,
    });
    expect(normalizeColumnSchema({ anyOf: [{ type: 'null' }, { type: 'array', items: { anyOf: [{ type: 'integer' }, { type: 'null' }] } }] }).schema).toEqual({
      type: ['null', 'array'],
      items: { type: ['null', 'integer'] },
    });
  });

  it('reads singer.decimal strings as a number column', () => {
    expect(normalizeColumnSchema({ type: ['null', 'string'], format: 'singer.decimal' } as unknown as ColumnSchema)).toEqual({ schema: { type: ['null', 'number'] }, decimal: true });
    expect(normalizeColumnSchema({ type: ['number', 'null'], format: 'singer.decimal' } as unknown as ColumnSchema).decimal).toBe(true);
  });

  it('leaves anyOf of several types as it is (a JSON column)', () => {
    const schema: ColumnSchema = { anyOf: [{ type: 'string' }, { type: 'integer' }, { type: 'null' }] };
    expect(normalizeColumnSchema(schema)).toEqual({ schema, decimal: false });
  });
});

describe('readSingerLines with other taps', () => {
  it('skips ACTIVATE_VERSION without a word and reads singer.decimal values as numbers', async () => {
    const warnings: string[] = [];
    const messages = await read(fixture('pipelinewise-style.ndjson'), (m) => warnings.push(m));
    expect(warnings).toEqual([]);
    expect(messages.map((m) => m.type)).toEqual(['SCHEMA', 'RECORD', 'RECORD', 'RECORD', 'STATE']);
    expect((messages[0] as SchemaMessage).schema.properties.amount).toEqual({ type: ['null', 'number'] });
    expect(messages.slice(1, 4).map((m) => (m.type === 'RECORD' ? m.record.amount : undefined))).toEqual([12.5, -0.000001, null]);
  });

  it('warns once per unknown message type, and refuses BATCH (its records are in files)', async () => {
    const warnings: string[] = [];
    const base = fixture('sdk-style.ndjson');
    const odd = '{"type":"METRIC","value":1}\n{"type":"METRIC","value":2}\n';
    const messages = await read(odd + base, (m) => warnings.push(m));
    expect(messages.filter((m) => m.type === 'RECORD')).toHaveLength(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"METRIC"');
    await expect(read(base + '{"type":"BATCH","stream":"issues","encoding":{"format":"jsonl"},"manifest":["file:///x.gz"]}\n')).rejects.toThrow(/line 5: BATCH message/);
  });

  it('refuses a singer.decimal value that is not a number, with its line', async () => {
    const bad = fixture('pipelinewise-style.ndjson').replace('"12.50"', '"twelve"');
    await expect(read(bad)).rejects.toThrow(/^line 3: column "amount" .*"twelve"/);
  });
});

describe('load of other taps\' output', () => {
  it('loads a pipelinewise-style and a Meltano-SDK-style stream into DuckDB with their types and values', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'notion-stream-singer-'));
    const out = join(dir, 'taps.duckdb');
    const input = fixture('pipelinewise-style.ndjson') + fixture('sdk-style.ndjson');
    const res = await runCli(['load', '--assume-complete', '--to', 'duckdb', '--out', out], {}, undefined, input);
    expect(res.stderr).not.toContain('without a STATE');
    expect(res.code).toBe(0);
    const tables = await dumpDuckDb(out);
    const orders = tables['public-orders']!;
    expect(orders.columns).toEqual(['id:BIGINT', 'amount:DOUBLE', 'placed_at:TIMESTAMP WITH TIME ZONE', 'note:VARCHAR']);
    expect(orders.rows.map((r) => r[1])).toEqual([12.5, -0.000001, null]);
    expect(tables.issues!.columns).toEqual(['id:VARCHAR', 'number:BIGINT', 'closed_at:TIMESTAMP WITH TIME ZONE', 'labels:VARCHAR[]', 'open:BOOLEAN', 'score:DOUBLE']);
    expect(tables.issues!.rows.map((r) => r[3])).toEqual([['bug', 'p1'], null]);
  });

  it('says when the input ended without a STATE message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'notion-stream-singer-'));
    const noState = fixture('sdk-style.ndjson').split('\n').filter((l) => !l.includes('"STATE"')).join('\n');
    const res = await runCli(['load', '--assume-complete', '--to', 'duckdb', '--out', join(dir, 'x.duckdb')], {}, undefined, noState);
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('without a STATE message');
  });
});

describe('sync --to ndjson for other Singer targets', () => {
  let emu: Emulator | undefined;
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });

  it('gives every column of every stream a JSON Schema type (targets such as target-duckdb need one)', async () => {
    emu = await startEmulator({ workspace: allTypesWorkspace(), rateLimit: false });
    const res = await runCli(['sync', '--to', 'ndjson', '--rate-limit', '1000', '--quiet'], { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url });
    expect(res.code).toBe(0);
    const schemas = res.lines.filter((l) => l.type === 'SCHEMA') as SchemaMessage[];
    expect(schemas.length).toBeGreaterThan(5);
    const untyped: string[] = [];
    const walk = (path: string, s: ColumnSchema) => {
      if (s.type === undefined) untyped.push(path);
      if (s.items) walk(`${path}[]`, s.items);
      for (const [k, v] of Object.entries((s.properties as Record<string, ColumnSchema> | undefined) ?? {})) walk(`${path}.${k}`, v);
    };
    for (const m of schemas) for (const [c, s] of Object.entries(m.schema.properties)) walk(`${m.stream}.${c}`, s);
    expect(untyped).toEqual([]);
    expect(schemas.some((m) => Object.values(m.schema.properties).some((s) => s['x-json']))).toBe(true);
  });
});
