/** What `sync()` returns: what it wrote, what it cost, and what changed. */
import type { ChangeReport } from '../stages/read-changes.js';
import type { TableSummary } from '../sinks/types.js';

/** The typed result of one `sync()` call. */
export interface SyncSummary {
  /** This run's id (also in `_run_id` and `_notion_stream_runs` of the warehouses). */
  runId: string;
  /** `full` or `incremental`. */
  mode: 'full' | 'incremental';
  /** Where the data went: a DuckDB file, `<project>.<dataset>`, a CSV directory, an NDJSON file or `stdout`. */
  destination: string;
  /** Every table of the run with the rows the run wrote to it, in the order they arrived. */
  tables: TableSummary[];
  /** Rows written, over every table. */
  rows: number;
  /** BigQuery: the jobs the run created. */
  jobs?: { load: number; copy: number; query: number };
  /** Data sources listed, pages read, values completed (truncated by Notion). */
  dataSources: number;
  pages: number;
  completions: number;
  /** Notion requests sent, retried, and 429 waits with their total time (milliseconds). */
  requests: number;
  retries: number;
  rateLimitWaits: number;
  waitMs: number;
  /** Requests of each workspace table read (`users`, `catalog`, `content`, `comments`, `pages`). */
  workspaceRequests: Record<string, number>;
  /** Incremental runs: what changed (data sources merged and read in full, pages edited, deletions). */
  changes?: ChangeReport;
  /** True for an incremental run that found nothing to change: no full read, no edit, no deletion. */
  nothingChanged?: boolean;
  /** The state committed with the data (incremental runs, full runs into a warehouse). */
  state?: unknown;
  /** ISO 8601 times of the start and the end of the run, and its length in seconds. */
  startedAt: string;
  finishedAt: string;
  seconds: number;
}

/** True when an incremental run found nothing to change: no full read, no edit, no deletion. */
export function nothingChanged(report: ChangeReport): boolean {
  return report.full.length === 0 && report.edited === 0 && report.trashed === 0 && report.missing === 0;
}
