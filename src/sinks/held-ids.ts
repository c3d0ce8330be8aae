/**
 * What a warehouse answers about the pages its tables hold, so the state of incremental runs into it keeps
 * no page ids: the trash search's finds and a reconciliation's listing are checked against the table.
 *
 * "Held" means a row of the table whose `_deleted_at` is NULL (or that has no such column): a row soft
 * deleted by an earlier run is already deleted as far as the sync goes, so it is neither counted nor marked
 * again. A table that does not exist holds nothing. CSV and NDJSON cannot answer: their states keep the
 * ids (state/id-set.ts). `createHeldIds` (./create-held-ids.ts) gives a destination's answers.
 */
import type { IdSet } from '../state/id-set.js';

/** What `HeldIds.held` asks about one table. */
export interface HeldQuery {
  /** Page ids (dashed) to look up, e.g. the pages found in the trash. */
  ids: readonly string[];
  /** Also every held row whose `last_edited_time` is at or after this instant (ISO), e.g. the watermark's minute. */
  editedSince?: string;
}

/** A warehouse's answers about the page ids its tables hold (see the module comment for "held"). */
export interface HeldIds {
  /**
   * How many `held` questions (one per table) may be asked at once. Default 1. BigQuery answers each with
   * a query job of a second or more, so an incremental run of many tables asks several at a time.
   */
  readonly concurrency?: number;
  /**
   * The ids (as the table stores them: dashed) of the held rows of `table` that `query.ids` names, and of
   * those edited at or after `query.editedSince`. Empty when the table does not exist. Rejects with
   * `io_error` (DuckDB) or `bigquery_error` (retryable when BigQuery was unreachable or failed with 5xx),
   * `aborted` when `signal` aborts.
   */
  held(table: string, query: HeldQuery, signal?: AbortSignal): Promise<Set<string>>;
  /**
   * The ids of the held rows of `table` that `listed` lacks (pages deleted for good or unshared). Empty
   * when the table does not exist. Rejects as `held`.
   */
  notListed(table: string, listed: IdSet, signal?: AbortSignal): Promise<string[]>;
  /** Releases what the answers opened (a DuckDB connection); the object may be used again after. */
  close(): Promise<void>;
}
