import { APIErrorCode, APIResponseError, Client, isNotionClientError } from '@notionhq/client';
import { describe, expect, it } from 'vitest';
import { DB_ID, DS_ID, failure, HIDDEN_DB_ID, HIDDEN_DS_ID, raw, rowsWorkspace, start, uid } from './fixtures.js';

describe('auth and error answers', () => {
  it('answers 401 unauthorized for a wrong or missing token', async () => {
    const { emu } = await start(rowsWorkspace(1));
    const wrong = new Client({ auth: 'secret_wrong', baseUrl: emu.url, retry: false, logger: () => {} });
    const err = await failure(wrong.users.list({}));
    expect(isNotionClientError(err)).toBe(true);
    expect(APIResponseError.isAPIResponseError(err)).toBe(true);
    expect(err.status).toBe(401);
    expect(err.code).toBe(APIErrorCode.Unauthorized);
    expect(err.message).toBe('API token is invalid.');
    const none = await raw(emu, '/v1/users', { headers: { 'notion-version': '2025-09-03' } });
    expect(none.status).toBe(401);
    expect(none.json).toEqual({ object: 'error', status: 401, code: 'unauthorized', message: 'API token is invalid.', request_id: expect.any(String) });
  });

  it('answers 400 missing_version without a Notion-Version header', async () => {
    const { emu } = await start(rowsWorkspace(1));
    const res = await raw(emu, '/v1/users', { headers: { authorization: `Bearer ${emu.token}` } });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('missing_version');
    expect(res.json.message).toBe(
      'Notion-Version header failed validation: Notion-Version header should be defined, instead was `undefined`.',
    );
  });

  it('answers 400 validation_error for malformed ids', async () => {
    const { notion } = await start(rowsWorkspace(1));
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => notion.dataSources.retrieve({ data_source_id: 'not-an-id' }), 'data_source_id'],
      [() => notion.databases.retrieve({ database_id: '1234' }), 'database_id'],
      [() => notion.pages.retrieve({ page_id: 'zz' + DS_ID.slice(2) }), 'page_id'],
      [() => notion.dataSources.query({ data_source_id: 'abc' }), 'data_source_id'],
      [() => notion.blocks.children.list({ block_id: 'abc' }), 'block_id'],
    ];
    for (const [call, param] of cases) {
      const err = await failure(call());
      expect(err.status).toBe(400);
      expect(err.code).toBe(APIErrorCode.ValidationError);
      expect(err.message).toContain(`path.${param} should be a valid uuid`);
    }
  });

  it('answers 404 object_not_found for unknown and unshared objects, dashed or not', async () => {
    const ws = rowsWorkspace(2);
    ws.pages[1]!.shared = false;
    const { notion } = await start(ws);
    const unknown = uid('99999999', 9);
    const cases: Array<[() => Promise<unknown>, string, string]> = [
      [() => notion.dataSources.retrieve({ data_source_id: unknown }), 'data_source', unknown],
      [() => notion.dataSources.retrieve({ data_source_id: HIDDEN_DS_ID.replace(/-/g, '') }), 'data_source', HIDDEN_DS_ID],
      [() => notion.dataSources.query({ data_source_id: HIDDEN_DS_ID }), 'data_source', HIDDEN_DS_ID],
      [() => notion.databases.retrieve({ database_id: HIDDEN_DB_ID }), 'database', HIDDEN_DB_ID],
      [() => notion.pages.retrieve({ page_id: uid('e0000000', 2) }), 'page', uid('e0000000', 2)],
      [() => notion.pages.retrieve({ page_id: unknown.toUpperCase() }), 'page', unknown],
      [() => notion.blocks.children.list({ block_id: unknown }), 'block', unknown],
    ];
    for (const [call, kind, id] of cases) {
      const err = await failure(call());
      expect(err.status).toBe(404);
      expect(err.code).toBe(APIErrorCode.ObjectNotFound);
      expect(err.message).toBe(
        `Could not find ${kind} with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
      );
    }
    const db: any = await notion.databases.retrieve({ database_id: DB_ID.toUpperCase() });
    expect(db.id).toBe(DB_ID);
  });

  it('reflects live workspace edits: unsharing a page hides it', async () => {
    const ws = rowsWorkspace(3);
    const { emu, notion } = await start(ws);
    emu.workspace.pages[0]!.shared = false;
    const res: any = await notion.dataSources.query({ data_source_id: DS_ID });
    expect(res.results).toHaveLength(2);
    await expect(notion.pages.retrieve({ page_id: uid('e0000000', 1) })).rejects.toMatchObject({ code: 'object_not_found' });
  });

  it('answers 400 for unknown cursors with Notion wording', async () => {
    const { emu, notion } = await start(rowsWorkspace(3));
    const bogus = '11111111-2222-4333-8444-555555555555';
    const err = await failure(notion.dataSources.query({ data_source_id: DS_ID, start_cursor: bogus }));
    expect(err.code).toBe('validation_error');
    expect(err.message).toBe(`The start_cursor provided is invalid: ${bogus}`);
    const users = await failure(notion.users.list({ start_cursor: 'nope' }));
    expect(users.message).toBe('The start_cursor provided is invalid: nope');
    const prop = await failure(notion.pages.properties.retrieve({ page_id: uid('e0000000', 1), property_id: 'title', start_cursor: 'abc' }));
    expect(prop.code).toBe('validation_error');
    // a cursor from one query is not valid for another
    const first: any = await notion.dataSources.query({ data_source_id: DS_ID, page_size: 1 });
    const other = await failure(notion.search({ start_cursor: first.next_cursor }));
    expect(other.code).toBe('validation_error');
    const bad = await raw(emu, '/v1/search', {
      method: 'POST',
      headers: { authorization: `Bearer ${emu.token}`, 'notion-version': '2025-09-03', 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(bad.status).toBe(400);
    expect(bad.json.code).toBe('invalid_json');
  });
});
