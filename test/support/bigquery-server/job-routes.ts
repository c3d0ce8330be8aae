/** REST routes for jobs: insert, get, cancel, list, jobs.query and getQueryResults. */
import { invalid } from './errors.js';
import { sendJson, type RequestContext, type Router } from './http.js';
import { timestampFormat, type Jobs } from './jobs.js';
import { checkProject } from './resources.js';

const V2 = '/bigquery/v2/projects/:project';
const DEFAULT_QUERY_WAIT_MS = 10_000;

function intParam(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw invalid(`Invalid value for ${name}: ${String(value)}`);
  return n;
}

export function registerJobRoutes(router: Router, projectId: string, jobs: Jobs): void {
  router.add('POST', `${V2}/jobs`, async (ctx) => {
    checkProject(ctx, projectId);
    const job = jobs.insert(await ctx.json());
    sendJson(ctx.res, 200, jobs.resource(job));
  });
  router.add('GET', `${V2}/jobs`, async (ctx) => {
    checkProject(ctx, projectId);
    sendJson(ctx.res, 200, {
      kind: 'bigquery#jobList',
      jobs: jobs.records().map((r) => ({ id: `${projectId}:${r.location}.${r.jobId}`, jobReference: { projectId, jobId: r.jobId, location: r.location }, state: r.state })),
    });
  });
  router.add('GET', `${V2}/jobs/:job`, async (ctx) => {
    checkProject(ctx, projectId);
    const job = jobs.find(ctx.params.job!, ctx.query.get('location') ?? undefined);
    await jobs.settle(job);
    sendJson(ctx.res, 200, jobs.resource(job));
  });
  router.add('POST', `${V2}/jobs/:job/cancel`, async (ctx) => {
    checkProject(ctx, projectId);
    const job = jobs.find(ctx.params.job!, ctx.query.get('location') ?? undefined);
    await jobs.cancel(job);
    sendJson(ctx.res, 200, { kind: 'bigquery#jobCancelResponse', job: jobs.resource(job) });
  });

  router.add('POST', `${V2}/queries`, async (ctx) => {
    checkProject(ctx, projectId);
    const body = await ctx.json();
    const job = jobs.query(body);
    await jobs.settle(job, intParam(body.timeoutMs, 'timeoutMs') ?? DEFAULT_QUERY_WAIT_MS);
    const fo = (body.formatOptions ?? {}) as Record<string, unknown>;
    sendJson(
      ctx.res,
      200,
      jobs.queryResults(job, { maxResults: intParam(body.maxResults, 'maxResults'), ts: timestampFormat(fo.useInt64Timestamp, fo.timestampOutputFormat) }, 'bigquery#queryResponse'),
    );
  });
  router.add('GET', `${V2}/queries/:job`, async (ctx: RequestContext) => {
    checkProject(ctx, projectId);
    const q = ctx.query;
    const job = jobs.find(ctx.params.job!, q.get('location') ?? undefined);
    await jobs.settle(job, intParam(q.get('timeoutMs') ?? undefined, 'timeoutMs') ?? DEFAULT_QUERY_WAIT_MS);
    sendJson(
      ctx.res,
      200,
      jobs.queryResults(
        job,
        {
          maxResults: intParam(q.get('maxResults') ?? undefined, 'maxResults'),
          pageToken: q.get('pageToken') ?? undefined,
          startIndex: intParam(q.get('startIndex') ?? undefined, 'startIndex'),
          ts: timestampFormat(q.get('formatOptions.useInt64Timestamp') ?? undefined, q.get('formatOptions.timestampOutputFormat') ?? undefined),
        },
        'bigquery#getQueryResultsResponse',
      ),
    );
  });
}
