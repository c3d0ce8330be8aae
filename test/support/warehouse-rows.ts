/**
 * Reads every table of a DuckDB file and of a BigQuery dataset (through the real client) into the same
 * canonical form, so the two sinks can be compared type by type:
 *   TIMESTAMP → ISO string with milliseconds and Z   DATE → 'YYYY-MM-DD'   INTEGER → number (string past 2^53)
 *   FLOAT → number   BOOLEAN → boolean   STRING → string   JSON → the parsed value   lists → arrays
 * Rows are sorted by their JSON text; columns are reported with their warehouse type.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import type { BigQuery } from '@google-cloud/bigquery';
import { LINEAGE } from './duckdb.js';

export type CanonicalTables = Record<string, { columns: Record<string, string>; rows: Record<string, unknown>[] }>;

const DUCK_TYPES: Record<string, string> = {
  'TIMESTAMP WITH TIME ZONE': 'TIMESTAMP',
  DATE: 'DATE',
  BIGINT: 'INTEGER',
  DOUBLE: 'FLOAT',
  BOOLEAN: 'BOOLEAN',
  VARCHAR: 'STRING',
  JSON: 'JSON',
};

function warehouseType(duckType: string): string {
  if (duckType.endsWith('[]')) return `REPEATED ${warehouseType(duckType.slice(0, -2))}`;
  return DUCK_TYPES[duckType] ?? duckType;
}

function canonical(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (type.startsWith('REPEATED ')) return (value as unknown[]).map((v) => canonical(v, type.slice(9)));
  switch (type) {
    case 'TIMESTAMP':
      return new Date(value instanceof Date ? value : typeof value === 'object' ? String((value as { value: unknown }).value) : String(value)).toISOString();
    case 'DATE':
      return value instanceof Date ? value.toISOString().slice(0, 10) : typeof value === 'object' ? String((value as { value: unknown }).value) : String(value);
    case 'INTEGER': {
      const n = typeof value === 'object' ? String((value as { value: unknown }).value) : value;
      const big = BigInt(n as string | number | bigint);
      return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(big) : big.toString();
    }
    case 'JSON':
      return typeof value === 'string' ? JSON.parse(value) : value;
    default:
      return value;
  }
}

/** Rows with their keys in name order, sorted by their JSON text (so column order does not matter). */
function sortRows(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows
    .map((r) => Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))
    .map((r) => [JSON.stringify(r), r] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, r]) => r);
}

/** Every data table of a DuckDB file (not the state and runs tables), canonical, without the lineage columns. */
export async function duckDbTables(path: string): Promise<CanonicalTables> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const c = await instance.connect();
  try {
    const names = (await c.runAndReadAll("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_name NOT IN ('_notion_stream_state', '_notion_stream_runs') ORDER BY 1")).getRowsJS().map((r) => String(r[0]));
    const out: CanonicalTables = {};
    for (const t of names) {
      const cols = (await c.runAndReadAll(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${t}' ORDER BY ordinal_position`)).getRowsJS();
      const columns = Object.fromEntries(cols.filter(([n]) => !LINEAGE.includes(String(n))).map(([n, ty]) => [String(n), warehouseType(String(ty))]));
      const rows = (await c.runAndReadAll(`SELECT * FROM "${t}"`)).getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).filter(([k]) => k in columns).map(([k, v]) => [k, canonical(v, columns[k]!)])));
      out[t] = { columns, rows: sortRows(rows) };
    }
    return out;
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

const BQ_ALIASES: Record<string, string> = { INT64: 'INTEGER', FLOAT64: 'FLOAT', BOOL: 'BOOLEAN' };

/** Every data table of a BigQuery dataset (not the state, runs and pending tables; no lineage columns) read back through the real client (tables.get + tabledata.list), canonical. */
export async function bigQueryTables(client: BigQuery, datasetId: string, location?: string): Promise<CanonicalTables> {
  const [tables] = await client.dataset(datasetId, { location }).getTables();
  const out: CanonicalTables = {};
  for (const table of tables.filter((t) => !['_notion_stream_state', '_notion_stream_runs', '_notion_stream_pending'].includes(t.id!)).sort((a, b) => (a.id! < b.id! ? -1 : 1))) {
    const [metadata] = await table.getMetadata();
    const fields = ((metadata.schema?.fields ?? []) as { name: string; type: string; mode?: string }[]).filter((f) => !LINEAGE.includes(f.name));
    const columns = Object.fromEntries(fields.map((f) => [f.name, `${f.mode === 'REPEATED' ? 'REPEATED ' : ''}${BQ_ALIASES[f.type] ?? f.type}`]));
    const [rows] = await table.getRows({ autoPaginate: true });
    out[table.id!] = {
      columns,
      rows: sortRows((rows as Record<string, unknown>[]).map((row) => Object.fromEntries(fields.map((f) => [f.name, canonical(row[f.name], columns[f.name]!)])))),
    };
  }
  return out;
}
