/**
 * Reads every user of the workspace (`GET /v1/users`, one request per 100 users) and turns them into
 * the `notion_users` table. Needs the integration's "Read user information" capability: without it
 * Notion answers 403 restricted_resource, which is reported once and the table is left out.
 */
import type { NotionApi } from '../notion/api.js';
import type { JsonObject, NotionList } from '../notion/types.js';
import { USERS_SCHEMA, userRow } from '../core/workspace-tables.js';
import type { SingerMessage } from '../singer/messages.js';
import { throwIfAborted } from '../util/abort.js';

/** Follows `next_cursor` until `has_more` is false; yields the results of every page in order. */
export async function* paginate(fetchPage: (cursor: string | undefined) => Promise<NotionList<JsonObject>>, signal?: AbortSignal): AsyncGenerator<JsonObject> {
  let cursor: string | undefined;
  do {
    throwIfAborted(signal);
    const page = await fetchPage(cursor);
    yield* page.results;
    cursor = page.has_more && page.next_cursor ? page.next_cursor : undefined;
  } while (cursor !== undefined);
}

/**
 * Every user object (persons and bots), as Notion returns them.
 * Rejects with the `NotionApi` codes (`bad_token`, `not_shared` for 403 restricted_resource when the
 * integration lacks the user capability, `retries_exhausted`, ...) or `aborted`.
 */
export function readUsers(api: NotionApi, signal?: AbortSignal): AsyncGenerator<JsonObject> {
  return paginate((cursor) => api.listUsers(cursor), signal);
}

/** True when Notion refused for want of a capability (403 restricted_resource). */
export function isRestricted(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  return cause?.code === 'restricted_resource';
}

/**
 * The `notion_users` table as Singer messages. The users are read in full before the SCHEMA goes
 * out, so a 403 leaves the table out (with `onSkip` told why) instead of emptying it.
 */
export async function* usersTable(api: NotionApi, options: { signal?: AbortSignal; onSkip?: (message: string) => void } = {}): AsyncGenerator<SingerMessage> {
  const users: JsonObject[] = [];
  try {
    for await (const user of readUsers(api, options.signal)) users.push(user);
  } catch (err) {
    if (!isRestricted(err)) throw err;
    options.onSkip?.('Notion refused to list users (403 restricted_resource): notion_users is left as it was. Give the integration the "Read user information" capability to load it.');
    return;
  }
  yield USERS_SCHEMA;
  for (const user of users) yield { type: 'RECORD', stream: USERS_SCHEMA.stream, record: userRow(user) };
}
