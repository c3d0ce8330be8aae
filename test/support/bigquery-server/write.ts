/**
 * Writing a job's output into its destination table, atomically: the write/create dispositions and
 * schema update options decide the table's final schema (planWrite), the rows wait in a staging table,
 * and one DuckDB transaction creates, replaces, truncates or appends (commitStaged). A job that fails
 * before the commit changes nothing.
 */
import { DuckDBDateValue, DuckDBTimeValue, DuckDBTimestampValue, type DuckDBAppender, type DuckDBConnection, type DuckDBType } from '@duckdb/node-api';
import { duplicate, invalid, notFound } from './errors.js';
import { STAGING, ident, tableRef } from './duck.js';
import type { Catalog, TableMeta } from './catalog.js';
import { columnsDdl, duckType, evolveSchema, sameSchema } from './schema.js';
import type { Field, Row, Value } from './types.js';
import { dateDays, datetimeMicros, timeMicros, toDuck } from './values.js';

export const WRITE_DISPOSITIONS = ['WRITE_APPEND', 'WRITE_TRUNCATE', 'WRITE_TRUNCATE_DATA', 'WRITE_EMPTY'] as const;
export const CREATE_DISPOSITIONS = ['CREATE_IF_NEEDED', 'CREATE_NEVER'] as const;

export interface WriteSpec {
  datasetId: string;
  tableId: string;
  location: string;
  writeDisposition: string;
  createDisposition: string;
  allowFieldAddition: boolean;
  allowFieldRelaxation: boolean;
  /** The schema the job brings (load schema, source table's, query result's); undefined: the table's. */
  schema: Field[] | undefined;
}

export interface WritePlan {
  spec: WriteSpec;
  action: 'create' | 'replace' | 'append' | 'truncate';
  existing?: TableMeta;
  /** The destination's schema after the job; rows are validated against it. */
  schema: Field[];
}

export async function planWrite(c: DuckDBConnection, catalog: Catalog, spec: WriteSpec): Promise<WritePlan> {
  const { datasetId: d, tableId: t } = spec;
  catalog.requireDataset(d, spec.location);
  const existing = catalog.table(d, t);
  const name = catalog.tableName(d, t);
  if (!existing) {
    if (spec.createDisposition === 'CREATE_NEVER') throw notFound(`Table ${name}`);
    if (!spec.schema || spec.schema.length === 0) throw invalid('No schema specified on job or table.');
    return { spec, action: 'create', schema: spec.schema };
  }
  if (existing.schema.length === 0) {
    if (!spec.schema || spec.schema.length === 0) throw invalid('No schema specified on job or table.');
    return { spec, action: 'replace', existing, schema: spec.schema };
  }
  const updates = spec.allowFieldAddition || spec.allowFieldRelaxation;
  if (updates && spec.writeDisposition !== 'WRITE_APPEND' && spec.writeDisposition !== 'WRITE_TRUNCATE_DATA') {
    throw invalid(
      'Schema update options should only be specified with WRITE_APPEND disposition, or with WRITE_TRUNCATE disposition on a table partition.',
    );
  }
  const evolve = () =>
    spec.schema
      ? evolveSchema(existing.schema, spec.schema, {
          allowAddition: spec.allowFieldAddition,
          allowRelaxation: spec.allowFieldRelaxation,
          table: name,
        })
      : existing.schema;
  switch (spec.writeDisposition) {
    case 'WRITE_TRUNCATE':
      return { spec, action: 'replace', existing, schema: spec.schema ?? existing.schema };
    case 'WRITE_TRUNCATE_DATA':
      return { spec, action: 'truncate', existing, schema: evolve() };
    case 'WRITE_EMPTY':
      if ((await catalog.numRows(c, existing)) > 0) throw duplicate(`Table ${name}`);
      return { spec, action: 'append', existing, schema: evolve() };
    default:
      return { spec, action: 'append', existing, schema: evolve() };
  }
}

let stageSeq = 0;

/**
 * The column type a field has in a staging table: what the appender writes fastest (TIMESTAMP as a
 * UTC wall-clock TIMESTAMP, NUMERIC as its text); the commit casts to the real type.
 */
export function stageType(f: Field): string {
  if (f.mode !== 'REPEATED' && f.type === 'TIMESTAMP') return 'TIMESTAMP';
  if (f.mode !== 'REPEATED' && f.type === 'NUMERIC') return 'VARCHAR';
  return duckType(f);
}

/** A fresh staging table with the plan's columns (no NOT NULL: rows were validated already). */
export async function createStage(c: DuckDBConnection, schema: readonly Field[]): Promise<string> {
  const name = `stage_${++stageSeq}`;
  await c.run(`CREATE TABLE ${tableRef(STAGING, name)} (${schema.map((f) => `${ident(f.name)} ${stageType(f)}`).join(', ')})`);
  return name;
}

export async function appendRows(c: DuckDBConnection, stage: string, schema: readonly Field[], rows: readonly Row[]): Promise<void> {
  if (rows.length === 0) return;
  const app = await c.createAppender(stage, STAGING);
  try {
    const appenders = schema.map((f, i) => cellAppender(app, f, app.columnType(i)));
    const n = appenders.length;
    for (const row of rows) {
      for (let i = 0; i < n; i++) {
        const v = row[i] ?? null;
        if (v === null) app.appendNull();
        else appenders[i]!(v);
      }
      app.endRow();
    }
    app.flushSync();
  } finally {
    app.closeSync();
  }
}

/** The fastest appender call for a column's non-null values. */
function cellAppender(app: DuckDBAppender, f: Field, type: DuckDBType): (v: Value) => void {
  if (f.mode === 'REPEATED' || f.type === 'RECORD') return (v) => app.appendValue(toDuck(f, v), type);
  switch (f.type) {
    case 'STRING':
    case 'JSON':
      return (v) => app.appendVarchar(v as string);
    case 'INTEGER':
      return (v) => app.appendBigInt(v as bigint);
    case 'FLOAT':
      return (v) => app.appendDouble(v as number);
    case 'BOOLEAN':
      return (v) => app.appendBoolean(v as boolean);
    case 'TIMESTAMP':
      return (v) => app.appendTimestamp(new DuckDBTimestampValue(v as bigint));
    case 'NUMERIC':
      return (v) => app.appendVarchar(v as string);
    case 'DATE':
      return (v) => app.appendDate(new DuckDBDateValue(dateDays(v as string)));
    case 'DATETIME':
      return (v) => app.appendTimestamp(new DuckDBTimestampValue(datetimeMicros(v as string)));
    case 'TIME':
      return (v) => app.appendTime(new DuckDBTimeValue(timeMicros(v as string)));
    case 'BYTES':
      return (v) => app.appendBlob(v as Uint8Array);
    default:
      return (v) => app.appendValue(toDuck(f, v), type);
  }
}

export async function dropStage(c: DuckDBConnection, stage: string): Promise<void> {
  await c.run(`DROP TABLE IF EXISTS ${tableRef(STAGING, stage)}`);
}

/** Applies the plan in one transaction; the catalog changes only when it commits. */
export async function commitStaged(c: DuckDBConnection, catalog: Catalog, plan: WritePlan, stage: string): Promise<void> {
  const { datasetId: d, tableId: t } = plan.spec;
  const dest = tableRef(d, t);
  const cols = plan.schema.map((f) => ident(f.name)).join(', ');
  const casts = plan.schema.map((f) => `CAST(${ident(f.name)} AS ${duckType(f)})`).join(', ');
  const insert = `INSERT INTO ${dest} (${cols}) SELECT ${casts} FROM ${tableRef(STAGING, stage)}`;
  await c.run('BEGIN TRANSACTION');
  try {
    switch (plan.action) {
      case 'create':
      case 'replace':
        await c.run(`DROP TABLE IF EXISTS ${dest}`);
        await c.run(`CREATE TABLE ${dest} (${columnsDdl(plan.schema)})`);
        break;
      case 'append':
      case 'truncate':
        if (!sameSchema(plan.existing!.schema, plan.schema)) await catalog.rebuild(c, plan.existing!, plan.schema);
        if (plan.action === 'truncate') await c.run(`DELETE FROM ${dest}`);
        break;
    }
    await c.run(insert);
    await c.run('COMMIT');
  } catch (e) {
    await c.run('ROLLBACK');
    throw e;
  }
  const now = Date.now();
  if (plan.existing) {
    plan.existing.schema = plan.schema;
    plan.existing.lastModifiedTime = now;
  } else {
    catalog.register({ datasetId: d, tableId: t, schema: plan.schema, creationTime: now, lastModifiedTime: now, extra: {} });
  }
}
