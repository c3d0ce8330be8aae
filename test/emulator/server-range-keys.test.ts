/** Sorting and range filters on number and date properties, as the page reader's third key uses them. */
import { describe, expect, it } from 'vitest';
import { generateWorkspace } from '../../src/emulator/generate.js';
import type { Workspace } from '../../src/emulator/workspace.js';
import { start } from './fixtures.js';

/** 60 rows of one bulk import: Points 0..9 six times each, every 5th row empty; Date by day, some empty. */
function workspace(): Workspace {
  const ws = generateWorkspace({ seed: 2, users: 3, databases: [{ title: 'Import', dataSources: [{ title: 'Import', pages: 60, kind: 'simple', content: false, pagesPerMinute: 60, edited: 'created' }] }] });
  ws.pages.forEach((p, i) => {
    (p.properties.Points as unknown as { number: number | null }).number = i % 5 === 4 ? null : i % 10;
    const starts = [null, '2024-05-01', '2024-05-01T23:30:00.000-02:00', '2024-05-02T01:00:00.000+05:00', '2024-04-30', '2024-05-03T12:00:00.000Z'];
    const start = starts[i % starts.length]!;
    (p.properties.Date as unknown as { date: unknown }).date = start === null ? null : { start, end: null, time_zone: null };
  });
  return ws;
}

async function all(notion: any, dataSourceId: string, body: Record<string, unknown>): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | undefined;
  do {
    const res = await notion.dataSources.query({ data_source_id: dataSourceId, page_size: 7, ...body, ...(cursor ? { start_cursor: cursor } : {}) });
    out.push(...res.results);
    cursor = res.next_cursor ?? undefined;
  } while (cursor);
  return out;
}

const points = (p: any): number | null => p.properties.Points.number;
const start_ = (p: any): string | null => p.properties.Date.date?.start ?? null;

describe('number and date properties as range keys', () => {
  it('an ascending number sort puts empty values last, ties in a stable order', async () => {
    const ws = workspace();
    const { notion } = await start(ws);
    const id = ws.dataSources[0]!.id;
    const rows = await all(notion, id, { sorts: [{ property: 'Points', direction: 'ascending' }] });
    const values = rows.map(points);
    const filled = values.filter((v) => v !== null) as number[];
    expect(filled).toEqual([...filled].sort((a, b) => a - b));
    expect(values.slice(filled.length).every((v) => v === null)).toBe(true);
    expect(values.filter((v) => v === null)).toHaveLength(12);
    const again = await all(notion, id, { sorts: [{ property: 'Points', direction: 'ascending' }] });
    expect(again.map((p) => p.id)).toEqual(rows.map((p) => p.id));
  });

  it('greater_than_or_equal_to leaves out empty values, is_empty selects them alone: together every row once', async () => {
    const ws = workspace();
    const { notion } = await start(ws);
    const id = ws.dataSources[0]!.id;
    const atLeast = await all(notion, id, { filter: { property: 'Points', number: { greater_than_or_equal_to: 3 } } });
    const empty = await all(notion, id, { filter: { property: 'Points', number: { is_empty: true } } });
    const below = await all(notion, id, { filter: { property: 'Points', number: { less_than: 3 } } });
    expect(atLeast.every((p) => points(p)! >= 3)).toBe(true);
    expect(empty.every((p) => points(p) === null)).toBe(true);
    const ids = [...atLeast, ...empty, ...below].map((p) => p.id);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
  });

  it('a date sort orders by the start instant, empties last; on_or_after a day takes whole UTC days of the start', async () => {
    const ws = workspace();
    const { notion } = await start(ws);
    const id = ws.dataSources[0]!.id;
    const sorted = await all(notion, id, { sorts: [{ property: 'Date', direction: 'ascending' }] });
    const instants = sorted.map(start_).filter((s) => s !== null).map((s) => Date.parse(s!));
    expect(instants).toEqual([...instants].sort((a, b) => a - b));
    expect(sorted.slice(instants.length).every((p) => start_(p) === null)).toBe(true);
    const fromDay = await all(notion, id, { filter: { property: 'Date', date: { on_or_after: '2024-05-02' } } });
    // 2024-05-01T23:30-02:00 and 2024-05-02T01:00+05:00 are 2024-05-02T01:30Z and 2024-05-01T20:00Z.
    expect(new Set(fromDay.map(start_))).toEqual(new Set(['2024-05-01T23:30:00.000-02:00', '2024-05-03T12:00:00.000Z']));
    const empty = await all(notion, id, { filter: { property: 'Date', date: { is_empty: true } } });
    expect(empty).toHaveLength(10);
  });
});
