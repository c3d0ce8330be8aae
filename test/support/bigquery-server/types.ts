/** Public types of the BigQuery test server, and the schema shape shared by its modules. */

export interface BigQueryServerOptions {
  port?: number;
  /** Default 'test-project'; requests for another project → 404 notFound. */
  projectId?: string;
  /** How long a job stays RUNNING before DONE, ms (default 0: DONE at the first jobs.get after creation completes). */
  jobRunningMs?: number;
  /** Load (and copy) jobs allowed per table per server lifetime (BigQuery: 1,500/day). Past it the job fails with quotaExceeded. Default 1500. */
  loadJobsPerTableLimit?: number;
}

export type BigQueryFault =
  | { kind: 'upload_status'; status: number; table?: string; count?: number }
  | { kind: 'upload_drop'; table?: string; count?: number; afterBytes?: number }
  | { kind: 'upload_lost_response'; table?: string; count?: number }
  | { kind: 'job_error'; table?: string; count?: number; reason?: string; message?: string }
  | { kind: 'query_error'; count?: number; match?: string; reason?: string; message?: string }
  | { kind: 'slow_jobs'; ms: number };

export interface ErrorProto {
  reason: string;
  message: string;
  location?: string;
}

export interface JobRecord {
  jobId: string;
  location?: string;
  type: 'LOAD' | 'COPY' | 'QUERY';
  /** Destination, for load/copy. */
  datasetId?: string;
  tableId?: string;
  state: 'PENDING' | 'RUNNING' | 'DONE';
  errorResult?: ErrorProto;
  query?: string;
  /** Output rows (load/copy), affected rows (DML) or result rows (SELECT). */
  rows?: number;
  /** As sent in configuration.load, so tests can assert they are never set. */
  maxBadRecords?: number;
  ignoreUnknownValues?: boolean;
  writeDisposition?: string;
  createDisposition?: string;
}

export interface SchemaFieldInfo {
  name: string;
  type: string;
  mode?: string;
  description?: string;
  fields?: SchemaFieldInfo[];
}

export interface BigQueryTestServer {
  url: string;
  projectId: string;
  inject(fault: BigQueryFault): void;
  clearFaults(): void;
  jobs(): JobRecord[];
  requests(): { method: string; path: string; status: number }[];
  tableIds(datasetId: string): string[];
  rows(datasetId: string, tableId: string): Promise<Record<string, unknown>[]>;
  schema(datasetId: string, tableId: string): SchemaFieldInfo[] | undefined;
  close(): Promise<void>;
}

/** A normalized schema field: legacy type names (INTEGER, FLOAT, BOOLEAN, RECORD), mode always set. */
export interface Field {
  name: string;
  type: BqType;
  mode: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
  description?: string;
  fields?: Field[];
}

export type BqType =
  | 'STRING'
  | 'BYTES'
  | 'INTEGER'
  | 'FLOAT'
  | 'NUMERIC'
  | 'BOOLEAN'
  | 'TIMESTAMP'
  | 'DATE'
  | 'DATETIME'
  | 'TIME'
  | 'JSON'
  | 'RECORD';

/**
 * A value as the server holds it between DuckDB and the wire: STRING/JSON/NUMERIC/DATE/DATETIME/TIME as
 * strings (JSON as its JSON text, DATETIME as `YYYY-MM-DDTHH:MM:SS[.ffffff]`), INTEGER as bigint,
 * TIMESTAMP as bigint microseconds since the epoch, FLOAT as number, BOOLEAN as boolean, BYTES as
 * Uint8Array, RECORD as an object keyed by field name, REPEATED as an array.
 */
export type Value = null | string | number | bigint | boolean | Uint8Array | Value[] | { [name: string]: Value };
export type Row = Value[];
