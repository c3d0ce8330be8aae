/** The incremental state: parsing, the next state after a run, durations, and the state file. */
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStateFile, writeStateFile } from '../../src/state/file.js';
import { jsonPieces } from '../../src/singer/json.js';
import { IdSet } from '../../src/state/id-set.js';
import { CLOCK_MARGIN_MS, nextState, parseDuration, parseState, reconcileDue, trashSearchSince, type DataSourceRun, type SyncState } from '../../src/state/state.js';

const run = (over: Partial<DataSourceRun>): DataSourceRun => ({
  table: 't', properties: {}, full: false, read: [], latestEdit: undefined, deleted: [], startedAt: '2024-06-01T00:00:00.000Z', ...over,
});

/** A Notion page id (dashed) from a small number. */
const pid = (n: number) => `${n.toString(16).padStart(8, '0')}-0000-4000-8000-${(n * 7919).toString(16).padStart(12, '0')}`;
const [p1, p2, p3, p4, p9, q1] = [1, 2, 3, 4, 9, 100].map(pid) as [string, string, string, string, string, string];

describe('IdSet', () => {
  it('holds ids sorted and once, dashed or not, in any case; 16 bytes each in base64', () => {
    const set = IdSet.of([p3, p1.toUpperCase(), p1.replace(/-/g, ''), p2]);
    expect([...set]).toEqual([p1, p2, p3]);
    expect(set.size).toBe(3);
    expect(set.has(p2.replace(/-/g, ''))).toBe(true);
    expect(set.has(p4)).toBe(false);
    expect(set.has('not an id')).toBe(false);
    expect(Buffer.from(set.toJSON(), 'base64')).toHaveLength(3 * 16);
    expect([...IdSet.decode(set.toJSON())]).toEqual([p1, p2, p3]);
    expect(() => IdSet.of(['p1'])).toThrow(/not a Notion id/);
    expect(() => IdSet.decode(IdSet.of([p1]).toJSON().slice(0, 10))).toThrow(/base64/);
    expect(() => IdSet.decode(Buffer.concat([Buffer.from(p2.replace(/-/g, ''), 'hex'), Buffer.from(p1.replace(/-/g, ''), 'hex')]).toString('base64'))).toThrow(/sorted/);
  });

  it('sorts many random ids as a string sort does, merges additions and removals, lists what another set lacks', () => {
    const ids = Array.from({ length: 5000 }, () => crypto.randomUUID());
    const set = IdSet.of(ids);
    expect([...set]).toEqual([...new Set(ids)].sort());
    const added = Array.from({ length: 300 }, () => crypto.randomUUID());
    const removed = [ids[0]!, ids[17]!, added[5]!];
    const merged = set.with(IdSet.of(added), IdSet.of(removed));
    expect([...merged]).toEqual([...new Set([...ids, ...added])].filter((id) => !removed.includes(id)).sort());
    expect([...set.minus(merged)]).toEqual([ids[0]!, ids[17]!].sort());
    expect([...IdSet.empty().with(set)]).toEqual([...set]);
  });

  it('gives its base64 in pieces of whole ids whose concatenation is toJSON()', () => {
    for (const n of [0, 1, 2, 3, 4, 7, 10]) {
      const set = IdSet.of(Array.from({ length: n }, (_, i) => pid(i + 1)));
      for (const per of [1, 2, 3, 4, 6, 100]) {
        const pieces = [...set.base64Pieces(per)];
        expect(pieces.join('')).toBe(set.toJSON());
        for (const piece of pieces.slice(0, -1)) expect(piece.endsWith('=')).toBe(false);
        if (n > 3 && per <= 3) expect(pieces.length).toBeGreaterThan(1);
      }
    }
  });

  it('sorts ids that share their first bytes (large buckets) as a string sort does', () => {
    const ids = Array.from({ length: 500 }, (_, i) => `e0000000-0000-4000-8000-${((i * 7919) % 100_003).toString(16).padStart(12, '0')}`);
    expect([...IdSet.of([...ids, ...ids.slice(0, 50)])]).toEqual([...new Set(ids)].sort());
  });
});

describe('nextState', () => {
  const previous: SyncState = {
    notion_stream: 2,
    bookmarks: {
      aaaa: { table: 't', watermark: '2024-05-01T10:00:00.000Z', properties: {}, ids: IdSet.of([p1, p2, p3]), reconciledAt: '2024-04-01T00:00:00.000Z' },
      bbbb: { table: 'other', watermark: '2024-05-01T10:00:00.000Z', properties: {}, ids: IdSet.of([q1]) },
    },
  };

  it('adds read ids, removes deleted ones, moves the watermark forward only, keeps other bookmarks', () => {
    const next = nextState(previous, new Map([['AA-AA', run({ read: [p4, p1], deleted: [p2], latestEdit: '2024-05-02T00:00:00.000Z' })]]));
    expect(next.bookmarks.aaaa).toMatchObject({ watermark: '2024-05-02T00:00:00.000Z', reconciledAt: '2024-04-01T00:00:00.000Z', checkedAt: '2024-06-01T00:00:00.000Z' });
    expect([...next.bookmarks.aaaa!.ids!]).toEqual([p1, p3, p4]);
    expect(next.bookmarks.bbbb).toEqual(previous.bookmarks.bbbb);
    const quiet = nextState(previous, new Map([['aaaa', run({ latestEdit: undefined })]]));
    expect(quiet.bookmarks.aaaa!.watermark).toBe('2024-05-01T10:00:00.000Z');
  });

  it('a full read starts over: only the ids read, its own watermark and reconciliation time', () => {
    const next = nextState(previous, new Map([['aaaa', run({ full: true, read: [p9], latestEdit: '2024-01-01T00:00:00.000Z', reconciledAt: '2024-06-01T00:00:00.000Z' })]]));
    expect(next.bookmarks.aaaa).toMatchObject({ watermark: '2024-01-01T00:00:00.000Z', reconciledAt: '2024-06-01T00:00:00.000Z' });
    expect([...next.bookmarks.aaaa!.ids!]).toEqual([p9]);
  });

  it('for a warehouse keeps no ids, in the bookmarks it writes or the ones it carries over', () => {
    const next = nextState(previous, new Map([['aaaa', run({ read: [p4], latestEdit: '2024-05-02T00:00:00.000Z' })]]), { ids: false });
    expect(next.notion_stream).toBe(2);
    expect(next.bookmarks.aaaa).not.toHaveProperty('ids');
    expect(next.bookmarks.bbbb).not.toHaveProperty('ids');
    expect(JSON.stringify(next)).not.toContain('"ids"');
  });

  it('writes ids as one base64 string that reads back (format 2)', () => {
    const next = nextState(previous, new Map([['aaaa', run({ read: [p4] })]]));
    const json = JSON.parse(JSON.stringify(next));
    expect(json.notion_stream).toBe(2);
    expect(typeof json.bookmarks.aaaa.ids).toBe('string');
    expect([...parseState(json, 'x')!.bookmarks.aaaa!.ids!]).toEqual([p1, p2, p3, p4]);
  });
});

describe('parseState', () => {
  it('accepts a state, refuses anything else with the fix', () => {
    expect(parseState(undefined, 'x')).toBeUndefined();
    expect(parseState({ notion_stream: 2, bookmarks: { 'AA-aa': { table: 't', properties: {} } } }, 'x')!.bookmarks).toHaveProperty('aaaa');
    expect(() => parseState({ bookmarks: {} }, 'state.json')).toThrow(/state\.json.*--full-refresh/);
    expect(() => parseState({ notion_stream: 3, bookmarks: {} }, 'x')).toThrow(/format 3, expected 2/);
    expect(() => parseState({ notion_stream: 2, bookmarks: { a: { table: 't', properties: {}, watermark: 'yesterday' } } }, 'x')).toThrow(/watermark/);
    expect(() => parseState({ notion_stream: 2, bookmarks: { a: { table: 't', properties: {}, ids: [p1] } } }, 'x')).toThrow(/not a string/);
    expect(() => parseState({ notion_stream: 2, bookmarks: { a: { table: 't', properties: {}, ids: 'x' } } }, 'x')).toThrow(/page ids of data source a/);
  });

  it('reads a format-1 state (ids as an array of dashed strings) as format 2; drops the ids unread when asked', () => {
    const old = { notion_stream: 1, bookmarks: { aaaa: { table: 't', watermark: '2024-05-01T10:00:00.000Z', properties: { title: { name: 'Name', type: 'title', column: 'name' } }, ids: [p3, p1] } } };
    const state = parseState(old, 'x')!;
    expect(state.notion_stream).toBe(2);
    expect(state.bookmarks.aaaa).toMatchObject({ table: 't', watermark: '2024-05-01T10:00:00.000Z', properties: { title: { column: 'name' } } });
    expect([...state.bookmarks.aaaa!.ids!]).toEqual([p1, p3]);
    expect(parseState(old, 'x', { ids: false })!.bookmarks.aaaa).not.toHaveProperty('ids');
    expect(() => parseState({ notion_stream: 1, bookmarks: { a: { table: 't', properties: {} } } }, 'x')).toThrow(/not an array/);
    expect(() => parseState({ notion_stream: 1, bookmarks: { a: { table: 't', properties: {}, ids: ['p1'] } } }, 'x')).toThrow(/not a Notion id/);
  });
});

describe('durations and due reconciliations', () => {
  it('parses number + unit, refuses the rest', () => {
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(() => parseDuration('7')).toThrow(/unit/);
    expect(() => parseDuration('0d')).toThrow();
  });

  it('is due when never reconciled or older than the period', () => {
    const now = Date.parse('2024-06-10T00:00:00.000Z');
    const b = { table: 't', properties: {}, reconciledAt: '2024-06-01T00:00:00.000Z' };
    expect(reconcileDue(b, 7 * 86_400_000, now)).toBe(true);
    expect(reconcileDue(b, 10 * 86_400_000, now)).toBe(false);
    expect(reconcileDue({ ...b, reconciledAt: undefined }, 10 * 86_400_000, now)).toBe(true);
    expect(reconcileDue(b, undefined, now)).toBe(false);
  });

  it('the trash search looks back to the oldest run start, less the clock margin', () => {
    const since = trashSearchSince([
      { table: 'a', properties: {}, watermark: '2024-06-01T12:00:00.000Z', checkedAt: '2024-06-01T11:00:00.000Z' },
      { table: 'b', properties: {}, watermark: '2024-06-02T00:00:00.000Z', checkedAt: '2024-06-02T00:00:00.000Z' },
    ]);
    expect(since).toBe(new Date(Date.parse('2024-06-01T11:00:00.000Z') - CLOCK_MARGIN_MS).toISOString());
    expect(trashSearchSince([{ table: 'a', properties: {} }])).toBeUndefined();
  });
});

describe('state file', () => {
  it('writes a state in pieces that join to its JSON, a large IdSet as pieces of base64, never one string', () => {
    const many = IdSet.of(Array.from({ length: 500_000 }, (_, i) => pid(i + 1)));
    const value = { notion_stream: 2, bookmarks: { a: { table: 't', ids: many, note: 'notion-stream-ids-0-', skip: undefined }, b: { ids: IdSet.of([p1]), list: [1, IdSet.empty(), null] } } };
    const pieces = [...jsonPieces(value)];
    expect(pieces.join('')).toBe(JSON.stringify(value));
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(4 * 2 ** 20); // the 10.7 MB of base64 came in pieces
  });


  it('writes atomically and reads back a value, a STATE message, or the last STATE of Singer NDJSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ns-state-'));
    const path = join(dir, 'state.json');
    expect(await readStateFile(path)).toBeUndefined();
    await writeStateFile(path, { notion_stream: 1, bookmarks: {} });
    expect(await readdir(dir)).toEqual(['state.json']); // no temporary file left
    expect(await readStateFile(path)).toEqual({ notion_stream: 1, bookmarks: {} });
    await writeFile(path, '{"type":"SCHEMA","stream":"t","schema":{},"key_properties":[]}\n{"type":"STATE","value":1}\n{"type":"STATE","value":2}\n');
    expect(await readStateFile(path)).toBe(2);
    await writeFile(path, '{"type":"STATE","value":{"a":1}}');
    expect(await readStateFile(path)).toEqual({ a: 1 });
    await writeFile(path, 'not json');
    await expect(readStateFile(path)).rejects.toThrow(/not JSON/);
  });

  it('reads Singer NDJSON a line at a time (the last STATE counts), a value over several lines whole, and names a broken line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ns-state-'));
    const path = join(dir, 'out.ndjson');
    const record = (i: number) => JSON.stringify({ type: 'RECORD', stream: 't', record: { id: i, text: 'x'.repeat(200) } });
    const lines = ['{"type":"SCHEMA","stream":"t","schema":{},"key_properties":[]}'];
    for (let i = 0; i < 20_000; i++) lines.push(record(i), ...(i % 5000 === 0 ? [JSON.stringify({ type: 'STATE', value: { at: i } })] : []));
    await writeFile(path, `${lines.join('\r\n')}\r\n\n`);
    expect(await readStateFile(path)).toEqual({ at: 15_000 });
    await expect(readStateFile(path, AbortSignal.abort())).rejects.toMatchObject({ code: 'aborted' });
    await writeFile(path, JSON.stringify({ notion_stream: 2, bookmarks: { a: { table: 't' } } }, null, 2));
    expect(await readStateFile(path)).toEqual({ notion_stream: 2, bookmarks: { a: { table: 't' } } });
    await writeFile(path, `${lines.slice(0, 2).join('\n')}\n{"type":"RECORD",\n`);
    await expect(readStateFile(path)).rejects.toThrow(/not JSON \(line 3\)/);
    await writeFile(path, '{\n"a": }');
    await expect(readStateFile(path)).rejects.toThrow(/not JSON \(line 1\)/);
    await writeFile(path, `${[lines[0], lines[1], lines[3]].join('\n')}\n`);
    await expect(readStateFile(path)).rejects.toThrow(/several JSON values but no STATE/);
    await expect(readStateFile(dir)).rejects.toMatchObject({ code: 'io_error' });
  });
});
