import { APIErrorCode, Client } from '@notionhq/client';
import { describe, expect, it } from 'vitest';
import { failure, raw, rowsWorkspace, start } from './fixtures.js';

describe('rate limiting', () => {
  it('answers 429 with Retry-After once the burst is spent', async () => {
    const { emu, notion } = await start(rowsWorkspace(1), { rateLimit: { perSecond: 0.5, burst: 3 } });
    for (let i = 0; i < 3; i++) await notion.users.list({});
    const err = await failure(notion.users.list({}));
    expect(err.status).toBe(429);
    expect(err.code).toBe(APIErrorCode.RateLimited);
    expect(err.message).toBe('You have been rated limited. Please try again in a few minutes.');
    expect(err.headers.get('retry-after')).toBe('2');
    expect(err.additional_data).toEqual({ rate_limit_reason: expect.any(String), retry_after: '2' });
    const body = JSON.parse(err.body);
    expect(body).toMatchObject({ object: 'error', status: 429, code: 'rate_limited' });
    expect(body.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(emu.counters().rateLimited).toBe(1);
    expect(emu.counters().byStatus).toEqual({ '200': 3, '429': 1 });
  });

  it('does not charge rejected requests: the bucket refills at the configured rate', async () => {
    // One token a second: the five rejections come well within it, even on a loaded machine.
    const { emu, notion } = await start(rowsWorkspace(1), { rateLimit: { perSecond: 1, burst: 2 } });
    await notion.users.list({});
    await notion.users.list({});
    for (let i = 0; i < 5; i++) await expect(notion.users.list({})).rejects.toMatchObject({ status: 429 });
    await new Promise((r) => setTimeout(r, 1100));
    await notion.users.list({}); // one token refilled in a second, not eaten by the five rejections
    expect(emu.counters().rateLimited).toBe(5);
  });

  it('limits per token and defaults to a small burst at 3 requests/s', async () => {
    const { emu } = await start(rowsWorkspace(1), { rateLimit: undefined as never });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await raw(emu, '/v1/users')).status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(10);
    expect(statuses.at(-1)).toBe(429);
    // a request with another (invalid) token is not rate limited but refused
    const other = new Client({ auth: 'secret_other', baseUrl: emu.url, retry: false, logger: () => {} });
    await expect(other.users.list({})).rejects.toMatchObject({ status: 401 });
  });
});
