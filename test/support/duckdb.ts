import { DuckDBInstance } from '@duckdb/node-api';

/** Every data table of a DuckDB file (not the state table): its column names and types, and its rows sorted, as plain JSON. */
export async function dumpDuckDb(path: string): Promise<Record<string, { columns: string[]; rows: unknown[][] }>> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const c = await instance.connect();
  try {
    const tables = (await c.runAndReadAll("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_name <> '_notion_stream_state' ORDER BY 1")).getRowsJS().map((r) => String(r[0]));
    const out: Record<string, { columns: string[]; rows: unknown[][] }> = {};
    for (const t of tables) {
      const cols = (await c.runAndReadAll(`SELECT column_name || ':' || data_type FROM information_schema.columns WHERE table_name = '${t}' ORDER BY ordinal_position`)).getRowsJS().map((r) => String(r[0]));
      const rows = (await c.runAndReadAll(`SELECT * FROM "${t}"`)).getRowsJson() as unknown[][];
      rows.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
      out[t] = { columns: cols, rows };
    }
    return out;
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}
