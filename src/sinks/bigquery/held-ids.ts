/**
 * BigQuery's answers about the page ids its tables hold (../held-ids.ts): query jobs through the client.
 * The ids to look up go as an ARRAY<STRING> query parameter (at most IDS_PER_QUERY per job, well under
 * the request size limits); a reconciliation reads the held ids page by page (getQueryResults) and checks
 * each against the listing, so neither side is ever whole in memory as row objects. Each answer costs one
 * query job per table asked about (plus one per further IDS_PER_QUERY ids); a table that does not exist
 * costs none.
 */
import type { BigQuery, Query } from '@google-cloud/bigquery';
import { DELETED_AT } from '../../core/flatten.js';
import type { IdSet } from '../../state/id-set.js';
import { throwIfAborted } from '../../util/abort.js';
import type { HeldIds, HeldQuery } from '../held-ids.js';
import { bigQueryApiError } from './api-error.js';
import { createBigQueryClient, type BigQueryClientOptions } from './client.js';
import { column, tableSql } from './sql.js';

/** Ids per query job of `held`. */
export const IDS_PER_QUERY = 10_000;
/** Rows per page of query results. */
const PAGE_ROWS = 50_000;

/** Query jobs of `held` in flight at once (one per table). */
export const HELD_QUERIES_AT_ONCE = 4;

/** `HeldIds` of a BigQuery dataset. */
export class BigQueryHeldIds implements HeldIds {
  readonly concurrency = HELD_QUERIES_AT_ONCE;
  private readonly client: BigQuery;

  constructor(private readonly options: BigQueryClientOptions & { datasetId: string }) {
    this.client = createBigQueryClient(options);
  }

  private error(err: unknown, doing: string) {
    return bigQueryApiError(err, doing, { destination: `${this.options.projectId}.${this.options.datasetId}`, endpoint: this.options.endpoint });
  }

  /** The live-row condition of `table`, or undefined when the table (or the dataset) does not exist. */
  private async liveRows(table: string): Promise<string | undefined> {
    let fields: { name?: string }[];
    try {
      const [metadata] = await this.client.dataset(this.options.datasetId).table(table).getMetadata();
      fields = (metadata as { schema?: { fields?: { name?: string }[] } }).schema?.fields ?? [];
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw this.error(err, `reading the schema of table ${table}`);
    }
    const names = new Set(fields.map((f) => String(f.name).toLowerCase()));
    if (!names.has('id')) return undefined;
    return names.has(DELETED_AT) ? `${column(DELETED_AT)} IS NULL` : 'TRUE';
  }

  /** Runs `query` and hands each page of result rows to `onRows`. */
  private async select(query: Query, doing: string, onRows: (rows: { id?: unknown }[]) => void, signal?: AbortSignal): Promise<void> {
    try {
      const [job] = await this.client.createQueryJob({ ...query, location: this.options.location, jobPrefix: 'notion_stream_held_ids_' });
      let pageToken: string | undefined;
      do {
        throwIfAborted(signal);
        const [rows, next] = (await job.getQueryResults({ autoPaginate: false, maxResults: PAGE_ROWS, ...(pageToken ? { pageToken } : {}) })) as unknown as [{ id?: unknown }[], { pageToken?: string } | null];
        onRows(rows);
        pageToken = next?.pageToken ?? undefined;
      } while (pageToken);
    } catch (err) {
      if ((err as { code?: string }).code === 'aborted') throw err;
      throw this.error(err, doing);
    }
  }

  async held(table: string, query: HeldQuery, signal?: AbortSignal): Promise<Set<string>> {
    throwIfAborted(signal);
    const found = new Set<string>();
    if (query.ids.length === 0 && query.editedSince === undefined) return found;
    const live = await this.liveRows(table);
    if (!live) return found;
    const from = tableSql({ projectId: this.options.projectId, datasetId: this.options.datasetId, tableId: table });
    const add = (rows: { id?: unknown }[]) => {
      for (const r of rows) if (typeof r.id === 'string') found.add(r.id);
    };
    let first = true;
    for (let at = 0; first || at < query.ids.length; at += IDS_PER_QUERY) {
      const ids = query.ids.slice(at, at + IDS_PER_QUERY);
      const since = first && query.editedSince !== undefined;
      first = false;
      // The instant as a literal, normalised by Date (no quote can get in); the ids as a parameter.
      const where = since ? `(${column('id')} IN UNNEST(@ids) OR ${column('last_edited_time')} >= TIMESTAMP '${new Date(query.editedSince!).toISOString()}')` : `${column('id')} IN UNNEST(@ids)`;
      await this.select({ query: `SELECT ${column('id')} FROM ${from} WHERE ${live} AND ${where}`, params: { ids }, types: { ids: ['STRING'] } }, `looking up page ids in table ${table}`, add, signal);
    }
    return found;
  }

  async notListed(table: string, listed: IdSet, signal?: AbortSignal): Promise<string[]> {
    throwIfAborted(signal);
    const live = await this.liveRows(table);
    if (!live) return [];
    const from = tableSql({ projectId: this.options.projectId, datasetId: this.options.datasetId, tableId: table });
    const missing: string[] = [];
    await this.select(
      { query: `SELECT ${column('id')} FROM ${from} WHERE ${live} AND ${column('id')} IS NOT NULL` },
      `listing the page ids of table ${table}`,
      (rows) => {
        for (const r of rows) if (typeof r.id === 'string' && !listed.has(r.id)) missing.push(r.id);
      },
      signal,
    );
    return missing.sort();
  }

  async close(): Promise<void> {}
}
