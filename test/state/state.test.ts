/** The incremental state: parsing, the next state after a run, durations, and the state file. */
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStateFile, writeStateFile } from '../../src/state/file.js';
import { CLOCK_MARGIN_MS, nextState, parseDuration, parseState, reconcileDue, trashSearchSince, type DataSourceRun, type SyncState } from '../../src/state/state.js';

const run = (over: Partial<DataSourceRun>): DataSourceRun => ({
  table: 't', properties: {}, full: false, read: [], latestEdit: undefined, deleted: [], startedAt: '2024-06-01T00:00:00.000Z', ...over,
});

describe('nextState', () => {
  const previous: SyncState = {
    notion_stream: 1,
    bookmarks: {
      aaaa: { table: 't', watermark: '2024-05-01T10:00:00.000Z', properties: {}, ids: ['p1', 'p2', 'p3'], reconciledAt: '2024-04-01T00:00:00.000Z' },
      bbbb: { table: 'other', watermark: '2024-05-01T10:00:00.000Z', properties: {}, ids: ['q1'] },
    },
  };

  it('adds read ids, removes deleted ones, moves the watermark forward only, keeps other bookmarks', () => {
    const next = nextState(previous, new Map([['AA-AA', run({ read: ['p4', 'p1'], deleted: ['p2'], latestEdit: '2024-05-02T00:00:00.000Z' })]]));
    expect(next.bookmarks.aaaa).toMatchObject({ ids: ['p1', 'p3', 'p4'], watermark: '2024-05-02T00:00:00.000Z', reconciledAt: '2024-04-01T00:00:00.000Z', checkedAt: '2024-06-01T00:00:00.000Z' });
    expect(next.bookmarks.bbbb).toEqual(previous.bookmarks.bbbb);
    const quiet = nextState(previous, new Map([['aaaa', run({ latestEdit: undefined })]]));
    expect(quiet.bookmarks.aaaa!.watermark).toBe('2024-05-01T10:00:00.000Z');
  });

  it('a full read starts over: only the ids read, its own watermark and reconciliation time', () => {
    const next = nextState(previous, new Map([['aaaa', run({ full: true, read: ['p9'], latestEdit: '2024-01-01T00:00:00.000Z', reconciledAt: '2024-06-01T00:00:00.000Z' })]]));
    expect(next.bookmarks.aaaa).toMatchObject({ ids: ['p9'], watermark: '2024-01-01T00:00:00.000Z', reconciledAt: '2024-06-01T00:00:00.000Z' });
  });
});

describe('parseState', () => {
  it('accepts a state, refuses anything else with the fix', () => {
    expect(parseState(undefined, 'x')).toBeUndefined();
    expect(parseState({ notion_stream: 1, bookmarks: { 'AA-aa': { table: 't', properties: {}, ids: [] } } }, 'x')!.bookmarks).toHaveProperty('aaaa');
    expect(() => parseState({ bookmarks: {} }, 'state.json')).toThrow(/state\.json.*--full-refresh/);
    expect(() => parseState({ notion_stream: 1, bookmarks: { a: { table: 't', properties: {}, ids: [], watermark: 'yesterday' } } }, 'x')).toThrow(/watermark/);
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
    const b = { table: 't', properties: {}, ids: [], reconciledAt: '2024-06-01T00:00:00.000Z' };
    expect(reconcileDue(b, 7 * 86_400_000, now)).toBe(true);
    expect(reconcileDue(b, 10 * 86_400_000, now)).toBe(false);
    expect(reconcileDue({ ...b, reconciledAt: undefined }, 10 * 86_400_000, now)).toBe(true);
    expect(reconcileDue(b, undefined, now)).toBe(false);
  });

  it('the trash search looks back to the oldest run start, less the clock margin', () => {
    const since = trashSearchSince([
      { table: 'a', properties: {}, ids: [], watermark: '2024-06-01T12:00:00.000Z', checkedAt: '2024-06-01T11:00:00.000Z' },
      { table: 'b', properties: {}, ids: [], watermark: '2024-06-02T00:00:00.000Z', checkedAt: '2024-06-02T00:00:00.000Z' },
    ]);
    expect(since).toBe(new Date(Date.parse('2024-06-01T11:00:00.000Z') - CLOCK_MARGIN_MS).toISOString());
    expect(trashSearchSince([{ table: 'a', properties: {}, ids: [] }])).toBeUndefined();
  });
});

describe('state file', () => {
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
});
