import { APIErrorCode, Client, isNotionClientError, UnknownHTTPResponseError } from '@notionhq/client';
import { describe, expect, it } from 'vitest';
import { DS_ID, failure, rowsWorkspace, start } from './fixtures.js';

describe('fault injection', () => {
  it.each([
    ['rate_limited', 429, 'rate_limited'],
    ['service_overload', 529, 'service_overload'],
    ['internal_server_error', 500, 'internal_server_error'],
    ['service_unavailable', 503, 'service_unavailable'],
    ['gateway_timeout', 504, 'gateway_timeout'],
  ] as const)('%s answers %i with code %s, once by default', async (kind, status, code) => {
    const { emu, notion } = await start(rowsWorkspace(2));
    emu.inject({ endpoint: 'data_sources.query', kind });
    const err = await failure(notion.dataSources.query({ data_source_id: DS_ID }));
    expect(isNotionClientError(err)).toBe(true);
    expect(err.status).toBe(status);
    expect(err.code).toBe(code);
    expect(JSON.parse(err.body).request_id).toMatch(/^[0-9a-f-]{36}$/);
    const ok: any = await notion.dataSources.query({ data_source_id: DS_ID });
    expect(ok.results).toHaveLength(2);
    expect(emu.log.map((e) => [e.endpoint, e.status, e.fault])).toEqual([
      ['data_sources.query', status, kind],
      ['data_sources.query', 200, undefined],
    ]);
    expect(emu.counters().faults).toBe(1);
  });

  it('rate_limited carries a long Retry-After when asked', async () => {
    const { emu, notion } = await start(rowsWorkspace(1));
    emu.inject({ kind: 'rate_limited', retryAfterSeconds: 400 });
    const err = await failure(notion.users.list({}));
    expect(err.code).toBe(APIErrorCode.RateLimited);
    expect(err.headers.get('retry-after')).toBe('400');
    expect(err.additional_data.retry_after).toBe('400');
    expect(emu.counters().rateLimited).toBe(1);
    emu.inject({ kind: 'service_overload', retryAfterSeconds: 7 });
    const overload = await failure(notion.users.list({}));
    expect(overload.headers.get('retry-after')).toBe('7');
  });

  it('bad_gateway_html answers an HTML 502 the SDK cannot parse', async () => {
    const { emu, notion } = await start(rowsWorkspace(1));
    emu.inject({ kind: 'bad_gateway_html', endpoint: 'search' });
    const err = await failure(notion.search({}));
    expect(UnknownHTTPResponseError.isUnknownHTTPResponseError(err)).toBe(true);
    expect(err.status).toBe(502);
    expect(err.headers.get('content-type')).toContain('text/html');
    expect(err.body).toContain('502 Bad Gateway');
  });

  it('reset destroys the socket without an answer', async () => {
    const { emu, notion } = await start(rowsWorkspace(1));
    emu.inject({ kind: 'reset', endpoint: 'users.list' });
    await expect(notion.users.list({})).rejects.toThrow();
    expect(emu.log[0]).toMatchObject({ endpoint: 'users.list', status: 0, fault: 'reset' });
    await notion.users.list({});
  });

  it('hang never answers until the client gives up, and close() ends it promptly', async () => {
    const { emu } = await start(rowsWorkspace(1));
    emu.inject({ kind: 'hang' });
    const impatient = new Client({ auth: emu.token, baseUrl: emu.url, retry: false, timeoutMs: 200, logger: () => {} });
    const err = await failure(impatient.users.list({}));
    expect(err.code).toBe('notionhq_client_request_timeout');
    emu.inject({ kind: 'hang' });
    const pending = fetch(`${emu.url}/v1/users`, { headers: { authorization: `Bearer ${emu.token}`, 'notion-version': '2025-09-03' } });
    const settled = pending.then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await emu.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await settled).toBe('failed');
    expect(emu.log.filter((e) => e.fault === 'hang')).toHaveLength(2);
  });

  it('expired_cursor fires only on requests that carry a cursor', async () => {
    const { emu, notion } = await start(rowsWorkspace(5));
    emu.inject({ kind: 'expired_cursor', endpoint: 'data_sources.query' });
    const first: any = await notion.dataSources.query({ data_source_id: DS_ID, page_size: 2 });
    expect(first.results).toHaveLength(2);
    const err = await failure(notion.dataSources.query({ data_source_id: DS_ID, page_size: 2, start_cursor: first.next_cursor }));
    expect(err.status).toBe(400);
    expect(err.code).toBe('validation_error');
    expect(err.message).toBe(`The start_cursor provided is invalid: ${first.next_cursor}`);
    const retry: any = await notion.dataSources.query({ data_source_id: DS_ID, page_size: 2, start_cursor: first.next_cursor });
    expect(retry.results).toHaveLength(2);
  });

  it('matches endpoint and method, lets `after` requests pass, and fires `count` times', async () => {
    const { emu, notion } = await start(rowsWorkspace(1));
    emu.inject({ endpoint: 'users.list', method: 'get', kind: 'internal_server_error', after: 2, count: 2 });
    const outcomes: number[] = [];
    for (let i = 0; i < 6; i++) {
      outcomes.push(await notion.users.list({}).then(() => 200, (e: any) => e.status));
      await notion.search({}); // another endpoint: never matched, never counted
    }
    expect(outcomes).toEqual([200, 200, 500, 500, 200, 200]);
    emu.inject({ kind: 'service_unavailable', count: Infinity, method: 'POST' });
    await expect(notion.search({})).rejects.toMatchObject({ status: 503 });
    await expect(notion.search({})).rejects.toMatchObject({ status: 503 });
    await notion.users.list({});
    emu.clearFaults();
    await notion.search({});
  });

  it('fires with a probability from a seeded PRNG, repeatably', async () => {
    const run = async (): Promise<number[]> => {
      const { emu, notion } = await start(rowsWorkspace(1));
      emu.inject({ kind: 'service_unavailable', probability: 0.3, count: Infinity });
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) statuses.push(await notion.users.list({}).then(() => 200, (e: any) => e.status));
      return statuses;
    };
    const a = await run();
    const b = await run();
    expect(a).toEqual(b);
    const failures = a.filter((s) => s === 503).length;
    expect(failures).toBeGreaterThan(3);
    expect(failures).toBeLessThan(25);
  });

  it('adds latency when asked and resets the log', async () => {
    const { emu, notion } = await start(rowsWorkspace(1), { latencyMs: 120 });
    const t0 = Date.now();
    await notion.users.list({});
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
    expect(emu.counters().requests).toBe(1);
    emu.resetLog();
    expect(emu.log).toHaveLength(0);
    await notion.dataSources.query({ data_source_id: DS_ID });
    expect(emu.log[0]).toMatchObject({ method: 'POST', path: `/v1/data_sources/${DS_ID}/query`, endpoint: 'data_sources.query', status: 200 });
    expect(emu.counters()).toEqual({
      requests: 1,
      byEndpoint: { 'data_sources.query': 1 },
      byStatus: { '200': 1 },
      rateLimited: 0,
      faults: 0,
    });
  });
});
