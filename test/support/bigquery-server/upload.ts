/**
 * The multipart upload route (`POST /upload/bigquery/v2/projects/{p}/jobs?uploadType=multipart`):
 * reads the body as it streams in, applies upload faults (drop mid-body, answer with an error status,
 * lose the answer), and creates the load job only once the closing boundary has arrived.
 */
import { BqError, invalid, unsupported } from './errors.js';
import type { Faults } from './faults.js';
import { sendJson, type RequestContext, type Router } from './http.js';
import type { Jobs } from './jobs.js';
import { boundaryOf, isComplete, parseMultipart, peekMetadata } from './multipart.js';
import { checkProject } from './resources.js';

export interface UploadDeps {
  projectId: string;
  jobs: Jobs;
  faults: Faults;
}

function destinationTableOf(metadata: unknown): string | undefined {
  const m = metadata as { configuration?: { load?: { destinationTable?: { tableId?: unknown } } } } | undefined;
  const t = m?.configuration?.load?.destinationTable?.tableId;
  return typeof t === 'string' ? t : undefined;
}

/** Reads the body; resolves undefined when the server dropped the socket (a fault) or the client went away. */
function receive(ctx: RequestContext, boundary: string, faults: Faults): Promise<Buffer | undefined> {
  const { req } = ctx;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let table: string | undefined;
    let metaKnown = false;
    let settled = false;
    const finish = (v: Buffer | undefined) => {
      if (!settled) {
        settled = true;
        resolve(v);
      }
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      chunks.push(chunk);
      bytes += chunk.length;
      if (!faults.find('upload_drop')) return;
      if (!metaKnown) {
        const meta = peekMetadata(Buffer.concat(chunks), boundary);
        if (meta !== undefined) {
          metaKnown = true;
          table = destinationTableOf(meta);
        }
      }
      const matches = (f: { table?: string; afterBytes?: number }) =>
        (f.table === undefined || (metaKnown && f.table === table)) && bytes >= (f.afterBytes ?? 0);
      if (faults.find('upload_drop', matches)) {
        faults.take('upload_drop', matches);
        req.socket.destroy();
        finish(undefined);
      }
    });
    req.on('end', () => finish(Buffer.concat(chunks)));
    req.on('aborted', () => finish(undefined));
    req.on('close', () => finish(undefined));
    req.on('error', () => finish(undefined));
  });
}

export function registerUploadRoute(router: Router, deps: UploadDeps): void {
  const { projectId, jobs, faults } = deps;
  router.add('POST', '/upload/bigquery/v2/projects/:project/jobs', async (ctx) => {
    checkProject(ctx, projectId);
    const uploadType = ctx.query.get('uploadType');
    if (uploadType !== 'multipart') throw unsupported(`uploadType=${uploadType ?? '(none)'}`);
    const boundary = boundaryOf(ctx.req.headers['content-type']);
    if (!boundary) throw invalid('Invalid multipart request: Content-Type must be multipart/related with a boundary');
    const body = await receive(ctx, boundary, faults);
    if (!body) return; // socket gone: nothing was created
    if (!isComplete(body, boundary)) throw invalid('Invalid multipart request: the body ended before its closing boundary');
    const { metadata, media } = parseMultipart(body, boundary);
    const table = destinationTableOf(metadata);
    const matches = (f: { table?: string }) => f.table === undefined || f.table === table;
    const status = faults.take('upload_status', matches);
    if (status) {
      const reason = status.status >= 500 ? 'backendError' : status.status === 429 ? 'rateLimitExceeded' : 'invalid';
      throw new BqError(status.status, reason, `Injected upload failure (HTTP ${status.status})`);
    }
    const job = jobs.createLoad(metadata, media);
    if (faults.take('upload_lost_response', matches)) {
      ctx.req.socket.destroy();
      return;
    }
    sendJson(ctx.res, 200, jobs.resource(job));
  });
}
