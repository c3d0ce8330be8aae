/**
 * A server that answers `has_more: true` with the cursor it was asked with: the reader must stop with a
 * clear error instead of looping forever. A small HTTP server plays Notion (the emulator never does this).
 */
import { createServer } from 'node:http';
import { once } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { NotionApi } from '../../src/notion/api.js';
import { queryAllRows } from '../../src/stages/read-pages.js';

const page = (n: number) => ({ object: 'page', id: `0000000${n}-0000-0000-0000-000000000000`, created_time: '2025-01-01T00:00:00.000Z', last_edited_time: '2025-01-01T00:00:00.000Z', properties: {} });
let requests = 0;
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    requests++;
    const cursor = body ? (JSON.parse(body).start_cursor as string | undefined) : undefined;
    res.writeHead(200, { 'content-type': 'application/json' });
    // First page: cursor "c1"; every later page: "c1" again.
    res.end(JSON.stringify({ object: 'list', results: [page(requests)], has_more: true, next_cursor: 'c1', type: 'page_or_data_source', page_or_data_source: {}, request_id: String(requests), _asked: cursor ?? null }));
  });
});
let url = '';
beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => server.close());

it('has_more with the same cursor again stops the read with a clear error', async () => {
  const api = new NotionApi({ token: 'secret_x', baseUrl: url, rateLimit: 1000 });
  const rows: unknown[] = [];
  await expect(
    (async () => {
      for await (const row of queryAllRows(api, 'ds1')) rows.push(row);
    })(),
  ).rejects.toMatchObject({ code: 'notion_error', message: expect.stringMatching(/data source ds1 with has_more and the same cursor it was asked with \(c1\).*stopped/) });
  // The first page, the range reader's one-row probe for the last created_time, and the repeat: then it stops.
  expect(requests).toBeLessThanOrEqual(3);
});
