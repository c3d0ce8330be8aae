/**
 * The options of `sync()`, and their checks and defaults, done once at the door: every later step reads
 * the normalised options and validates nothing.
 */
import { tableName } from '../core/names.js';
import type { ArraysMode } from '../core/split.js';
import { DEFAULT_BASE_URL, DEFAULT_RATE_LIMIT } from '../notion/api.js';
import { NotionStreamError } from '../errors.js';
import type { Destination, WriteMode } from '../sinks/destinations.js';
import type { SinkOptions } from '../sinks/create.js';
import { parseDuration } from '../state/state.js';
import type { Logger } from '../util/log.js';
import type { RunStats } from '../util/stats.js';
import { checkSourceOptions } from '../util/validate.js';

/** Where Notion is read from, and how fast. */
export interface SourceOptions {
  /** Databases or data sources to read: ids, Notion URLs or unique data source titles. Default: every data source shared with the integration. */
  database?: string[];
  /** Notion API base URL without `/v1`. Default: env `NOTION_BASE_URL`, else `https://api.notion.com`. */
  notionBaseUrl?: string;
  /** Requests per second for the whole run. Default 3 (Notion's average limit). */
  rateLimit?: number;
  /** Data sources read at the same time (whole number ≥ 1). Default 3. */
  concurrency?: number;
  /** Seconds before a Notion request is abandoned and retried. Default 60. */
  timeout?: number;
  /** Retries of a request failing with 5xx, a timeout or a reset connection (whole number ≥ 0). Default 8. */
  retries?: number;
  /** Command line only: no progress on stderr. Ignored by `sync()`. */
  quiet?: boolean;
}

/** How pages become tables. */
export interface ShapeOptions {
  /**
   * Table names: `<data source id or title>=<name>` pairs (the `--table` flag), or a map from data source
   * id or title to table name. Default: the data source's title in snake_case.
   */
  table?: string[] | Readonly<Record<string, string>>;
  /** `split` (default): list values go to child tables `<table>__<column>`; `inline`: list columns. */
  arrays?: ArraysMode;
}

/** Where the tables go: the sink's options (see `SinkOptions`), `to` defaulting to `duckdb`. */
export interface DestinationOptions extends Partial<Pick<SinkOptions, 'to' | 'out' | 'mode' | 'project' | 'dataset' | 'location' | 'bigqueryEndpoint' | 'fullRefresh' | 'softDelete'>> {}

/** Incremental runs. */
export interface IncrementalOptions {
  /** Read only the rows edited since the last run and merge them; carry trashed pages over as deletions. Default false. */
  incremental?: boolean;
  /** State file of incremental runs into CSV (required) or NDJSON. Warehouses keep the state in `_notion_stream_state`. */
  state?: string;
  /** Incremental: read in full the data sources with formula or rollup properties. Default false. */
  refreshComputed?: boolean;
  /** Incremental: list every id of each data source to find pages deleted for good or unshared. Default false. */
  reconcile?: boolean;
  /** Incremental: reconcile a data source whose last reconciliation is older than this duration (`12h`, `7d`, `2w`). */
  reconcileEvery?: string;
}

/** The workspace tables. */
export interface WorkspaceFlags {
  /** `notion_users`; default true. */
  users?: boolean;
  /** The catalog tables (`notion_databases`, `notion_data_sources`, `notion_data_source_properties`); default true. */
  catalog?: boolean;
  /** `notion_blocks` and `notion_page_content`; default false. */
  content?: boolean;
  /** `notion_comments`; default false. */
  comments?: boolean;
  /** `notion_pages` (pages outside data sources); default false. */
  pages?: boolean;
  /** With `content` and `comments`: also the comments on blocks (one request per block); default true. */
  blockComments?: boolean;
}

/** What a `sync()` call takes: every field is optional. */
export interface SyncOptions extends SourceOptions, ShapeOptions, DestinationOptions, IncrementalOptions, WorkspaceFlags {
  /** The integration token. Default: env `NOTION_TOKEN`. Never logged. */
  token?: string;
  /** With `content` or `comments`: only the pages of these tables get them (default: every page read). */
  contentTables?: string[];
  /** Stops the run; the destination is then left as it was. */
  signal?: AbortSignal;
  /** Progress, decisions and warnings. Default: silent. */
  logger?: Logger;
  /** Counters of the run (requests, retries, waits, pages). Default: a new one. */
  stats?: RunStats;
  /** Environment for the defaults above. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Where `to: 'ndjson'` writes without `out`. Default `process.stdout`. */
  stdout?: NodeJS.WritableStream;
}

/** A usage mistake (code `invalid_option`, exit code 2 on the command line). */
function invalid(message: string): NotionStreamError {
  return new NotionStreamError('invalid_option', message, false);
}

/**
 * Table names by data source id or title, from `id=name` pairs or a map; each name is checked against
 * the naming rules before anything is read. Throws `invalid_option`.
 */
export function tableOverrides(table: SyncOptions['table']): Record<string, string> {
  const out: Record<string, string> = {};
  const pairs: [string, string][] = [];
  if (Array.isArray(table)) {
    for (const pair of table) {
      const at = pair.lastIndexOf('='); // a title may hold '=', a table name never does
      if (at <= 0 || at === pair.length - 1) throw invalid(`--table takes <data source id or title>=<table name>, got "${pair}".`);
      pairs.push([pair.slice(0, at).trim(), pair.slice(at + 1).trim()]);
    }
  } else if (table) pairs.push(...Object.entries(table as Record<string, string>));
  for (const [id, name] of pairs) {
    try {
      tableName('', id, { [id]: name }); // the naming rules, checked before anything is read
    } catch (err) {
      throw invalid((err as Error).message);
    }
    out[id] = name;
  }
  return out;
}

const WAREHOUSES = new Set<Destination>(['duckdb', 'bigquery']);

/** The options with every default applied, checked. */
export interface NormalizedSyncOptions extends Omit<SyncOptions, 'table' | 'to' | 'mode' | 'rateLimit' | 'env' | 'incremental'> {
  to: Destination;
  /** The mode the sink is built with (incremental runs: merge into warehouses, replace elsewhere). */
  mode: WriteMode;
  /** The mode asked for (default replace). */
  requestedMode: WriteMode;
  incremental: boolean;
  rateLimit: number;
  tableNames: Record<string, string>;
  reconcileEveryMs: number | undefined;
  env: NodeJS.ProcessEnv;
  /** True for DuckDB and BigQuery, which keep the state (and the runs) in their own tables. */
  warehouse: boolean;
}

/**
 * Applies the defaults and checks every option that needs no file and no network, in the order the
 * command line always did (so the first mistake reported stays the same). Throws `invalid_option`.
 */
export function normalizeSyncOptions(options: SyncOptions): NormalizedSyncOptions {
  const to = options.to ?? 'duckdb';
  const incremental = options.incremental ?? false;
  const warehouse = WAREHOUSES.has(to);
  let reconcileEveryMs: number | undefined;
  if (!incremental) {
    if (options.state || options.reconcile || options.reconcileEvery || options.refreshComputed) {
      throw invalid('--state, --reconcile, --reconcile-every and --refresh-computed belong to incremental runs: add --incremental.');
    }
  } else if (options.reconcileEvery !== undefined) reconcileEveryMs = parseDuration(options.reconcileEvery);
  checkSourceOptions(options);
  const tableNames = tableOverrides(options.table);
  if (incremental) {
    if (options.mode && options.mode !== 'replace' && options.mode !== 'merge') {
      throw invalid(`--incremental merges the changed rows into the tables; it does not take --mode ${options.mode}.`);
    }
    if (warehouse && options.state) {
      throw invalid(`--to ${to} keeps the incremental state in its own table (_notion_stream_state), committed with the data; drop --state.`);
    }
    if (to === 'csv' && !options.state) {
      throw invalid('--incremental --to csv needs --state <file>: CSV files cannot hold the state. The first run reads everything and writes it there.');
    }
  }
  const requestedMode = options.mode ?? 'replace';
  return {
    ...options,
    to,
    incremental,
    warehouse,
    requestedMode,
    mode: incremental ? (warehouse ? 'merge' : 'replace') : requestedMode,
    rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
    tableNames,
    reconcileEveryMs,
    env: options.env ?? process.env,
  };
}

/** The token given, else env `NOTION_TOKEN`; throws `invalid_option` when there is none. */
export function notionToken(token: string | undefined, env: NodeJS.ProcessEnv): string {
  const found = token ?? env.NOTION_TOKEN;
  if (!found) {
    throw invalid('NOTION_TOKEN is not set. Create an internal integration in Notion (Settings → Connections → Develop or manage integrations), share your databases with it, and export NOTION_TOKEN=<its secret>. To try the tool without Notion, run `notion-stream emulate`.');
  }
  return found;
}

/** The Notion API base URL without a trailing slash or `/v1`: the option, else env `NOTION_BASE_URL`, else Notion's. */
export function notionBaseUrl(baseUrl: string | undefined, env: NodeJS.ProcessEnv): string {
  return (baseUrl ?? env.NOTION_BASE_URL ?? DEFAULT_BASE_URL).replace(/\/+$/, '').replace(/\/v1$/, '');
}
