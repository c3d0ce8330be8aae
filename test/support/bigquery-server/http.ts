/**
 * HTTP plumbing: a node:http server on 127.0.0.1, routing by method and path pattern, JSON bodies
 * and answers, BigQuery error bodies, and the request log (status 0 when the server dropped the socket).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BqError, asBqError, errorBody, invalid, notFound } from './errors.js';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Reads the whole body as JSON ({} when empty). */
  json(): Promise<Record<string, unknown>>;
}

export type Handler = (ctx: RequestContext) => Promise<void>;

interface Route {
  method: string;
  parts: string[];
  handler: Handler;
}

export interface LogEntry {
  method: string;
  path: string;
  status: number;
}

export class Router {
  private readonly routes: Route[] = [];
  readonly log: LogEntry[] = [];

  add(method: string, pattern: string, handler: Handler): void {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler });
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const entry: LogEntry = { method, path: url.pathname, status: 0 };
    this.log.push(entry);
    res.on('finish', () => {
      entry.status = res.statusCode;
    });
    try {
      const segs = url.pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
      let found: { route: Route; params: Record<string, string> } | undefined;
      let pathMatched = false;
      for (const route of this.routes) {
        const params = matchParts(route.parts, segs);
        if (!params) continue;
        pathMatched = true;
        if (route.method === method) {
          found = { route, params };
          break;
        }
      }
      if (!found) {
        if (pathMatched) throw new BqError(405, 'methodNotAllowed', `Method ${method} is not allowed on ${url.pathname}`);
        throw notFound(`URL ${url.pathname}`);
      }
      await found.route.handler({ req, res, params: found.params, query: url.searchParams, json: () => readJson(req) });
    } catch (e) {
      const err = asBqError(e);
      if (!res.headersSent && !res.destroyed) sendJson(res, err.code, errorBody(err));
    }
  }
}

function matchParts(pattern: string[], segs: string[]): Record<string, string> | undefined {
  if (pattern.length !== segs.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = segs[i]!;
    else if (p !== segs[i]) return undefined;
  }
  return params;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const body = await readBody(req);
  if (body.length === 0) return {};
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw invalid('Invalid JSON payload received.');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (status === 204) {
    res.writeHead(204).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export async function listen(router: Router, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    void router.handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${addr.port}` };
}

export async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
