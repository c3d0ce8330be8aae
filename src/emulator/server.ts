/**
 * The Notion API emulator: a node:http server answering the read endpoints of the 2025-09-03 API from
 * an in-memory Workspace, with Notion's auth, errors, pagination, truncation, rate limiting, and
 * injectable faults.
 */

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CursorStore, shortCursor } from './cursors.js';
import { EmuApiError, invalidCursor, invalidJson, invalidRequestUrl, missingVersion, rateLimited, unauthorized } from './errors.js';
import { FaultRegistry, type FaultSpec } from './faults.js';
import { HANDLERS, type CursorState } from './handlers.js';
import { WorkspaceLookup } from './lookup.js';
import { DEFAULT_RATE_LIMIT, TokenBuckets, type RateLimitOptions } from './rate-limit.js';
import { Renderer } from './render.js';
import { RequestLog, type Counters, type RequestLogEntry } from './request-log.js';
import { route } from './router.js';
import { forVersion } from './versions.js';
import type { JsonObject, Workspace } from './workspace.js';

export type { EndpointName } from './router.js';
export type { FaultKind, FaultSpec } from './faults.js';
export type { Counters, RequestLogEntry } from './request-log.js';
export type { RateLimitOptions } from './rate-limit.js';

/** Options of `startEmulator`; only `workspace` is required. */
export interface EmulatorOptions {
  /** The workspace to serve (live: changes show in later responses). */
  workspace: Workspace;
  /** Default 0 (an ephemeral port). The host is always 127.0.0.1. */
  port?: number;
  /** Token bucket per token; default `{perSecond: 3, burst: 10}`; `false` disables. */
  rateLimit?: RateLimitOptions | false;
  /** Added latency per response in milliseconds; default 0. */
  latencyMs?: number;
  /** The query result cap; default 10,000 as Notion. */
  queryResultLimit?: number;
}

/** A running emulator, as `startEmulator` returns it. */
export interface Emulator {
  /** `http://127.0.0.1:PORT`, without /v1 (the SDK's baseUrl). */
  url: string;
  /** The bearer token it accepts (the workspace's `token`). */
  token: string;
  /** The live workspace; tests may mutate it. */
  workspace: Workspace;
  /** Every request received, in order (live; `resetLog` empties it in place). */
  log: RequestLogEntry[];
  /** Totals over `log`: requests, by endpoint, by status, 429s sent, faults fired. */
  counters(): Counters;
  /** Empties `log` (and so the counters). */
  resetLog(): void;
  /** Adds a fault: matching requests fail as it says (see `FaultSpec`). */
  inject(fault: FaultSpec): void;
  /** Removes every injected fault. */
  clearFaults(): void;
  /** Closes every socket, hung ones included. */
  close(): Promise<void>;
}

/**
 * Rows a data source query can page through at most, as Notion caps it: 10,000 (then `request_status`
 * says `incomplete`).
 */
export const DEFAULT_QUERY_RESULT_LIMIT = 10_000;

const JSON_TYPE = 'application/json; charset=utf-8';

const BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n';

function faultError(fault: FaultSpec, cursor: string | undefined): EmuApiError {
  const retryAfter = String(Math.max(1, Math.ceil(fault.retryAfterSeconds ?? 1)));
  switch (fault.kind) {
    case 'rate_limited':
      return rateLimited(fault.retryAfterSeconds ?? 1, fault.rateLimitReason);
    case 'service_overload':
      return new EmuApiError(529, 'service_overload', 'Notion is currently overloaded. Please try again later.', undefined, {
        'retry-after': retryAfter,
      });
    case 'internal_server_error':
      return new EmuApiError(500, 'internal_server_error', 'Unexpected error occurred.');
    case 'service_unavailable':
      return new EmuApiError(503, 'service_unavailable', 'Notion is unavailable. Please try again later.');
    case 'gateway_timeout':
      return new EmuApiError(504, 'gateway_timeout', 'Notion timed out while processing the request. Please try again later.');
    case 'expired_cursor':
      return invalidCursor(cursor ?? '');
    case 'restricted_resource':
      return new EmuApiError(403, 'restricted_resource', 'Insufficient permissions for this endpoint.');
    default:
      return new EmuApiError(500, 'internal_server_error', `Unexpected fault ${fault.kind}.`);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function bearer(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (h === undefined) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(h.trim());
  return m?.[1];
}

/**
 * Starts the Notion API emulator on 127.0.0.1 (port `options.port`, default an ephemeral one), serving
 * `options.workspace` through the read endpoints of API 2025-09-03 with Notion's auth, errors,
 * pagination, truncation, rate limit (default 3 requests/s, burst 10, per token) and injected faults.
 * Resolves once it listens; rejects with the listen error (EADDRINUSE, ...). Call `close()` when done.
 */
export async function startEmulator(options: EmulatorOptions): Promise<Emulator> {
  const { workspace } = options;
  const lookup = new WorkspaceLookup(workspace);
  const renderer = new Renderer(lookup);
  const cursors = new CursorStore<CursorState>();
  const shortCursors = new CursorStore<CursorState>(100_000, shortCursor);
  const rate = options.rateLimit === false ? undefined : new TokenBuckets(options.rateLimit ?? DEFAULT_RATE_LIMIT);
  const faults = new FaultRegistry();
  const log = new RequestLog();
  const latencyMs = options.latencyMs ?? 0;
  const queryResultLimit = options.queryResultLimit ?? DEFAULT_QUERY_RESULT_LIMIT;
  const timers = new Set<NodeJS.Timeout>();
  let baseUrl = '';

  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const method = (req.method ?? 'GET').toUpperCase();
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    const path = q === -1 ? target : target.slice(0, q);
    const rawQuery = q === -1 ? '' : target.slice(q + 1);
    const matched = route(method, path);
    const entry: RequestLogEntry = { time: Date.now(), method, path, endpoint: matched?.endpoint ?? 'unknown', status: 0 };
    if (rawQuery !== '') entry.query = rawQuery;
    log.add(entry);

    const send = async (status: number, body: string, headers: Record<string, string>): Promise<void> => {
      if (latencyMs > 0) await delay(latencyMs);
      entry.status = status;
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': String(Buffer.byteLength(body)), ...headers });
      res.end(body);
    };

    try {
      const text = await readBody(req);
      if (matched === undefined) throw invalidRequestUrl();
      const token = bearer(req);
      if (token !== workspace.token) throw unauthorized();
      const rawVersion = req.headers['notion-version'];
      const version = Array.isArray(rawVersion) ? rawVersion[0] : rawVersion;
      if (version === undefined || version === '') throw missingVersion(version);

      let body: JsonObject = {};
      let bodyError: EmuApiError | undefined;
      if (text.trim() !== '') {
        try {
          const parsed: unknown = JSON.parse(text);
          if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) bodyError = invalidJson();
          else body = parsed as JsonObject;
        } catch {
          bodyError = invalidJson();
        }
        entry.body = bodyError === undefined ? body : text;
      }

      if (rate !== undefined) {
        const decision = rate.take(token);
        if (!decision.ok) throw rateLimited(decision.retryAfterSeconds);
      }

      const query = new URLSearchParams(rawQuery);
      const cursor =
        method === 'POST'
          ? typeof body.start_cursor === 'string' && body.start_cursor !== ''
            ? body.start_cursor
            : undefined
          : query.get('start_cursor') || undefined;
      const fault = faults.pick({ endpoint: matched.endpoint, method, hasCursor: cursor !== undefined });
      if (fault !== undefined) {
        entry.fault = fault.kind;
        if (fault.kind === 'hang') return; // Never answered; close() or the client ends it.
        if (fault.kind === 'reset') {
          req.socket.destroy();
          return;
        }
        if (fault.kind === 'bad_gateway_html') {
          await send(502, BAD_GATEWAY_HTML, { 'content-type': 'text/html' });
          return;
        }
        throw faultError(fault, cursor);
      }
      if (bodyError !== undefined) throw bodyError;

      const result = HANDLERS[matched.endpoint]({
        lookup,
        renderer,
        cursors,
        shortCursors,
        params: matched.params,
        query,
        body,
        baseUrl,
        queryResultLimit,
      });
      await send(200, JSON.stringify({ ...forVersion(result, version), request_id: requestId }), {});
    } catch (err) {
      const apiError =
        err instanceof EmuApiError
          ? err
          : new EmuApiError(500, 'internal_server_error', `Emulator error: ${err instanceof Error ? err.message : String(err)}`);
      await send(apiError.status, JSON.stringify(apiError.body(requestId)), apiError.headers);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.destroyed) res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://127.0.0.1:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url: baseUrl,
    token: workspace.token,
    workspace,
    log: log.entries,
    counters: () => log.counters(),
    resetLog: () => log.reset(),
    inject: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Options of `runEmulatorCommand` (`notion-stream emulate`). */
export interface EmulatorCommandOptions {
  /** The workspace to serve. */
  workspace: Workspace;
  /** The port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /** Token bucket per token; default `{perSecond: 3, burst: 10}`; `false` disables. */
  rateLimit?: RateLimitOptions | false;
  /** Added latency per response in milliseconds; default 0. */
  latencyMs?: number;
  /** Where to print the URL and token; default process.stderr. */
  out?: NodeJS.WritableStream;
  /** Stops the server when aborted (besides SIGINT/SIGTERM). */
  signal?: AbortSignal;
}

/** Serves the emulator, prints its URL and token to stderr, and returns after SIGINT/SIGTERM. */
export async function runEmulatorCommand(opts: EmulatorCommandOptions): Promise<void> {
  const emulator = await startEmulator({
    workspace: opts.workspace,
    port: opts.port,
    ...(opts.rateLimit !== undefined ? { rateLimit: opts.rateLimit } : {}),
    ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
  });
  const out = opts.out ?? process.stderr;
  out.write(`Notion API emulator listening on ${emulator.url}\nNOTION_BASE_URL=${emulator.url}\nNOTION_TOKEN=${emulator.token}\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      opts.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (opts.signal?.aborted === true) stop();
    else opts.signal?.addEventListener('abort', stop, { once: true });
  });
  await emulator.close();
}

