/** REST routes for datasets, tables and tabledata.list. */
import { BqError, invalid, notFound, unsupported } from './errors.js';
import type { Catalog, DatasetMeta, TableMeta } from './catalog.js';
import type { Duck } from './duck.js';
import { sendJson, type RequestContext, type Router } from './http.js';
import { decodeToken, encodeToken } from './jobs.js';
import { evolveSchema, parseSchema, sameSchema, toPublicSchema } from './schema.js';
import { readRows, timestampFormat, wireRow } from './tabledata.js';

export interface Deps {
  projectId: string;
  catalog: Catalog;
  duck: Duck;
}

const V2 = '/bigquery/v2/projects/:project';
const TABLE_PROPS = ['description', 'labels', 'friendlyName', 'expirationTime', 'timePartitioning', 'rangePartitioning', 'clustering', 'requirePartitionFilter'];
const UNSUPPORTED_TABLE_PROPS = ['view', 'materializedView', 'externalDataConfiguration', 'snapshotDefinition', 'tableConstraints'];

export function checkProject(ctx: RequestContext, projectId: string): void {
  if (ctx.params.project !== projectId) throw notFound(`Project ${ctx.params.project}`);
}

function intParam(ctx: RequestContext, name: string): number | undefined {
  const v = ctx.query.get(name);
  if (v === null) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw invalid(`Invalid value for ${name}: ${v}`);
  return n;
}

export function datasetResource(projectId: string, ds: DatasetMeta): Record<string, unknown> {
  return {
    ...ds.extra,
    kind: 'bigquery#dataset',
    etag: `"${ds.lastModifiedTime}"`,
    id: `${projectId}:${ds.datasetId}`,
    selfLink: `/bigquery/v2/projects/${projectId}/datasets/${ds.datasetId}`,
    datasetReference: { datasetId: ds.datasetId, projectId },
    location: ds.location,
    creationTime: String(ds.creationTime),
    lastModifiedTime: String(ds.lastModifiedTime),
    type: 'DEFAULT',
  };
}

async function tableResource(deps: Deps, meta: TableMeta): Promise<Record<string, unknown>> {
  const { projectId, catalog, duck } = deps;
  const numRows = await duck.exclusive((c) => catalog.numRows(c, meta));
  return {
    ...meta.extra,
    kind: 'bigquery#table',
    etag: `"${meta.lastModifiedTime}"`,
    id: `${projectId}:${meta.datasetId}.${meta.tableId}`,
    selfLink: `/bigquery/v2/projects/${projectId}/datasets/${meta.datasetId}/tables/${meta.tableId}`,
    tableReference: { projectId, datasetId: meta.datasetId, tableId: meta.tableId },
    ...(meta.schema.length > 0 ? { schema: { fields: toPublicSchema(meta.schema) } } : {}),
    numBytes: '0',
    numLongTermBytes: '0',
    numRows: String(numRows),
    creationTime: String(meta.creationTime),
    lastModifiedTime: String(meta.lastModifiedTime),
    type: 'TABLE',
    location: catalog.dataset(meta.datasetId)?.location ?? 'US',
  };
}

function pickProps(body: Record<string, unknown>): Record<string, unknown> {
  for (const p of UNSUPPORTED_TABLE_PROPS) if (body[p] !== undefined) throw unsupported(`Table property ${p}`);
  const out: Record<string, unknown> = {};
  for (const p of TABLE_PROPS) if (body[p] !== undefined) out[p] = body[p];
  return out;
}

export function registerResourceRoutes(router: Router, deps: Deps): void {
  const { projectId, catalog, duck } = deps;
  const metadataUpdates = new Map<string, number[]>();

  // ---- datasets ----
  router.add('GET', `${V2}/datasets`, async (ctx) => {
    checkProject(ctx, projectId);
    const ids = catalog.datasetIds();
    sendJson(ctx.res, 200, {
      kind: 'bigquery#datasetList',
      datasets: ids.map((d) => ({ kind: 'bigquery#dataset', id: `${projectId}:${d}`, datasetReference: { datasetId: d, projectId }, location: catalog.dataset(d)!.location })),
    });
  });
  router.add('GET', `${V2}/datasets/:dataset`, async (ctx) => {
    checkProject(ctx, projectId);
    sendJson(ctx.res, 200, datasetResource(projectId, catalog.requireDataset(ctx.params.dataset!)));
  });
  router.add('POST', `${V2}/datasets`, async (ctx) => {
    checkProject(ctx, projectId);
    const body = await ctx.json();
    const ref = body.datasetReference as Record<string, unknown> | undefined;
    if (!ref || typeof ref.datasetId !== 'string') throw invalid('Required parameter is missing: datasetReference.datasetId');
    if (ref.projectId !== undefined && ref.projectId !== projectId) throw invalid(`Invalid project ID ${String(ref.projectId)} in datasetReference`);
    const location = typeof body.location === 'string' && body.location !== '' ? body.location : 'US';
    const extra: Record<string, unknown> = {};
    for (const p of ['description', 'labels', 'friendlyName', 'defaultTableExpirationMs']) if (body[p] !== undefined) extra[p] = body[p];
    const ds = await duck.exclusive((c) => catalog.createDataset(c, ref.datasetId as string, location, extra));
    sendJson(ctx.res, 200, datasetResource(projectId, ds));
  });
  router.add('DELETE', `${V2}/datasets/:dataset`, async (ctx) => {
    checkProject(ctx, projectId);
    const deleteContents = ctx.query.get('deleteContents') === 'true';
    await duck.exclusive((c) => catalog.deleteDataset(c, ctx.params.dataset!, deleteContents));
    sendJson(ctx.res, 204, undefined);
  });

  // ---- tables ----
  router.add('GET', `${V2}/datasets/:dataset/tables`, async (ctx) => {
    checkProject(ctx, projectId);
    const d = ctx.params.dataset!;
    catalog.requireDataset(d);
    const ids = catalog.tableIds(d);
    const start = ctx.query.get('pageToken') ? decodeToken(ctx.query.get('pageToken')!) : 0;
    const size = intParam(ctx, 'maxResults') ?? 1000;
    const page = ids.slice(start, start + size);
    sendJson(ctx.res, 200, {
      kind: 'bigquery#tableList',
      etag: `"${ids.length}"`,
      tables: page.map((t) => {
        const meta = catalog.table(d, t)!;
        return {
          kind: 'bigquery#table',
          id: `${projectId}:${d}.${t}`,
          tableReference: { projectId, datasetId: d, tableId: t },
          type: 'TABLE',
          creationTime: String(meta.creationTime),
        };
      }),
      totalItems: ids.length,
      ...(start + size < ids.length ? { nextPageToken: encodeToken(start + size) } : {}),
    });
  });
  router.add('GET', `${V2}/datasets/:dataset/tables/:table`, async (ctx) => {
    checkProject(ctx, projectId);
    sendJson(ctx.res, 200, await tableResource(deps, catalog.requireTable(ctx.params.dataset!, ctx.params.table!)));
  });
  router.add('POST', `${V2}/datasets/:dataset/tables`, async (ctx) => {
    checkProject(ctx, projectId);
    const d = ctx.params.dataset!;
    const body = await ctx.json();
    const ref = body.tableReference as Record<string, unknown> | undefined;
    if (!ref || typeof ref.tableId !== 'string') throw invalid('Required parameter is missing: tableReference.tableId');
    if (ref.datasetId !== undefined && ref.datasetId !== d) throw invalid(`Invalid value for tableReference.datasetId: ${String(ref.datasetId)} (the URL names dataset ${d})`);
    if (ref.projectId !== undefined && ref.projectId !== projectId) throw invalid(`Invalid value for tableReference.projectId: ${String(ref.projectId)}`);
    const extra = pickProps(body);
    const schema = parseSchema(body.schema, ref.tableId);
    const meta = await duck.exclusive((c) => catalog.createTable(c, d, ref.tableId as string, schema, extra));
    sendJson(ctx.res, 200, await tableResource(deps, meta));
  });
  const update = (replace: boolean) => async (ctx: RequestContext) => {
    checkProject(ctx, projectId);
    const d = ctx.params.dataset!;
    const t = ctx.params.table!;
    const meta = catalog.requireTable(d, t);
    const body = await ctx.json();
    const key = `${d}.${t}`;
    const now = Date.now();
    const recent = (metadataUpdates.get(key) ?? []).filter((x) => now - x < 10_000);
    if (recent.length >= 5) {
      throw new BqError(403, 'rateLimitExceeded', `Exceeded rate limits: too many table update operations for this table. For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas`);
    }
    const extra = pickProps(body);
    let next = meta.schema;
    if (body.schema !== undefined) {
      const incoming = parseSchema(body.schema, t);
      next = meta.schema.length === 0 ? incoming : evolveSchema(meta.schema, incoming, {
        allowAddition: true,
        allowRelaxation: true,
        table: catalog.tableName(d, t),
        takeDescriptions: true,
      });
    }
    await duck.exclusive(async (c) => {
      if (!sameSchema(meta.schema, next)) {
        await c.run('BEGIN TRANSACTION');
        try {
          await catalog.rebuild(c, meta, next);
          await c.run('COMMIT');
        } catch (e) {
          await c.run('ROLLBACK');
          throw e;
        }
      }
    });
    recent.push(now);
    metadataUpdates.set(key, recent);
    meta.schema = next;
    meta.extra = replace ? extra : { ...meta.extra, ...extra };
    meta.lastModifiedTime = Math.max(now, meta.lastModifiedTime + 1);
    sendJson(ctx.res, 200, await tableResource(deps, meta));
  };
  router.add('PATCH', `${V2}/datasets/:dataset/tables/:table`, update(false));
  router.add('PUT', `${V2}/datasets/:dataset/tables/:table`, update(true));
  router.add('DELETE', `${V2}/datasets/:dataset/tables/:table`, async (ctx) => {
    checkProject(ctx, projectId);
    await duck.exclusive((c) => catalog.dropTable(c, ctx.params.dataset!, ctx.params.table!));
    sendJson(ctx.res, 204, undefined);
  });

  // ---- tabledata.list ----
  router.add('GET', `${V2}/datasets/:dataset/tables/:table/data`, async (ctx) => {
    checkProject(ctx, projectId);
    const meta = catalog.requireTable(ctx.params.dataset!, ctx.params.table!);
    const ts = timestampFormat(ctx.query.get('formatOptions.useInt64Timestamp') ?? undefined, ctx.query.get('formatOptions.timestampOutputFormat') ?? undefined);
    const token = ctx.query.get('pageToken');
    const start = token ? decodeToken(token) : (intParam(ctx, 'startIndex') ?? 0);
    const size = intParam(ctx, 'maxResults') ?? 100_000;
    let fields = meta.schema;
    const selected = ctx.query.get('selectedFields');
    if (selected) {
      const names = selected.split(',').map((s) => s.trim().toLowerCase());
      if (names.some((n) => n.includes('.'))) throw unsupported('Nested selectedFields');
      fields = meta.schema.filter((f) => names.includes(f.name.toLowerCase()));
    }
    const { rows, total } = await duck.exclusive(async (c) => ({
      rows: await readRows(c, meta.datasetId, meta.tableId, fields, { offset: start, limit: size }),
      total: await catalog.numRows(c, meta),
    }));
    sendJson(ctx.res, 200, {
      kind: 'bigquery#tableDataList',
      etag: `"${meta.lastModifiedTime}"`,
      totalRows: String(total),
      ...(rows.length > 0 ? { rows: rows.map((r) => wireRow(fields, r, ts)) } : {}),
      ...(start + size < total ? { pageToken: encodeToken(start + size) } : {}),
    });
  });
}
