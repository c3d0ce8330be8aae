/** The destinations `--to` accepts and the write modes, without loading any sink (the CLI parses with them). */
export const DESTINATIONS = ['duckdb', 'ndjson', 'csv', 'bigquery'] as const;
/** One of `DESTINATIONS`. */
export type Destination = (typeof DESTINATIONS)[number];
/** `--mode`: replace (default), append, merge (DuckDB and BigQuery). */
export type WriteMode = 'replace' | 'append' | 'merge';
