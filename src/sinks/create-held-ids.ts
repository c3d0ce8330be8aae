/** Picks the `HeldIds` of a warehouse destination from the sink's options (see ./held-ids.ts). */
import { bigQueryTarget, type SinkOptions } from './create.js';
import type { HeldIds } from './held-ids.js';
import { DuckDbHeldIds } from './duckdb/held-ids.js';
import { DEFAULT_DUCKDB_PATH } from './duckdb/sink.js';
import { BigQueryHeldIds } from './bigquery/held-ids.js';

/**
 * The `HeldIds` of a warehouse destination (`to` duckdb or bigquery, with the same options as its sink);
 * undefined for CSV and NDJSON. Opens nothing until the first question.
 */
export function createHeldIds(options: Pick<SinkOptions, 'to' | 'out' | 'project' | 'dataset' | 'location' | 'bigqueryEndpoint' | 'env'>): HeldIds | undefined {
  if (options.to === 'duckdb') return new DuckDbHeldIds(options.out ?? DEFAULT_DUCKDB_PATH);
  if (options.to === 'bigquery') return new BigQueryHeldIds(bigQueryTarget(options));
  return undefined;
}
