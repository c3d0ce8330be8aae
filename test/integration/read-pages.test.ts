/** The page reader as a library stage, against the emulator over HTTP. */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { allTypesIds, allTypesWorkspace } from '../../src/emulator/generate.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { createDataSourceLister, createPageReader, listDataSources, NotionApi, readPages } from '../../src/index.js';

let emu: Emulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

describe('page reader stage', () => {
  it('keeps property completions under the run-wide limit, whatever the data source concurrency', async () => {
    emu = await startEmulator({ workspace: allTypesWorkspace(), rateLimit: false, latencyMs: 30 });
    let inflight = 0;
    let peak = 0;
    const counting: typeof fetch = async (url, init) => {
      const isProperty = String(url).includes('/properties/');
      if (isProperty) peak = Math.max(peak, ++inflight);
      try {
        return await fetch(url, init);
      } finally {
        if (isProperty) inflight--;
      }
    };
    const api = new NotionApi({ token: emu.token, baseUrl: emu.url, rateLimit: 1000, fetch: counting });
    let pages = 0;
    for await (const item of readPages(api, listDataSources(api), { concurrency: 3, completionConcurrency: 2 })) if (item.object === 'page') pages++;
    expect(pages).toBeGreaterThan(100);
    expect(api.stats.completions).toBeGreaterThan(2);
    expect(peak).toBe(2);
  });

  it('runs as Node streams joined with pipeline', async () => {
    const ws = allTypesWorkspace();
    const ids = allTypesIds(ws);
    emu = await startEmulator({ workspace: ws, rateLimit: false });
    const api = new NotionApi({ token: emu.token, baseUrl: emu.url, rateLimit: 1000 });
    const out: any[] = [];
    await pipeline(
      createDataSourceLister(api, { databases: [ids.projectsDatabaseId] }),
      createPageReader(api),
      new Writable({ objectMode: true, write(item, _e, cb) { out.push(item); cb(); } }),
    );
    expect(out[0].object).toBe('data_source');
    expect(out[0].id).toBe(ids.projectsDataSourceId);
    const sixty = out.find((p) => p.id === ids.relation60PageId);
    expect(sixty.properties[ids.relationProperty].relation).toHaveLength(60);
  });

  it('a failure inside the reader reaches pipeline as itself', async () => {
    emu = await startEmulator({ workspace: allTypesWorkspace(), rateLimit: false });
    emu.inject({ endpoint: 'data_sources.query', kind: 'internal_server_error', count: Infinity });
    const api = new NotionApi({ token: emu.token, baseUrl: emu.url, rateLimit: 1000, maxRetries: 0 });
    await expect(
      pipeline(createDataSourceLister(api), createPageReader(api), new Writable({ objectMode: true, write(_i, _e, cb) { cb(); } })),
    ).rejects.toMatchObject({ code: 'retries_exhausted' });
  });

  it('many requests waiting on one run signal raise no listener warning (they are not a leak)', async () => {
    emu = await startEmulator({ workspace: allTypesWorkspace(), rateLimit: false });
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const signal = new AbortController().signal;
      // A slow limiter keeps every concurrent request waiting for its turn on the same signal.
      const api = new NotionApi({ token: emu.token, baseUrl: emu.url, rateLimit: 50, signal });
      await Promise.all(Array.from({ length: 20 }, () => api.search({ page_size: 1 })));
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('stops at once when its signal aborts, with no request after the abort', async () => {
    emu = await startEmulator({ workspace: allTypesWorkspace(), rateLimit: false, latencyMs: 20 });
    const controller = new AbortController();
    // Only the reader gets the signal: the client alone would go on reading every page.
    const api = new NotionApi({ token: emu.token, baseUrl: emu.url, rateLimit: 1000 });
    let requestsAtAbort = 0;
    let items = 0;
    const consumer = new Writable({
      objectMode: true,
      write(_item, _e, cb) {
        if (++items === 5) {
          requestsAtAbort = emu!.log.length;
          controller.abort();
        }
        cb();
      },
    });
    await expect(pipeline(Readable.from(readPages(api, listDataSources(api), { signal: controller.signal })), consumer)).rejects.toMatchObject({ code: 'aborted' });
    await new Promise((r) => setTimeout(r, 200)); // requests the reader would still send would arrive by now
    // At most the requests already in flight (data source queries and property completions, 3 + 3).
    expect(emu.log.length - requestsAtAbort).toBeLessThanOrEqual(6);
  });
});
