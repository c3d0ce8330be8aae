/**
 * The DuckDB sink's staging tables and the memory DuckDB may use while it fills them.
 *
 * Each run loads its rows into staging tables `_ns_stage_<runId>_<table>`, committed in batches, and only
 * moves them over the targets in one final transaction. Staging tables are never targets: a run first
 * drops every table with the prefix (left behind by a crashed run), and drops its own on failure.
 */
import { randomBytes } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import { STAGE_PREFIX } from '../../core/names.js';

export { STAGE_PREFIX };

/**
 * The column of a merge table's staging table numbering its rows across all staging tables of the run,
 * in the order they were read (a child row comes after its parent row). Never in a target.
 */
export const SEQ_COLUMN = '_ns_seq';

/** A new run id: 8 hex digits, so two runs never share a staging table name. */
export function newRunId(): string {
  return randomBytes(4).toString('hex');
}

export function stageName(runId: string, target: string): string {
  return `${STAGE_PREFIX}${runId}_${target}`;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Every staging table in the database: this run's, or ones a crashed run left behind. */
export async function stagingTables(connection: DuckDBConnection): Promise<string[]> {
  const reader = await connection.runAndReadAll(
    `SELECT table_name FROM duckdb_tables()
     WHERE database_name = current_database() AND schema_name = current_schema() AND starts_with(table_name, $prefix)
     ORDER BY table_name`,
    { prefix: STAGE_PREFIX },
  );
  return reader.getRowObjectsJS().map((r) => String(r.table_name));
}

/** Drops tables, each in its own auto-committed statement. */
export async function dropTables(connection: DuckDBConnection, names: Iterable<string>): Promise<void> {
  for (const name of names) await connection.run(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
}

/** Drops tables, ignoring failures (a failed run cleaning up after itself must not hide its own error). */
export async function dropTablesBestEffort(connection: DuckDBConnection, names: Iterable<string>): Promise<void> {
  for (const name of names) await connection.run(`DROP TABLE IF EXISTS ${quoteIdent(name)}`).catch(() => {});
}

const MiB = 2 ** 20;
export const STAGING_MEMORY_FLOOR = 128 * MiB;
export const STAGING_MEMORY_PER_COLUMN = 2 * MiB;

/**
 * DuckDB's memory limit while staging, in bytes, for a run whose widest table has `columns` columns.
 * Checkpointing a table pins a few blocks per column at once, so the limit grows with the widest table
 * (measured: a 100-column table of incompressible text needs more than 128 MiB, 160 MiB suffices; 400
 * columns need 700 MiB; several narrower tables fit the limit of the widest one).
 */
export function stagingMemoryLimit(columns: number): number {
  return Math.max(STAGING_MEMORY_FLOOR, columns * STAGING_MEMORY_PER_COLUMN);
}

/** Bytes of a DuckDB size setting as `current_setting('memory_limit')` shows it (`18.8 GiB`, `128.0 MiB`). */
export function parseDuckDbSize(text: string): number | undefined {
  const m = /^\s*([\d.]+)\s*([KMGT]?i?B|bytes?)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = m[2]!.toUpperCase();
  const power = unit.startsWith('K') ? 1 : unit.startsWith('M') ? 2 : unit.startsWith('G') ? 3 : unit.startsWith('T') ? 4 : 0;
  const base = unit.includes('I') ? 1024 : 1000;
  return Math.round(Number(m[1]) * base ** power);
}

/**
 * DuckDB's memory limit while staging. DuckDB keeps the blocks it writes cached up to its memory limit (by
 * default 80% of RAM), so with that limit its memory grows with the run. While staging, the limit is
 * lowered to `stagingMemoryLimit` (never raised); the final transaction runs with DuckDB's own limit again.
 */
export class StagingMemory {
  private original: string | undefined;
  private originalBytes: number | undefined;
  private current: number | undefined;

  constructor(private readonly connection: DuckDBConnection) {}

  /** Sets the limit for staging tables the widest of which has `columns` columns. */
  async fit(columns: number): Promise<void> {
    if (this.original === undefined) {
      const reader = await this.connection.runAndReadAll(`SELECT current_setting('memory_limit') AS memory_limit`);
      this.original = String(reader.getRowObjectsJS()[0]!.memory_limit);
      this.originalBytes = parseDuckDbSize(this.original);
    }
    if (this.originalBytes === undefined) return;
    const limit = Math.min(stagingMemoryLimit(columns), this.originalBytes);
    if (limit === this.current) return;
    await this.connection.run(`SET memory_limit = '${limit}B'`);
    this.current = limit;
  }

  /** Puts back DuckDB's own limit. */
  async restore(): Promise<void> {
    if (this.current === undefined || this.original === undefined) return;
    await this.connection.run(`SET memory_limit = '${this.original.replace(/'/g, "''")}'`);
    this.current = undefined;
  }
}
