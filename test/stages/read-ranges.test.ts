/** Parallel created_time ranges inside one data source, against the emulator over HTTP. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateWorkspace } from '../../src/emulator/generate.js';
import { startEmulator, type Emulator, type FaultSpec } from '../../src/emulator/server.js';
import { NotionApi } from '../../src/index.js';
import type { NotionPage } from '../../src/notion/types.js';
import { queryWindowed } from '../../src/stages/query-window.js';
import { QuerySlots, readRanges, type ReadRangesOptions } from '../../src/stages/read-ranges.js';

let emu: Emulator | undefined;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ranges-test-'));
});
afterEach(async () => {
  await emu?.close();
  emu = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** One data source of `pages` rows, `perMinute` created in each minute. */
async function serve(pages: number, perMinute: number, queryResultLimit?: number) {
  const workspace = generateWorkspace({ seed: 3, users: 3, databases: [{ title: 'Rows', dataSources: [{ title: 'Rows', pages, kind: 'simple', content: false, pagesPerMinute: perMinute }] }] });
  emu = await startEmulator({ workspace, rateLimit: false, ...(queryResultLimit ? { queryResultLimit } : {}) });
  return workspace.dataSources[0]!.id;
}

function api(): NotionApi {
  return new NotionApi({ token: emu!.token, baseUrl: emu!.url, rateLimit: 1000, backoffBaseMs: 1 });
}

async function ids(rows: AsyncIterable<NotionPage>): Promise<string[]> {
  const out: string[] = [];
  for await (const row of rows) out.push(row.id);
  return out;
}

/** What one plain sequential query loop returns: the order every parallel read must reproduce. */
async function sequential(dataSourceId: string): Promise<string[]> {
  return ids(queryWindowed(api(), dataSourceId, { timestamp: 'created_time' }));
}

/** Many readers at latency 0: cuts small ranges so splits happen often. */
function parallel(a: NotionApi, extra: ReadRangesOptions = {}): ReadRangesOptions {
  return { pageSize: 20, minSplitRows: 30, spoolItems: 5, spoolDir: dir, slots: new QuerySlots(a, { min: 6 }), ...extra };
}

/** Distinct lower bounds the queries used: more than one means the data source was cut into ranges. */
function rangeStarts(): Set<string> {
  const starts = new Set<string>();
  for (const l of emu!.log) {
    const f = (l.body as { filter?: { and?: { created_time?: { on_or_after?: string } }[]; created_time?: { on_or_after?: string } } } | undefined)?.filter;
    const from = f?.created_time?.on_or_after ?? f?.and?.[0]?.created_time?.on_or_after;
    if (l.endpoint === 'data_sources.query' && from) starts.add(from);
  }
  return starts;
}

describe('readRanges', () => {
  it('reads every row exactly once, in the order of one sequential query, across many range cuts', async () => {
    const id = await serve(1500, 3);
    const expected = await sequential(id);
    const a = api();
    const got = await ids(readRanges(a, id, parallel(a)));
    expect(rangeStarts().size).toBeGreaterThan(5);
    expect(new Set(got).size).toBe(1500);
    expect(got).toEqual(expected);
    expect(await readdir(dir)).toEqual([]);
  });

  it('never splits a minute: many rows per minute land on range boundaries exactly once', async () => {
    const id = await serve(1200, 37);
    const expected = await sequential(id);
    const a = api();
    const got = await ids(readRanges(a, id, parallel(a, { minSplitRows: 10 })));
    expect(rangeStarts().size).toBeGreaterThan(3);
    expect(got).toEqual(expected);
  });

  it('keeps the result cap and expired cursors per range, and survives server faults, with the same output', async () => {
    const id = await serve(1500, 4, 130);
    const expected = await sequential(id);
    const faults: FaultSpec[] = [
      { endpoint: 'data_sources.query', kind: 'expired_cursor', probability: 0.1, count: Infinity },
      { endpoint: 'data_sources.query', kind: 'internal_server_error', probability: 0.1, count: Infinity },
      { endpoint: 'data_sources.query', kind: 'gateway_timeout', probability: 0.05, count: Infinity },
    ];
    for (const f of faults) emu!.inject(f);
    const a = api();
    const got = await ids(readRanges(a, id, parallel(a)));
    expect(emu!.log.filter((l) => l.fault).length).toBeGreaterThan(5);
    expect(rangeStarts().size).toBeGreaterThan(5);
    expect(got).toEqual(expected);
  });

  it('an abort stops every reader and leaves no spool file', async () => {
    const id = await serve(1500, 3);
    const a = api();
    const controller = new AbortController();
    let n = 0;
    await expect(
      (async () => {
        for await (const _row of readRanges(a, id, parallel(a, { signal: controller.signal }))) if (++n === 200) controller.abort();
      })(),
    ).rejects.toMatchObject({ code: 'aborted' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('with one query slot it makes the minimum requests plus one probe', async () => {
    const id = await serve(1000, 3);
    const a = api();
    const got = await ids(readRanges(a, id, { slots: new QuerySlots(a, { max: 1 }) }));
    expect(got).toHaveLength(1000);
    expect(a.stats.requests).toBe(10 + 1);
  });
});
