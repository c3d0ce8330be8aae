/** A segment upload through the real client: an aborted run must close the upload's connection. */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBigQueryClient } from '../../../src/sinks/bigquery/client.js';
import { SegmentUpload } from '../../../src/sinks/bigquery/upload.js';

beforeAll(() => {
  process.env.METADATA_SERVER_DETECTION = 'none';
});

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = undefined;
});

/** A server that takes an upload's body forever and notes when the client closes the connection. */
async function holdingServer() {
  const seen = { bytes: 0, closed: false, uploads: 0 };
  server = createServer((req) => {
    if (req.url?.startsWith('/upload/')) seen.uploads++;
    req.on('data', (chunk: Buffer) => (seen.bytes += chunk.length));
    req.on('close', () => (seen.closed = true));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function until(condition: () => boolean): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > 5_000) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('SegmentUpload', () => {
  it('abort() closes the connection of an upload still being sent', async () => {
    const { url, seen } = await holdingServer();
    const client = createBigQueryClient({ projectId: 'p', location: 'US', endpoint: url });
    const table = client.dataset('d', { location: 'US' }).table('t');
    const spoolPath = join(await mkdtemp(join(tmpdir(), 'upload-test-')), 'segment.ndjson');
    const segment = new SegmentUpload({ client, table, tableName: 't', jobId: 'job_1', fields: [{ name: 'a', type: 'STRING' }], spoolPath });
    for (let i = 0; i < 2_000; i++) await segment.write(JSON.stringify({ a: `row ${i} ${'x'.repeat(40)}` }));
    await until(() => seen.bytes > 0);
    expect(seen.uploads).toBe(1);
    expect(seen.closed).toBe(false);
    segment.abort();
    await until(() => seen.closed);
    expect(seen.closed).toBe(true);
    await until(() => !existsSync(spoolPath)); // the spool goes with it
  });
});
