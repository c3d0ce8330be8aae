/**
 * Copy jobs (configuration.copy): one or more source tables into a destination, data and schema,
 * committed atomically with the destination's write/create dispositions (default WRITE_EMPTY).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { invalid, notFound } from './errors.js';
import { STAGING, ident, tableRef } from './duck.js';
import type { Catalog } from './catalog.js';
import type { JobOutput } from './load.js';
import { sameSchema } from './schema.js';
import { CREATE_DISPOSITIONS, WRITE_DISPOSITIONS, commitStaged, createStage, dropStage, planWrite, stageType } from './write.js';

export interface CopyConfig {
  sources: { datasetId: string; tableId: string }[];
  datasetId: string;
  tableId: string;
  writeDisposition: string;
  createDisposition: string;
}

function tableReference(raw: unknown, projectId: string, what: string): { datasetId: string; tableId: string } {
  const r = raw as Record<string, unknown> | undefined;
  if (!r || typeof r.datasetId !== 'string' || typeof r.tableId !== 'string') throw invalid(`Required parameter is missing: ${what}`);
  if (r.projectId !== undefined && r.projectId !== projectId) throw notFound(`Project ${String(r.projectId)}`);
  return { datasetId: r.datasetId, tableId: r.tableId };
}

function enumValue(value: unknown, allowed: readonly string[], field: string, dflt: string): string {
  if (value === undefined || value === null) return dflt;
  if (typeof value !== 'string' || !allowed.includes(value)) throw invalid(`Invalid value for ${field}: ${String(value)} is not a valid value`);
  return value;
}

export function parseCopyConfig(raw: unknown, projectId: string): CopyConfig {
  const cfg = raw as Record<string, unknown>;
  const sources: { datasetId: string; tableId: string }[] = [];
  if (cfg.sourceTable !== undefined) sources.push(tableReference(cfg.sourceTable, projectId, 'sourceTable'));
  if (Array.isArray(cfg.sourceTables)) for (const s of cfg.sourceTables) sources.push(tableReference(s, projectId, 'sourceTables'));
  if (sources.length === 0) throw invalid('Required parameter is missing: sourceTable');
  if (cfg.operationType !== undefined && cfg.operationType !== 'COPY') throw invalid(`Unsupported copy operationType ${String(cfg.operationType)}`);
  const dest = tableReference(cfg.destinationTable, projectId, 'destinationTable');
  return {
    sources,
    ...dest,
    writeDisposition: enumValue(cfg.writeDisposition, WRITE_DISPOSITIONS, 'writeDisposition', 'WRITE_EMPTY'),
    createDisposition: enumValue(cfg.createDisposition, CREATE_DISPOSITIONS, 'createDisposition', 'CREATE_IF_NEEDED'),
  };
}

export async function runCopy(c: DuckDBConnection, catalog: Catalog, cfg: CopyConfig, location: string): Promise<JobOutput> {
  const metas = cfg.sources.map((s) => catalog.requireTable(s.datasetId, s.tableId, location));
  const first = metas[0]!;
  for (const m of metas.slice(1)) {
    if (!sameSchema(first.schema, m.schema)) {
      throw invalid(`Cannot copy tables with different schemas: ${catalog.tableName(first.datasetId, first.tableId)} and ${catalog.tableName(m.datasetId, m.tableId)}`);
    }
  }
  if (first.schema.length === 0) throw invalid(`Source table ${catalog.tableName(first.datasetId, first.tableId)} has no schema`);
  const plan = await planWrite(c, catalog, {
    datasetId: cfg.datasetId,
    tableId: cfg.tableId,
    location,
    writeDisposition: cfg.writeDisposition,
    createDisposition: cfg.createDisposition,
    allowFieldAddition: false,
    allowFieldRelaxation: false,
    schema: first.schema.map((f) => ({ ...f })),
  });
  const stage = await createStage(c, plan.schema);
  let rows = 0;
  try {
    const cols = plan.schema.map((f) => ident(f.name)).join(', ');
    for (const m of metas) {
      const casts = plan.schema.map((f) => `CAST(${ident(f.name)} AS ${stageType(f)})`).join(', ');
      const r = await c.run(`INSERT INTO ${tableRef(STAGING, stage)} (${cols}) SELECT ${casts} FROM ${tableRef(m.datasetId, m.tableId)}`);
      rows += r.rowsChanged;
    }
    await commitStaged(c, catalog, plan, stage);
  } finally {
    await dropStage(c, stage);
  }
  return { outputRows: rows };
}
