/**
 * The trash check of an incremental run asks the destination's `HeldIds` about every merged table: as
 * many questions at once as its `concurrency` allows, the answers applied to the right table. Read from the
 * emulator over HTTP; the answers come from a recording `HeldIds`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { scaleWorkspace } from '../../src/emulator/generate.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { NotionApi } from '../../src/notion/api.js';
import type { NotionDataSource } from '../../src/notion/types.js';
import type { HeldIds, HeldQuery } from '../../src/sinks/held-ids.js';
import { flattenStream } from '../../src/stages/flatten.js';
import { listDataSources } from '../../src/stages/list-data-sources.js';
import { readChanges } from '../../src/stages/read-changes.js';
import { stateKey, type SyncState } from '../../src/state/state.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

/** Answers that every table holds the pages asked about; records how many questions were open at once. */
class RecordingHeldIds implements HeldIds {
  inFlight = 0;
  mostInFlight = 0;
  asked: string[] = [];

  constructor(readonly concurrency: number | undefined) {}

  async held(table: string, query: HeldQuery): Promise<Set<string>> {
    this.asked.push(table);
    this.inFlight++;
    this.mostInFlight = Math.max(this.mostInFlight, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 20)); // a query job's round trip
    this.inFlight--;
    return new Set(query.ids);
  }

  async notListed(): Promise<string[]> {
    return [];
  }

  async close(): Promise<void> {}
}

/** One incremental read, consumed through the flattener; returns the new state and what it found. */
async function run(api: NotionApi, dataSources: NotionDataSource[], previous: SyncState | undefined, heldIds: HeldIds) {
  const read = await readChanges(api, dataSources, { previous, heldIds });
  const deletions: string[] = [];
  for await (const message of flattenStream(read.items, { deletions: true, plan: read.plan, onTable: read.onTable })) {
    if (message.type === 'RECORD' && message.record._deleted_at != null) deletions.push(`${message.stream}:${String(message.record.id)}`);
  }
  return { state: read.state(), report: read.report, deletions };
}

describe('the trash check of an incremental run', () => {
  it.each([
    [4, 4],
    [undefined, 1],
  ])('with concurrency %s asks about the merged tables %s at a time, each trashed page deleted from its own table', async (concurrency, most) => {
    const workspace = scaleWorkspace({ dataSources: 5, pagesEach: 20 });
    emu = await startEmulator({ rateLimit: false, workspace });
    const api = new NotionApi({ token: emu.token, baseUrl: emu.url, rateLimit: 10_000 });
    const dataSources: NotionDataSource[] = [];
    for await (const ds of listDataSources(api)) dataSources.push(ds);
    const first = await run(api, dataSources, undefined, new RecordingHeldIds(concurrency));
    expect(first.report.full).toHaveLength(5);

    // One page of the 2nd and one of the 4th data source go to the trash.
    const trashed = [1, 3].map((i) => workspace.pages.find((p) => p.data_source_id === dataSources[i]!.id)!);
    for (const page of trashed) {
      page.in_trash = true;
      page.last_edited_time = new Date(Math.ceil(Date.now() / 60_000) * 60_000).toISOString(); // Notion's minutes
    }
    const held = new RecordingHeldIds(concurrency);
    const second = await run(api, dataSources, first.state, held);
    const tables = dataSources.map((ds) => first.state.bookmarks[stateKey(ds.id)]!.table);
    expect(held.asked).toEqual(tables); // every merged table, once, in order
    expect(held.mostInFlight).toBe(most);
    expect(second.report.trashed).toBe(2);
    expect(second.deletions.sort()).toEqual([`${tables[1]}:${trashed[0]!.id}`, `${tables[3]}:${trashed[1]!.id}`].sort());
  });
});
