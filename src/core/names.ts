/**
 * Warehouse names for Notion things: table names for data sources, column names for properties.
 *
 * A name is valid for BigQuery and DuckDB alike: lowercase snake_case of ASCII letters, digits and
 * underscores, not starting with a digit, at most 300 characters, none of BigQuery's reserved
 * prefixes. Column names are unique without regard to case within a table (system columns included).
 *
 * Names depend only on the schema, never on the order properties arrive in: a property named like a
 * system column (`ID`, `URL`, `Created by`) gets `_property` (`id_property`, the same in every table);
 * other collisions are settled by property id (the lowest id keeps the plain name, the others get
 * `_<hash of their id>`), and names
 * with nothing usable left (emoji only, empty) become `col_<hash of the property id>`. The same schema
 * therefore gives the same names on every run.
 */
import { createHash } from 'node:crypto';

export const MAX_COLUMN_NAME_LENGTH = 300;
export const MAX_TABLE_NAME_LENGTH = 300;
/** Room kept below the limit for derived columns (`_date_is_datetime`) and a collision suffix. */
const MAX_BASE_LENGTH = 256;

/** BigQuery's reserved column name prefixes (compared without regard to case). */
export const RESERVED_PREFIXES = [
  '_TABLE_',
  '_FILE_',
  '_PARTITION',
  '_ROW_TIMESTAMP',
  '__ROOT__',
  '_COLIDENTIFIER',
  '_CHANGE_SEQUENCE_NUMBER',
  '_CHANGE_TYPE',
  '_CHANGE_TIMESTAMP',
] as const;

/** Letters that NFKD does not decompose but have an obvious ASCII spelling. */
const TRANSLITERATIONS: Record<string, string> = {
  ß: 'ss', ẞ: 'Ss', æ: 'ae', Æ: 'Ae', œ: 'oe', Œ: 'Oe', ø: 'o', Ø: 'O', đ: 'd', Đ: 'D', ð: 'd', Ð: 'D',
  ł: 'l', Ł: 'L', þ: 'th', Þ: 'Th', ı: 'i', ĸ: 'k', ŋ: 'ng', Ŋ: 'Ng',
};

/** A short, stable hex hash (sha-256) of a string. */
export function shortHash(text: string, length = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** Property ids arrive URL-encoded (`%3CnJT`) in pages and schemas, raw (`<nJT`) in rollup configs. */
export function normalizePropertyId(id: string): string {
  try {
    return decodeURIComponent(id);
  } catch {
    return id;
  }
}

/**
 * Lowercase snake_case of a Notion name: accents stripped, camelCase split, every run of other
 * characters turned into one underscore, no leading or trailing underscores. May return ''.
 */
export function snakeName(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^\x00-\x7f]/g, (c) => TRANSLITERATIONS[c] ?? '_');
  return ascii
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function hasReservedPrefix(name: string): boolean {
  const upper = name.toUpperCase();
  return RESERVED_PREFIXES.some((p) => upper.startsWith(p));
}

/** True for a name both BigQuery and DuckDB accept as a column name without quoting trouble. */
export function isValidColumnName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name.length <= MAX_COLUMN_NAME_LENGTH && !hasReservedPrefix(name);
}

/** snake_case cut to `max`, with a leading digit guarded by `_`; '' when nothing usable is left. */
function safeBase(text: string, max: number): string {
  let s = snakeName(text);
  if (/^[0-9]/.test(s)) s = `_${s}`;
  s = s.slice(0, max).replace(/_+$/, '');
  if (hasReservedPrefix(s)) s = `x${s}`;
  return s;
}

/** Data source and page ids given dashed or not, in any case, compare equal in this form. */
export function compactId(id: string): string {
  return id.replace(/-/g, '').toLowerCase();
}

/**
 * The `--table` override of a data source: `[key, name]` of the entry keyed by its id (dashed or not)
 * or, failing that, by its title (whole, without regard to case); undefined when none applies.
 */
export function tableOverride(overrides: Readonly<Record<string, string>>, id: string, title: string): [string, string] | undefined {
  const entries = Object.entries(overrides);
  return entries.find(([key]) => compactId(key) === compactId(id)) ?? entries.find(([key]) => key.trim().toLowerCase() === title.trim().toLowerCase());
}

/**
 * The table name of a data source: an override from `overrides` (keyed by data source id, dashed or
 * not, or by its title), else the snake_case title, else `table_<hash of the id>`. An override must
 * already be a valid name; a bad one throws.
 */
export function tableName(title: string, id: string, overrides: Readonly<Record<string, string>> = {}): string {
  const override = tableOverride(overrides, id, title);
  if (override) {
    const [key, name] = override;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || name.length > MAX_TABLE_NAME_LENGTH || hasReservedPrefix(name)) {
      throw new Error(
        `--table ${key}=${name}: a table name must be letters, digits and underscores, not start with a digit, ` +
          `be at most ${MAX_TABLE_NAME_LENGTH} characters and not start with a BigQuery reserved prefix.`,
      );
    }
    return name;
  }
  return safeBase(title, MAX_TABLE_NAME_LENGTH) || `table_${shortHash(compactId(id))}`;
}

/** One property to name: its id, its Notion name and the suffixes of the columns it will have. */
export interface NameRequest {
  id: string;
  name: string;
  /** Column name suffixes, `''` for the bare name; e.g. `['', '_number']`. Default `['']`. */
  suffixes?: readonly string[];
  /** A base to try first (the column an earlier run gave the property), when all its columns are free. */
  prefer?: string;
}

/**
 * Hands out column names within one table. Names are compared without regard to case; `taken` (the
 * system columns) are reserved first. Use `nameAll` for a schema: it settles collisions by property
 * id, so the result does not depend on the order of the requests.
 */
export class ColumnNamer {
  private readonly used = new Set<string>();
  /** The names given to the constructor: a property meeting one of them gets the `_property` suffix. */
  private readonly system = new Set<string>();

  constructor(taken: Iterable<string> = []) {
    for (const name of taken) {
      this.used.add(name.toLowerCase());
      this.system.add(name.toLowerCase());
    }
  }

  /** Takes names out of use (columns an earlier run created), without regard to case. */
  reserve(names: Iterable<string>): void {
    for (const name of names) this.used.add(name.toLowerCase());
  }

  /** True when the name (any case) is already given out. */
  has(name: string): boolean {
    return this.used.has(name.toLowerCase());
  }

  /**
   * Names a property's columns and returns their common base (a column is `base + suffix`). The base
   * is `prefer` or the snake_case name when all its columns are free; else, when the name meets a
   * system column, the name with `_property`; else the name with `_<hash of the id>`.
   */
  claim(request: NameRequest): string {
    const suffixes = request.suffixes ?? [''];
    const hash = shortHash(normalizePropertyId(request.id));
    const plain = safeBase(request.name, MAX_BASE_LENGTH);
    const system = plain !== '' && suffixes.some((s) => this.system.has((plain + s).toLowerCase()));
    const candidates = [
      ...(request.prefer ? [request.prefer] : []),
      ...(plain === '' ? [`col_${hash}`] : [plain, ...(system ? [`${plain}_property`] : []), `${plain}_${hash}`]),
    ];
    const last = candidates[candidates.length - 1]!;
    let n = 1;
    for (;;) {
      const base = candidates.shift() ?? `${last}_${++n}`;
      const names = suffixes.map((s) => (base + s).toLowerCase());
      if (names.some((name) => this.used.has(name))) continue;
      for (const name of names) this.used.add(name);
      return base;
    }
  }

  /** Names every request; collisions go to the lowest property id. Returns bases by request id. */
  nameAll(requests: readonly NameRequest[]): Map<string, string> {
    const sorted = [...requests].sort((a, b) => compareIds(normalizePropertyId(a.id), normalizePropertyId(b.id)));
    const out = new Map<string, string>();
    for (const r of sorted) out.set(r.id, this.claim(r));
    return out;
  }
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------
// The names notion-stream gives its own tables and columns, decided here and nowhere else.

/** Column of a child table: the parent row's key. */
export const PARENT_ID = '_parent_id';
/** Column of a child table: the element's position in the parent's list, from 0. */
export const INDEX = '_idx';

/** The child table of list column `column` of `table`: `<table>__<column>`. */
export function childTableName(table: string, column: string): string {
  return `${table}__${column}`;
}

/** True when `stream` is named as a child table of `table` (`<table>__...`); used only for input without a SCHEMA `parent` link. */
export function isNamedChildOf(stream: string, table: string): boolean {
  return stream.startsWith(`${table}__`);
}

/** The column of deletion records in incremental runs: when the page was trashed, deleted or unshared. */
export const DELETED_AT = '_deleted_at';
/** The lineage column holding when the run that wrote the row started (TIMESTAMP, ISO 8601 in a stream). */
export const SYNCED_AT = '_synced_at';
/** The lineage column holding the id of the run that wrote the row (STRING; a row of `_notion_stream_runs`). */
export const RUN_ID = '_run_id';

/**
 * The table a warehouse keeps the Singer state in: one row, `value` (the state as JSON text) and
 * `committed_at`, replaced in the transaction that commits the data it describes.
 */
export const STATE_TABLE = '_notion_stream_state';
/** The table of the runs (`notion-stream status` reads it): one row per run, good or failed. */
export const RUNS_TABLE = '_notion_stream_runs';
/** BigQuery: the record of changes made to targets outside the swap, cleared by the swap (sinks/bigquery/pending.ts). */
export const PENDING_TABLE = '_notion_stream_pending';
/** The prefix of a run's staging tables in both warehouses: `_ns_stage_<run id>_<table>`. */
export const STAGE_PREFIX = '_ns_stage_';

/** `notion_users`: one row per person or bot of the workspace (`GET /v1/users`). */
export const USERS_TABLE = 'notion_users';
/** `notion_databases`: the database containers of the data sources read. */
export const DATABASES_TABLE = 'notion_databases';
/** `notion_data_sources`: the data sources read, with the table each was loaded into. */
export const DATA_SOURCES_TABLE = 'notion_data_sources';
/** `notion_data_source_properties`: one row per schema property, with its column name. */
export const PROPERTIES_TABLE = 'notion_data_source_properties';
/** `notion_pages` (`--pages`): pages outside data sources (wiki and standalone pages). */
export const PAGES_TABLE = 'notion_pages';
/** `notion_blocks` (`--content`): one row per block at any depth, in document order. */
export const BLOCKS_TABLE = 'notion_blocks';
/** `notion_page_content` (`--content`): one row per page, its markdown and plain text. */
export const PAGE_CONTENT_TABLE = 'notion_page_content';
/** `notion_comments` (`--comments`): the open comments of each page read. */
export const COMMENTS_TABLE = 'notion_comments';
