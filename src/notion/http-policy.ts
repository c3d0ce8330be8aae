/**
 * The one place every Notion request goes through:
 * - `policyFetch`: the `fetch` handed to the SDK. It waits for the shared rate limiter, applies the
 *   request timeout and the run's AbortSignal, counts requests, and on 429/529 pauses every worker for
 *   Retry-After before the error even reaches the retry layer.
 * - `withRetry`: retries what a retry can fix (429/529 after the pause; 500/502/503/504, timeouts and
 *   reset connections with jittered exponential backoff) and turns everything else into a
 *   NotionStreamError with a message that names the cause and the fix.
 * The SDK's own retries are switched off (`retry: false`) so they never multiply with these.
 */
import { APIResponseError, RequestTimeoutError, UnknownHTTPResponseError } from '@notionhq/client';
import { sleep } from '../util/abort.js';
import type { Logger } from '../util/log.js';
import type { RunStats } from '../util/stats.js';
import { abortedError, isNotionStreamError, NotionStreamError } from '../errors.js';
import { NOTION_RATE_LIMIT, type RateLimiter } from './rate-limiter.js';

/** A pause at least this long is reported even after the first one: the run visibly stalls. */
const LONG_PAUSE_MS = 60_000;

/** Longest Retry-After honoured; beyond it the run stops with a clear error. No cap below 15 minutes. */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

export interface PolicyContext {
  limiter: RateLimiter;
  stats: RunStats;
  logger: Logger;
  signal?: AbortSignal;
  /** Per-request timeout, default 60 s. */
  timeoutMs?: number;
  /** Transient-failure retries per call, default 8. */
  maxRetries?: number;
  /** Base delay for backoff, default 500 ms. */
  backoffBaseMs?: number;
  /** Underlying fetch (tests may wrap it), default globalThis.fetch. */
  fetch?: typeof fetch;
  /** Called with each response's time in ms, from sending to headers (rate-limiter waits excluded). */
  onResponseTime?: (ms: number) => void;
}

type FetchInit = { body?: string | FormData; headers?: Record<string, string>; method?: string };

export function policyFetch(ctx: PolicyContext) {
  const baseFetch = ctx.fetch ?? globalThis.fetch;
  const timeoutMs = ctx.timeoutMs ?? 60_000;
  return async (url: string, init?: FetchInit): Promise<Response> => {
    await ctx.limiter.acquire(ctx.signal);
    ctx.stats.requests++;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = ctx.signal ? AbortSignal.any([ctx.signal, timeout]) : timeout;
    const sent = Date.now();
    const res = await baseFetch(url, { method: init?.method, headers: init?.headers, body: init?.body, signal });
    ctx.onResponseTime?.(Date.now() - sent);
    if (res.status === 429 || res.status === 529) await pauseForRetryAfter(ctx, res);
    return res;
  };
}

async function pauseForRetryAfter(ctx: PolicyContext, res: Response): Promise<void> {
  const body = (await res
    .clone()
    .json()
    .catch(() => ({}))) as { additional_data?: { rate_limit_reason?: string; retry_after?: string } };
  const reason: string | undefined = body?.additional_data?.rate_limit_reason;
  if (reason === 'public_api_request_blocked') return; // not worth waiting: withRetry stops the run
  const seconds = retryAfterSeconds(res.headers.get('retry-after'), body?.additional_data?.retry_after);
  const waitMs = Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
  const already = ctx.limiter.pauseRemaining();
  ctx.limiter.pauseUntil(Date.now() + waitMs);
  ctx.stats.rateLimitWaits++;
  if (waitMs > already) {
    ctx.stats.waitMs += waitMs - already;
    // One line for the first pause (with the fix when --rate-limit is the cause), then only long ones:
    // every pause is counted in the summary.
    const first = ctx.stats.rateLimitWaits === 1;
    if (!first && waitMs < LONG_PAUSE_MS) return;
    const why = res.status === 529 ? 'Notion is overloaded (529 service_overload)' : `Notion rate limit reached (429 ${reason ?? 'rate_limited'})`;
    const fix =
      first && res.status === 429 && ctx.limiter.perSecond > NOTION_RATE_LIMIT
        ? ` --rate-limit ${ctx.limiter.perSecond} is above the average of ${NOTION_RATE_LIMIT} requests/s Notion allows: run with --rate-limit ${NOTION_RATE_LIMIT} (the default) to avoid these pauses.`
        : '';
    const later = first ? ' Later pauses are counted in the summary.' : '';
    ctx.logger.warn(`${why}: pausing all requests for ${formatSeconds(waitMs / 1000)} as Retry-After asks.${fix}${later}`);
  }
}

/** Seconds from a Retry-After header (whole seconds or an HTTP date) or the body's `retry_after`. */
export function retryAfterSeconds(header: string | null, bodyValue?: unknown): number {
  for (const raw of [header, bodyValue]) {
    if (raw === null || raw === undefined) continue;
    const n = Number(raw);
    if (Number.isFinite(n) && n >= 0) return Math.max(1, n);
    const date = Date.parse(String(raw));
    if (!Number.isNaN(date)) return Math.max(1, (date - Date.now()) / 1000);
  }
  return 1;
}

function formatSeconds(s: number): string {
  return s >= 120 ? `${(s / 60).toFixed(1)} min` : `${Math.ceil(s)} s`;
}

export type Classified =
  | { kind: 'rate' }
  | { kind: 'transient'; reason: string; status?: number }
  | { kind: 'fatal'; error: NotionStreamError };

/** What a failed request means for the run. `what` names the object asked for, for the messages. */
export function classify(err: unknown, what: string): Classified {
  if (isNotionStreamError(err)) return { kind: 'fatal', error: err };
  if (APIResponseError.isAPIResponseError(err)) {
    const reason = err.additional_data?.rate_limit_reason;
    if (err.code === 'rate_limited' || err.code === 'service_overload') {
      if (reason === 'public_api_request_blocked') {
        return fatal('rate_limit_blocked', `Notion has blocked API requests from this integration (429 public_api_request_blocked) while reading ${what}; retrying will not help. Check the integration and workspace limits in Notion's settings, then run again later.`, false, err);
      }
      return { kind: 'rate' };
    }
    if (err.status >= 500) return { kind: 'transient', reason: `${err.status} ${err.code}`, status: err.status };
    switch (err.code) {
      case 'unauthorized':
        return fatal('bad_token', 'Notion rejected the token (401 unauthorized). Set NOTION_TOKEN to the integration\'s Internal Integration Secret (Notion → Settings → Connections → Develop or manage integrations).', false, err);
      case 'object_not_found':
        return fatal('not_shared', `Notion cannot find ${what}: it does not exist or is not shared with the integration. Open it in Notion, choose "..." → Connections, and add the integration.`, false, err);
      case 'restricted_resource':
        return fatal('not_shared', `The integration may not read ${what} (403 restricted_resource). Give the integration the "Read content" capability and share ${what} with it.`, false, err);
      default:
        return fatal('notion_error', `Notion refused the request for ${what}: ${err.status} ${err.code}: ${err.message}${err.request_id ? ` (request_id ${err.request_id})` : ''}`, false, err);
    }
  }
  if (UnknownHTTPResponseError.isUnknownHTTPResponseError(err)) {
    if (err.status >= 500 || err.status === 429) return { kind: 'transient', reason: `HTTP ${err.status}`, status: err.status };
    return fatal('notion_error', `Unexpected HTTP ${err.status} from Notion while reading ${what}.`, false, err);
  }
  if (RequestTimeoutError.isRequestTimeoutError(err)) return { kind: 'transient', reason: 'timeout' };
  if (err instanceof Error) {
    if (err.name === 'TimeoutError') return { kind: 'transient', reason: 'timeout' };
    if (err.name === 'AbortError') return { kind: 'fatal', error: abortedError() };
    if (err instanceof TypeError && /fetch failed|terminated|socket/i.test(err.message)) {
      const cause = (err as { cause?: { code?: string } }).cause;
      return { kind: 'transient', reason: cause?.code ?? 'network error' };
    }
    if (err instanceof SyntaxError) return { kind: 'transient', reason: 'malformed response' };
  }
  return fatal('notion_error', `Request for ${what} failed: ${err instanceof Error ? err.message : String(err)}`, false, err);
}

function fatal(code: NotionStreamError['code'], message: string, retryable: boolean, cause: unknown): Classified {
  return { kind: 'fatal', error: new NotionStreamError(code, message, retryable, { cause }) };
}

export interface RetryHooks {
  /** Called before a transient failure is retried (a query uses it to halve page_size on 504). */
  onTransient?: (failure: { reason: string; status?: number }) => void;
}

/** Runs `fn` until it succeeds, a failure is not retryable, or the retries run out. */
export async function withRetry<T>(ctx: PolicyContext, what: string, fn: () => Promise<T>, hooks: RetryHooks = {}): Promise<T> {
  const maxRetries = ctx.maxRetries ?? 8;
  const base = ctx.backoffBaseMs ?? 500;
  let transient = 0;
  let rate = 0;
  for (;;) {
    if (ctx.signal?.aborted) throw abortedError();
    try {
      return await fn();
    } catch (err) {
      if (ctx.signal?.aborted) throw abortedError();
      const c = classify(err, what);
      if (c.kind === 'fatal') throw c.error;
      ctx.stats.retries++;
      if (c.kind === 'rate') {
        // The limiter is already paused for Retry-After; the next attempt waits for it.
        if (++rate > 50) throw new NotionStreamError('retries_exhausted', `Notion kept answering 429/529 for ${what} after 50 waits; try again later or lower --rate-limit.`, true, { cause: err });
        continue;
      }
      if (++transient > maxRetries) {
        throw new NotionStreamError('retries_exhausted', `Notion kept failing for ${what} (${c.reason}) after ${maxRetries} retries; this is usually temporary: run again later.`, true, { cause: err });
      }
      hooks.onTransient?.(c);
      const cap = Math.min(30_000, base * 2 ** (transient - 1));
      const delay = cap / 2 + Math.random() * (cap / 2);
      ctx.logger.progress?.(`Notion request for ${what} failed (${c.reason}); retry ${transient}/${maxRetries} in ${(delay / 1000).toFixed(1)} s.`);
      await sleep(delay, ctx.signal);
    }
  }
}
