/** Picks the sink for `--to`, with its defaults, from the command-line options. */
import type { Writable } from 'node:stream';
import { NotionStreamError } from '../errors.js';
import { CsvSink } from './csv.js';
import { DEFAULT_DUCKDB_PATH, DuckDbSink } from './duckdb/sink.js';
import { NdjsonSink } from './ndjson.js';
import type { Sink } from './types.js';
import { BigQuerySink } from './bigquery/sink.js';

export { DESTINATIONS, type Destination, type WriteMode } from './destinations.js';
import type { Destination, WriteMode } from './destinations.js';

export interface SinkOptions {
  /** Default `duckdb` where a caller leaves it out (`sync`). */
  to: Destination;
  /** DuckDB file (default `notion.duckdb`), NDJSON file (default: `stdout`) or CSV directory (default `notion-csv`). */
  out?: string;
  /** `replace` (default), `append`, or `merge` (DuckDB, BigQuery). Incremental runs merge. */
  mode?: WriteMode;
  stdout?: NodeJS.WritableStream;
  /** BigQuery project. Default: env `GOOGLE_CLOUD_PROJECT`. */
  project?: string;
  /** BigQuery dataset (required for `to: 'bigquery'`); created in `location` when missing. */
  dataset?: string;
  /** BigQuery location of the dataset and its jobs. */
  location?: string;
  /** A BigQuery-compatible REST endpoint (no Google credentials then). Default: env `BIGQUERY_API_ENDPOINT`. */
  bigqueryEndpoint?: string;
  /** Warehouses: rebuild tables whose column types changed, from the run's rows (see sinks/evolution.ts). Incremental `sync`: read every data source in full. Default false. */
  fullRefresh?: boolean;
  /** Warehouses: deletion records set `_deleted_at` instead of deleting rows. Default false. */
  softDelete?: boolean;
  /**
   * CSV, and NDJSON into a file: the state file, written in the same commit as the output and read back
   * by the sink's `readState()` (after recovering a commit a killed run left). Ignored otherwise.
   */
  state?: string;
  env?: NodeJS.ProcessEnv;
  /** Progress lines of the sink. */
  log?: (line: string) => void;
}

export const DEFAULT_CSV_DIR = 'notion-csv';

/** Where a BigQuery destination is, resolved from command-line style options (see `bigQueryTarget`). */
export interface BigQueryTarget {
  projectId: string;
  datasetId: string;
  location: string | undefined;
  endpoint: string | undefined;
}

/**
 * The BigQuery project, dataset, location and API endpoint of `options`: `project` default
 * `GOOGLE_CLOUD_PROJECT`, `bigqueryEndpoint` default `BIGQUERY_API_ENDPOINT`, both from `env` (default
 * `process.env`); a missing project or dataset is '' (the sink refuses it with `invalid_option`).
 */
export function bigQueryTarget(options: Pick<SinkOptions, 'project' | 'dataset' | 'location' | 'bigqueryEndpoint' | 'env'>): BigQueryTarget {
  const env = options.env ?? process.env;
  return {
    projectId: options.project ?? env.GOOGLE_CLOUD_PROJECT ?? '',
    datasetId: options.dataset ?? '',
    location: options.location,
    endpoint: options.bigqueryEndpoint ?? (env.BIGQUERY_API_ENDPOINT || undefined),
  };
}

/**
 * The sink `--to` names, built from command-line style options: `to` duckdb (file `out`, default
 * `notion.duckdb`), bigquery (project default `GOOGLE_CLOUD_PROJECT`, endpoint default
 * `BIGQUERY_API_ENDPOINT`, from `env`), ndjson (file `out`, or stdout) or csv (directory `out`, default
 * `notion-csv`); `mode` default `replace`. Throws `NotionStreamError` `invalid_option` when the mode does
 * not apply to the destination (merge or append for ndjson/csv) or BigQuery has no project, and the
 * sinks' constructor codes (`invalid_option`: no BigQuery dataset, a bad DuckDB mode).
 */
export function createSink(options: SinkOptions): Sink {
  const mode = options.mode ?? 'replace';
  if (options.to === 'bigquery') {
    return new BigQuerySink({
      ...bigQueryTarget(options),
      mode,
      fullRefresh: options.fullRefresh,
      softDelete: options.softDelete,
      log: options.log,
    });
  }
  if (options.to === 'duckdb') return new DuckDbSink({ path: options.out ?? DEFAULT_DUCKDB_PATH, mode, softDelete: options.softDelete, fullRefresh: options.fullRefresh });
  if (mode === 'merge') {
    throw new NotionStreamError('invalid_option', `--mode merge is available for --to duckdb and --to bigquery; --to ${options.to} takes --mode replace (the default) or append.`, false);
  }
  switch (options.to) {
    case 'ndjson':
      if (mode !== 'replace') throw new NotionStreamError('invalid_option', `--mode ${mode} does not apply to --to ndjson, which always writes a whole new file or stdout.`, false);
      return new NdjsonSink({ out: options.out, stdout: options.stdout as Writable | undefined, state: options.state });
    case 'csv':
      if (mode !== 'replace') throw new NotionStreamError('invalid_option', `--mode ${mode} does not apply to --to csv, which always writes whole new files.`, false);
      return new CsvSink({ dir: options.out ?? DEFAULT_CSV_DIR, state: options.state });
  }
}
