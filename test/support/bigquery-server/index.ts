/**
 * A strict BigQuery REST test server: a real HTTP server the real `@google-cloud/bigquery` client talks
 * to through `apiEndpoint`. Data lives in an in-process DuckDB database (one schema per dataset), so
 * loads are validated and committed like BigQuery's, and SQL runs for real.
 *
 * Standalone test support: imports nothing from src/.
 */
import { Catalog } from './catalog.js';
import { Duck } from './duck.js';
import { Faults } from './faults.js';
import { Router, listen, stop } from './http.js';
import { registerJobRoutes } from './job-routes.js';
import { Jobs } from './jobs.js';
import { registerResourceRoutes } from './resources.js';
import { compareRows, plainRow, readRows } from './tabledata.js';
import { toPublicSchema } from './schema.js';
import type { BigQueryServerOptions, BigQueryTestServer } from './types.js';
import { registerUploadRoute } from './upload.js';

export type { BigQueryFault, BigQueryServerOptions, BigQueryTestServer, JobRecord, SchemaFieldInfo } from './types.js';

export async function startBigQueryServer(options: BigQueryServerOptions = {}): Promise<BigQueryTestServer> {
  const projectId = options.projectId ?? 'test-project';
  const duck = await Duck.create();
  const catalog = new Catalog(projectId);
  const faults = new Faults();
  const jobs = new Jobs({
    projectId,
    catalog,
    duck,
    faults,
    runningMs: options.jobRunningMs ?? 0,
    loadJobsPerTableLimit: options.loadJobsPerTableLimit ?? 1500,
  });
  const router = new Router();
  registerResourceRoutes(router, { projectId, catalog, duck });
  registerJobRoutes(router, projectId, jobs);
  registerUploadRoute(router, { projectId, jobs, faults });
  const { server, url } = await listen(router, options.port ?? 0);
  let closing: Promise<void> | undefined;

  return {
    url,
    projectId,
    inject: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    jobs: () => jobs.records(),
    requests: () => router.log.map((e) => ({ ...e })),
    tableIds: (datasetId) => catalog.tableIds(datasetId),
    schema: (datasetId, tableId) => {
      const meta = catalog.table(datasetId, tableId);
      return meta ? toPublicSchema(meta.schema) : undefined;
    },
    rows: async (datasetId, tableId) => {
      const meta = catalog.requireTable(datasetId, tableId);
      const rows = await duck.exclusive((c) => readRows(c, datasetId, tableId, meta.schema));
      return rows.map((r) => plainRow(meta.schema, r)).sort(compareRows(meta.schema));
    },
    close: () =>
      (closing ??= (async () => {
        await stop(server);
        await jobs.close();
        await duck.close();
      })()),
  };
}
