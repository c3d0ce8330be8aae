import { DuckDBInstance } from '@duckdb/node-api';

/** The lineage columns every warehouse table gets from `sync`. */
export const LINEAGE = ['_synced_at', '_run_id'];

/**
 * Every data table of a DuckDB file (not the state and runs tables): its column names and types, and its
 * rows sorted, as plain JSON. The lineage columns (`_synced_at`, `_run_id`: they differ from run to run)
 * are left out unless `lineage` is true.
 */
export async function dumpDuckDb(path: string, options: { lineage?: boolean } = {}): Promise<Record<string, { columns: string[]; rows: unknown[][] }>> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const c = await instance.connect();
  try {
    const tables = (await c.runAndReadAll("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_name NOT IN ('_notion_stream_state', '_notion_stream_runs') ORDER BY 1")).getRowsJS().map((r) => String(r[0]));
    const out: Record<string, { columns: string[]; rows: unknown[][] }> = {};
    for (const t of tables) {
      const all = (await c.runAndReadAll(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${t}' ORDER BY ordinal_position`)).getRowsJS().map((r) => [String(r[0]), String(r[1])] as const);
      const kept = all.filter(([name]) => options.lineage || !LINEAGE.includes(name));
      const cols = kept.map(([name, type]) => `${name}:${type}`);
      const rows = (await c.runAndReadAll(`SELECT ${kept.map(([name]) => `"${name}"`).join(', ')} FROM "${t}"`)).getRowsJson() as unknown[][];
      rows.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
      out[t] = { columns: cols, rows };
    }
    return out;
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

/** The rows of a query on a DuckDB file as JSON objects; opened read-only unless `readWrite` (which creates a missing file). */
export async function queryDuckDb(path: string, sql: string, options: { readWrite?: boolean } = {}): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(path, options.readWrite ? {} : { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
