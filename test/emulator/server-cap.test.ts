import { describe, expect, it } from 'vitest';
import { at, DS_ID, rowsWorkspace, start } from './fixtures.js';

async function readAll(notion: any, pageSize: number, body: Record<string, unknown> = {}): Promise<{ ids: string[]; responses: any[] }> {
  const responses: any[] = [];
  let cursor: string | undefined;
  do {
    const res = await notion.dataSources.query({ data_source_id: DS_ID, page_size: pageSize, ...body, ...(cursor ? { start_cursor: cursor } : {}) });
    responses.push(res);
    cursor = res.next_cursor ?? undefined;
  } while (cursor);
  return { ids: responses.flatMap((r) => r.results.map((p: any) => p.id)), responses };
}

describe('the query result cap', () => {
  it('stops at a lowered limit with request_status incomplete on the page that reaches it', async () => {
    const { notion } = await start(rowsWorkspace(25), { queryResultLimit: 10 });
    const { ids, responses } = await readAll(notion, 4);
    expect(ids).toHaveLength(10);
    expect(responses.map((r) => r.results.length)).toEqual([4, 4, 2]);
    const last = responses.at(-1);
    expect(last.has_more).toBe(false);
    expect(last.next_cursor).toBeNull();
    expect(last.request_status).toEqual({ type: 'incomplete', incomplete_reason: 'query_result_limit_reached' });
    for (const r of responses.slice(0, -1)) expect(r.request_status).toBeUndefined();
  });

  it('carries no request_status when the results end exactly at the limit', async () => {
    const { notion } = await start(rowsWorkspace(10), { queryResultLimit: 10 });
    const { ids, responses } = await readAll(notion, 5);
    expect(ids).toHaveLength(10);
    expect(responses.at(-1).request_status).toBeUndefined();
  });

  it('is per query: a created_time window reads past it', async () => {
    const { notion } = await start(rowsWorkspace(25), { queryResultLimit: 10 });
    const first = await readAll(notion, 100, { sorts: [{ timestamp: 'created_time', direction: 'ascending' }] });
    expect(first.ids).toHaveLength(10);
    expect(first.responses[0].request_status?.type).toBe('incomplete');
    const second = await readAll(notion, 100, {
      sorts: [{ timestamp: 'created_time', direction: 'ascending' }],
      filter: { timestamp: 'created_time', created_time: { after: at(10) } },
    });
    expect(second.ids).toHaveLength(10);
    expect(second.ids[0]).not.toBe(first.ids[0]);
    expect(new Set([...first.ids, ...second.ids]).size).toBe(20);
  });

  it('caps at 10,000 of 10,050 pages by default', async () => {
    const { notion } = await start(rowsWorkspace(10_050));
    const { ids, responses } = await readAll(notion, 100);
    expect(responses).toHaveLength(100);
    expect(ids).toHaveLength(10_000);
    expect(new Set(ids).size).toBe(10_000);
    const last = responses.at(-1);
    expect(last.has_more).toBe(false);
    expect(last.next_cursor).toBeNull();
    expect(last.request_status).toEqual({ type: 'incomplete', incomplete_reason: 'query_result_limit_reached' });
    expect(responses[98].has_more).toBe(true);
  }, 60_000);
});
