/**
 * The Notion calls notion-stream makes, each through the shared HTTP policy (rate limiter, retries,
 * timeouts, abort). Uses the real `@notionhq/client` with its own retries switched off.
 */
import { setMaxListeners } from 'node:events';
import { NotionStreamError } from '../errors.js';
import { Client } from '@notionhq/client';
import { silentLogger, type Logger } from '../util/log.js';
import { RunStats } from '../util/stats.js';
import { policyFetch, withRetry, type PolicyContext, type RetryHooks } from './http-policy.js';
import { NOTION_RATE_LIMIT, RateLimiter } from './rate-limiter.js';
import type { Json, JsonObject, NotionDataSource, NotionList, NotionPage } from './types.js';

/**
 * The Notion API's base URL, without `/v1`: `https://api.notion.com`. The CLI takes another from
 * `NOTION_BASE_URL` or `--notion-base-url` (the emulator, a proxy).
 */
export const DEFAULT_BASE_URL = 'https://api.notion.com';
/** Requests per second a run sends when no rate is given: 3, the average Notion allows an integration. */
export const DEFAULT_RATE_LIMIT = NOTION_RATE_LIMIT;

/** Options of `NotionApi`; only `token` is required. */
export interface NotionApiOptions {
  /** The integration token (the CLI reads `NOTION_TOKEN`), sent as the bearer token. */
  token: string;
  /** Without `/v1`. Default https://api.notion.com (or NOTION_BASE_URL in the CLI). */
  baseUrl?: string;
  /** Requests per second for the whole run, default 3. Ignored when `limiter` is given. */
  rateLimit?: number;
  /** Share one limiter between several NotionApi instances. */
  limiter?: RateLimiter;
  /** Aborts requests in flight and every wait (rate limiter, backoff): the call rejects with code `aborted`. */
  signal?: AbortSignal;
  /** Counts requests, retries and rate-limit waits; default a new `RunStats` (read it from `api.stats`). */
  stats?: RunStats;
  /** Warnings (rate-limit pauses) and progress lines (retries); default silent. */
  logger?: Logger;
  /** Per-request timeout in ms, default 60,000; a timeout counts as a transient failure (retried). */
  timeoutMs?: number;
  /**
   * Retries of transient failures (5xx, timeouts, network errors) per call, default 8; then
   * `retries_exhausted`. 429/529 waits are not counted here (at most 50 per call).
   */
  maxRetries?: number;
  /** Base delay of the exponential backoff between transient retries, in ms; default 500. */
  backoffBaseMs?: number;
  /** The fetch to send requests with (a test may wrap it); default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

/** The body of one data source query (`POST /v1/data_sources/{id}/query`), as Notion documents it. */
export interface QueryArgs {
  /** A Notion filter object; absent: every row. */
  filter?: JsonObject;
  /** Notion sort objects, applied in order. */
  sorts?: JsonObject[];
  /** The `next_cursor` of the previous page; absent for the first page. */
  start_cursor?: string;
  /** Rows per response, 1 to 100 (Notion's default and maximum: 100). */
  page_size?: number;
  /** Property ids to return (sent as the `filter_properties` query parameter); absent: every property. */
  filter_properties?: string[];
}

/**
 * The Notion calls notion-stream makes, each through one HTTP policy shared by the run: the rate limiter
 * (default 3 requests/s, or a shared `limiter`), a per-request timeout, retries of transient failures with
 * backoff, pauses for 429/529 as Retry-After asks, and the abort signal. Uses `@notionhq/client` with its
 * own retries switched off. Every method rejects with a `NotionStreamError`: `bad_token` (401),
 * `not_shared` (404 object_not_found, 403 restricted_resource), `rate_limit_blocked` (429
 * public_api_request_blocked), `retries_exhausted` (retryable: transient failures past `maxRetries`, or
 * 50 rate-limit waits), `notion_error` (any other refusal, or a cursor that repeats), `aborted`.
 */
export class NotionApi {
  /** The underlying SDK client (its fetch goes through the policy; call it through `call` to get retries). */
  readonly client: Client;
  /** The run's counters: requests, retries, rate-limit waits and time waited. */
  readonly stats: RunStats;
  /** Where warnings and retry progress go. */
  readonly logger: Logger;
  /** The signal every call of this client honours. */
  readonly signal: AbortSignal | undefined;
  private readonly ctx: PolicyContext;
  private responseMsAverage: number | undefined;

  constructor(options: NotionApiOptions) {
    this.stats = options.stats ?? new RunStats();
    this.logger = options.logger ?? silentLogger;
    this.signal = options.signal;
    // Every request in flight or waiting for its turn listens on the run's signal until it settles: as
    // many listeners as concurrent requests (parallel ranges, completions, content), none left behind.
    // Node's warning past 10 listeners would be a false alarm printed to the user.
    if (options.signal) setMaxListeners(0, options.signal);
    this.ctx = {
      limiter: options.limiter ?? new RateLimiter(options.rateLimit ?? DEFAULT_RATE_LIMIT),
      stats: this.stats,
      logger: this.logger,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      maxRetries: options.maxRetries,
      backoffBaseMs: options.backoffBaseMs,
      fetch: options.fetch,
      onResponseTime: (ms) => {
        this.responseMsAverage = this.responseMsAverage === undefined ? ms : this.responseMsAverage * 0.8 + ms * 0.2;
      },
    };
    this.client = new Client({
      auth: options.token,
      baseUrl: options.baseUrl ?? DEFAULT_BASE_URL,
      retry: false,
      // Our fetch enforces the real timeout (and aborts the socket); the SDK's only abandons.
      timeoutMs: (options.timeoutMs ?? 60_000) + 30_000,
      fetch: policyFetch(this.ctx),
      logger: () => {},
    });
  }

  /** The run's request budget, in requests per second (the shared rate limiter's rate). */
  get rateLimit(): number {
    return this.ctx.limiter.perSecond;
  }

  /**
   * Notion's recent response time in ms (a moving average over responses, rate-limiter waits
   * excluded); undefined before the first response.
   */
  get responseMs(): number | undefined {
    return this.responseMsAverage;
  }

  /** Runs one SDK call under the retry policy. `what` names the object for error messages. */
  call<T>(what: string, fn: (client: Client) => Promise<T>, hooks?: RetryHooks): Promise<T> {
    return withRetry(this.ctx, what, () => fn(this.client), hooks);
  }

  /** One page of `POST /v1/search` with `body` (filter, cursor, page_size); `what` names it in errors. */
  search(body: JsonObject, what = 'the search for shared data sources'): Promise<NotionList<JsonObject>> {
    return this.call(what, (c) => c.request<NotionList<JsonObject>>({ path: 'search', method: 'post', body })).then((res) => checkCursor(what, body.start_cursor, res));
  }

  /** `GET /v1/databases/{id}`: a database container and its `data_sources` list. */
  retrieveDatabase(id: string, what = `database ${id}`): Promise<JsonObject> {
    return this.call(what, (c) => c.request({ path: `databases/${id}`, method: 'get' }));
  }

  /** `GET /v1/data_sources/{id}`: a data source with its schema (`properties`). */
  retrieveDataSource(id: string, what = `data source ${id}`): Promise<NotionDataSource> {
    return this.call(what, (c) => c.request({ path: `data_sources/${id}`, method: 'get' }));
  }

  /** `GET /v1/pages/{id}`: one page, with property values as Notion truncates them (see `completePage`). */
  retrievePage(id: string): Promise<NotionPage> {
    return this.call(`page ${id}`, (c) => c.request({ path: `pages/${id}`, method: 'get' }));
  }

  /**
   * One page of `POST /v1/data_sources/{id}/query` (up to 100 rows). `args` is called for every attempt,
   * so a retry can send a smaller `page_size` (`hooks.onTransient` halves it on 504).
   */
  queryDataSource(id: string, args: () => QueryArgs, hooks?: RetryHooks): Promise<NotionList<NotionPage>> {
    let sent: unknown;
    return this.call(
      `data source ${id}`,
      (c) => {
        const { filter_properties, ...body } = args();
        sent = body.start_cursor;
        return c.request<NotionList<NotionPage>>({
          path: `data_sources/${id}/query`,
          method: 'post',
          query: filter_properties ? { filter_properties } : undefined,
          body: body as Record<string, unknown>,
        });
      },
      hooks,
    ).then((res) => checkCursor(`data source ${id}`, sent, res));
  }

  /** One page (up to 100) of `GET /v1/users`: persons and bots of the workspace. */
  listUsers(startCursor?: string): Promise<NotionList<JsonObject>> {
    return this.call('the workspace users', (c) => c.request({ path: 'users', method: 'get', query: pageQuery(startCursor) }));
  }

  /** One page (up to 100) of `GET /v1/blocks/{id}/children`; a page's id is its root block id. */
  listBlockChildren(blockId: string, startCursor?: string): Promise<NotionList<JsonObject>> {
    return this.call(`the content of block ${blockId}`, (c) => c.request({ path: `blocks/${blockId}/children`, method: 'get', query: pageQuery(startCursor) }));
  }

  /** One page (up to 100) of `GET /v1/comments?block_id=`: the open comments on a page or block. */
  listComments(blockId: string, startCursor?: string): Promise<NotionList<JsonObject>> {
    return this.call(`the comments of ${blockId}`, (c) => c.request({ path: 'comments', method: 'get', query: { block_id: blockId, ...pageQuery(startCursor) } }));
  }

  /** One page of `GET /v1/pages/{id}/properties/{property_id}`; the property id is passed as Notion gave it. */
  retrievePropertyPage(pageId: string, propertyId: string, startCursor?: string): Promise<PropertyItemList> {
    const query: Record<string, string | number> = { page_size: 100 };
    if (startCursor) query.start_cursor = startCursor;
    const what = `property ${decodeURIComponentSafe(propertyId)} of page ${pageId}`;
    return this.call(what, (c) => c.request<PropertyItemList>({ path: `pages/${pageId}/properties/${propertyId}`, method: 'get', query })).then((res) =>
      checkCursor(what, startCursor, res),
    );
  }
}

/** A page of the property endpoint: a list of property items, or (for single-valued types) one item. */
export type PropertyItemList = {
  object: 'list' | 'property_item';
  results?: JsonObject[];
  next_cursor?: string | null;
  has_more?: boolean;
  property_item?: JsonObject;
  [key: string]: Json | undefined;
};

/** `page_size=100` and the cursor, for the GET list endpoints. */
function pageQuery(startCursor: string | undefined): Record<string, string | number> {
  return startCursor ? { page_size: 100, start_cursor: startCursor } : { page_size: 100 };
}

/**
 * Guards every paginated loop: a response that says `has_more: true` but hands back the cursor it was
 * asked with would make the reader loop forever. Throws `notion_error` (not retryable) naming the object.
 */
export function checkCursor<T extends { has_more?: boolean | null; next_cursor?: string | null }>(what: string, sent: unknown, res: T): T {
  if (res?.has_more && typeof sent === 'string' && sent !== '' && res.next_cursor === sent) {
    throw new NotionStreamError(
      'notion_error',
      `Notion answered the read of ${what} with has_more and the same cursor it was asked with (${sent}), which would repeat that page forever; stopped. Run again later; if it persists, report it to Notion with this cursor.`,
      false,
    );
  }
  return res;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
