/**
 * Datasets and tables: their metadata (schemas with descriptions and modes, locations, times) next to
 * their data in DuckDB (one schema per dataset). Every method that takes a connection expects the
 * caller to hold it exclusively (Duck.exclusive).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { BqError, duplicate, invalid, notFound } from './errors.js';
import { ident, str, tableRef } from './duck.js';
import { columnsDdl, duckType, fieldFromDuck, toPublicSchema } from './schema.js';
import type { Field } from './types.js';

export interface DatasetMeta {
  datasetId: string;
  location: string;
  creationTime: number;
  lastModifiedTime: number;
  extra: Record<string, unknown>;
}

export interface TableMeta {
  datasetId: string;
  tableId: string;
  schema: Field[];
  creationTime: number;
  lastModifiedTime: number;
  /** Echoed table properties: description, labels, friendlyName, timePartitioning, clustering... */
  extra: Record<string, unknown>;
}

const ID_RE = /^[\p{L}\p{M}\p{N}_]+$/u;

export function validateDatasetId(id: string): void {
  if (!/^[A-Za-z0-9_]{1,1024}$/.test(id)) {
    throw invalid(`Invalid dataset ID "${id}". Dataset IDs must be alphanumeric (plus underscores) and must be at most 1024 characters long.`);
  }
}

export function validateTableId(id: string): void {
  if (!ID_RE.test(id) || id.length > 1024) {
    throw invalid(`Invalid table ID "${id}". Table IDs must be alphanumeric (plus underscores) and must be at most 1024 characters long.`);
  }
}

export class Catalog {
  private readonly datasets = new Map<string, DatasetMeta>();
  private readonly tables = new Map<string, Map<string, TableMeta>>();

  constructor(readonly projectId: string) {}

  datasetName(d: string): string {
    return `${this.projectId}:${d}`;
  }
  tableName(d: string, t: string): string {
    return `${this.projectId}:${d}.${t}`;
  }

  dataset(d: string): DatasetMeta | undefined {
    return this.datasets.get(d);
  }
  requireDataset(d: string, location?: string): DatasetMeta {
    const ds = this.datasets.get(d);
    if (!ds) throw notFound(`Dataset ${this.datasetName(d)}${location ? ` was not found in location ${location}` : ''}`);
    if (location && ds.location.toUpperCase() !== location.toUpperCase()) {
      throw notFound(`Dataset ${this.datasetName(d)} was not found in location ${location}`);
    }
    return ds;
  }
  table(d: string, t: string): TableMeta | undefined {
    return this.tables.get(d)?.get(t);
  }
  requireTable(d: string, t: string, location?: string): TableMeta {
    this.requireDataset(d, location);
    const meta = this.table(d, t);
    if (!meta) throw notFound(`Table ${this.tableName(d, t)}${location ? ` was not found in location ${location}` : ''}`);
    return meta;
  }
  tableIds(d: string): string[] {
    return [...(this.tables.get(d)?.keys() ?? [])].sort();
  }
  datasetIds(): string[] {
    return [...this.datasets.keys()].sort();
  }

  async createDataset(c: DuckDBConnection, d: string, location: string, extra: Record<string, unknown>): Promise<DatasetMeta> {
    validateDatasetId(d);
    if (this.datasets.has(d)) throw duplicate(`Dataset ${this.datasetName(d)}`);
    const clash = [...this.datasets.keys()].find((x) => x.toLowerCase() === d.toLowerCase());
    if (clash) throw invalid(`The BigQuery test server cannot hold datasets ${clash} and ${d}, which differ only in case`);
    await c.run(`CREATE SCHEMA ${ident(d)}`);
    const now = Date.now();
    const meta: DatasetMeta = { datasetId: d, location, creationTime: now, lastModifiedTime: now, extra };
    this.datasets.set(d, meta);
    this.tables.set(d, new Map());
    return meta;
  }

  async deleteDataset(c: DuckDBConnection, d: string, deleteContents: boolean): Promise<void> {
    this.requireDataset(d);
    if (!deleteContents && this.tableIds(d).length > 0) {
      throw new BqError(400, 'resourceInUse', `Dataset ${this.datasetName(d)} is still in use`);
    }
    await c.run(`DROP SCHEMA ${ident(d)} CASCADE`);
    this.datasets.delete(d);
    this.tables.delete(d);
  }

  /** Creates the table's metadata and its DuckDB table (none while the schema is empty). */
  async createTable(c: DuckDBConnection, d: string, t: string, schema: Field[], extra: Record<string, unknown> = {}): Promise<TableMeta> {
    validateTableId(t);
    this.requireDataset(d);
    if (this.table(d, t)) throw duplicate(`Table ${this.tableName(d, t)}`);
    const clash = this.tableIds(d).find((x) => x.toLowerCase() === t.toLowerCase());
    if (clash) throw invalid(`The BigQuery test server cannot hold tables ${clash} and ${t}, which differ only in case`);
    if (schema.length > 0) await c.run(`CREATE TABLE ${tableRef(d, t)} (${columnsDdl(schema)})`);
    const now = Date.now();
    const meta: TableMeta = { datasetId: d, tableId: t, schema, creationTime: now, lastModifiedTime: now, extra };
    this.tables.get(d)!.set(t, meta);
    return meta;
  }

  async dropTable(c: DuckDBConnection, d: string, t: string): Promise<void> {
    const meta = this.requireTable(d, t);
    if (meta.schema.length > 0) await c.run(`DROP TABLE IF EXISTS ${tableRef(d, t)}`);
    this.tables.get(d)!.delete(t);
  }

  /** Metadata-only removal/registration, for operations done by SQL inside a transaction. */
  forget(d: string, t: string): void {
    this.tables.get(d)?.delete(t);
  }
  register(meta: TableMeta): void {
    this.tables.get(meta.datasetId)?.set(meta.tableId, meta);
  }

  /**
   * Changes a table's schema to `next` keeping its rows: a new DuckDB table filled from the old one
   * (new fields NULL, or empty arrays), swapped in. The caller runs this inside its transaction.
   */
  async rebuild(c: DuckDBConnection, meta: TableMeta, next: Field[]): Promise<void> {
    const { datasetId: d, tableId: t } = meta;
    if (meta.schema.length === 0) {
      if (next.length > 0) await c.run(`CREATE TABLE ${tableRef(d, t)} (${columnsDdl(next)})`);
      return;
    }
    const tmp = `${t}__bq_rebuild`;
    await c.run(`CREATE TABLE ${tableRef(d, tmp)} (${columnsDdl(next)})`);
    const old = new Map(meta.schema.map((f) => [f.name.toLowerCase(), f]));
    const exprs = next.map((f) => {
      const o = old.get(f.name.toLowerCase());
      return o ? convertExpr(ident(o.name), o, f) : f.mode === 'REPEATED' ? `CAST([] AS ${duckType(f)})` : 'NULL';
    });
    await c.run(`INSERT INTO ${tableRef(d, tmp)} SELECT ${exprs.join(', ')} FROM ${tableRef(d, t)}`);
    await c.run(`DROP TABLE ${tableRef(d, t)}`);
    await c.run(`ALTER TABLE ${tableRef(d, tmp)} RENAME TO ${ident(t)}`);
  }

  async numRows(c: DuckDBConnection, meta: TableMeta): Promise<number> {
    if (meta.schema.length === 0) return 0;
    const r = await c.runAndReadAll(`SELECT count(*) FROM ${tableRef(meta.datasetId, meta.tableId)}`);
    return Number(r.getRows()[0]![0]);
  }

  /**
   * After SQL DDL (CREATE/DROP/ALTER TABLE): brings the metadata in line with DuckDB. Descriptions
   * of surviving columns are kept.
   */
  async resync(c: DuckDBConnection): Promise<void> {
    for (const d of this.datasetIds()) {
      const r = await c.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE schema_name = ${str(d)} AND NOT temporary`);
      const names = new Set(r.getRows().map((x) => String(x[0])));
      const metas = this.tables.get(d)!;
      for (const [t, meta] of [...metas]) if (meta.schema.length > 0 && !names.has(t)) metas.delete(t);
      for (const t of names) {
        const old = metas.get(t);
        const cols = await c.runAndReadAll(`SELECT * FROM ${tableRef(d, t)} LIMIT 0`);
        const nn = await c.runAndReadAll(
          `SELECT column_name, is_nullable FROM duckdb_columns() WHERE schema_name = ${str(d)} AND table_name = ${str(t)}`,
        );
        const nullable = new Map(nn.getRows().map((x) => [String(x[0]), Boolean(x[1])]));
        const descr = new Map((old?.schema ?? []).map((f) => [f.name.toLowerCase(), f.description]));
        const schema = cols.columnNames().map((name, i) => {
          const f = fieldFromDuck(name, cols.columnTypes()[i]!, nullable.get(name) ?? true);
          const description = descr.get(name.toLowerCase());
          return description !== undefined ? { ...f, description } : f;
        });
        if (old) {
          if (JSON.stringify(toPublicSchema(old.schema)) !== JSON.stringify(toPublicSchema(schema))) {
            old.schema = schema;
            old.lastModifiedTime = Date.now();
          }
        } else {
          const now = Date.now();
          metas.set(t, { datasetId: d, tableId: t, schema, creationTime: now, lastModifiedTime: now, extra: {} });
        }
      }
    }
  }
}

/** An expression turning a column of field `from` into one of field `to` (same type, maybe more subfields). */
function convertExpr(e: string, from: Field, to: Field): string {
  if (to.type !== 'RECORD' || JSON.stringify(from.fields) === JSON.stringify(to.fields)) return e;
  const structOf = (x: string): string => {
    const old = new Map((from.fields ?? []).map((f) => [f.name.toLowerCase(), f]));
    const members = (to.fields ?? []).map((sub) => {
      const o = old.get(sub.name.toLowerCase());
      const value = o ? convertExpr(`${x}.${ident(o.name)}`, o, sub) : sub.mode === 'REPEATED' ? `CAST([] AS ${duckType(sub)})` : `CAST(NULL AS ${duckType(sub)})`;
      return `${ident(sub.name)} := ${value}`;
    });
    return `CASE WHEN ${x} IS NULL THEN NULL ELSE struct_pack(${members.join(', ')}) END`;
  };
  return from.mode === 'REPEATED' ? `list_transform(${e}, __x -> ${structOf('__x')})` : structOf(e);
}
