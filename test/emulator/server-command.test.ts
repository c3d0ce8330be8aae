import { Client } from '@notionhq/client';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runEmulatorCommand } from '../../src/emulator/server.js';
import { DS_ID, rowsWorkspace, start, TOKEN, uid } from './fixtures.js';

describe('runEmulatorCommand', () => {
  it('serves until stopped and prints the URL and token', async () => {
    const out = new PassThrough();
    let printed = '';
    out.on('data', (c: Buffer) => (printed += c.toString()));
    const stop = new AbortController();
    const running = runEmulatorCommand({ workspace: rowsWorkspace(3), port: 0, rateLimit: false, out, signal: stop.signal });
    while (!printed.includes('NOTION_TOKEN')) await new Promise((r) => setTimeout(r, 10));
    const url = /NOTION_BASE_URL=(\S+)/.exec(printed)?.[1];
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(printed).toContain(`NOTION_TOKEN=${TOKEN}`);
    const notion = new Client({ auth: TOKEN, baseUrl: url!, retry: false, logger: () => {} });
    const res: any = await notion.dataSources.query({ data_source_id: DS_ID });
    expect(res.results).toHaveLength(3);
    stop.abort();
    await running;
    await expect(notion.users.list({})).rejects.toThrow();
  });
});

describe('Notion-Version', () => {
  it('drops the deprecated archived field from 2026-03-11 on', async () => {
    const { emu, notion } = await start(rowsWorkspace(1));
    const old: any = await notion.pages.retrieve({ page_id: uid('e0000000', 1) });
    expect(old.archived).toBe(false);
    const next = new Client({ auth: emu.token, baseUrl: emu.url, retry: false, notionVersion: '2026-03-11', logger: () => {} });
    const page: any = await next.pages.retrieve({ page_id: uid('e0000000', 1) });
    expect(page.in_trash).toBe(false);
    expect('archived' in page).toBe(false);
    const query: any = await next.dataSources.query({ data_source_id: DS_ID });
    expect('archived' in query.results[0]).toBe(false);
    const ds: any = await next.dataSources.retrieve({ data_source_id: DS_ID });
    expect('archived' in ds).toBe(false);
    // the stored workspace is untouched
    const again: any = await notion.pages.retrieve({ page_id: uid('e0000000', 1) });
    expect(again.archived).toBe(false);
  });
});
