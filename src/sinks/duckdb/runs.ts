/** The runs table of a DuckDB file: created when missing, one row appended per run. */
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent } from './staging.js';
import { RUN_COLUMNS, RUNS_TABLE, type RunRecord } from '../types.js';

const SQL_TYPES = { STRING: 'VARCHAR', TIMESTAMP: 'TIMESTAMPTZ', INTEGER: 'BIGINT' } as const;

/** Appends `record` to RUNS_TABLE (created when missing), in the connection's current transaction. */
export async function saveRun(connection: DuckDBConnection, record: RunRecord): Promise<void> {
  const table = quoteIdent(RUNS_TABLE);
  await connection.run(`CREATE TABLE IF NOT EXISTS ${table} (${RUN_COLUMNS.map((c) => `${quoteIdent(c.name)} ${SQL_TYPES[c.kind]}`).join(', ')})`);
  const values = RUN_COLUMNS.map((c) => `CAST($${c.name} AS ${SQL_TYPES[c.kind]})`);
  const params = Object.fromEntries(RUN_COLUMNS.map((c) => [c.name, record[c.name] === null ? null : String(record[c.name])]));
  await connection.run(`INSERT INTO ${table} (${RUN_COLUMNS.map((c) => quoteIdent(c.name)).join(', ')}) VALUES (${values.join(', ')})`, params);
}
