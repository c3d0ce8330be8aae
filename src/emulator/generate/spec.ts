/** The declarative options of the workspace generator, with their defaults. */
export interface DataSourceSpec {
  /** The data source's title (also its table's name, and what `relatesTo` names). */
  title: string;
  /** Number of pages (rows), a non-negative integer. */
  pages: number;
  /** 'all-types' (default): every property type, blocks and comments. 'simple': six plain properties. */
  kind?: 'all-types' | 'simple';
  /** Default true. False: the data source and its pages are not shared with the integration. */
  shared?: boolean;
  /** created_time spacing: at most this many pages per minute. Default 3. */
  pagesPerMinute?: number;
  /**
   * last_edited_time of the pages: 'spread' (default: 40% never edited after creation, the rest edited
   * minutes to days later) or 'created' (every page last edited in its created minute, as a bulk import
   * nobody has edited since).
   */
  edited?: 'spread' | 'created';
  /** 'simple' only: true keeps the title property alone (no number, date or other column). Default false. */
  titleOnly?: boolean;
  /** Title of the data source an 'all-types' relation points at. Default: the first other data source (itself when alone). */
  relatesTo?: string;
  /** 'all-types' only: generate page blocks and comments. Default true. */
  content?: boolean;
}

/** One database container of a `GenerateOptions` spec, with its data sources. */
export interface DatabaseSpec {
  /** The database's title. */
  title: string;
  /** Its data sources, at least one. */
  dataSources: DataSourceSpec[];
  /** Default true. False: the container, its data sources and their pages are not shared. */
  shared?: boolean;
}

/** The declarative spec of `generateWorkspace`: databases, users, seed and start time. */
export interface GenerateOptions {
  /** Default 1. */
  seed?: number;
  /** Default 'secret_emulator_token'. */
  token?: string;
  /** Number of person users, default 40. One or two bots are added. */
  users?: number;
  /** The database containers, in order. */
  databases: DatabaseSpec[];
  /** ISO instant of the first page created_time (rounded down to the minute). Default '2024-01-01T00:00:00.000Z'. */
  start?: string;
}

/** The bearer token a generated workspace accepts unless `GenerateOptions.token` says otherwise. */
export const DEFAULT_TOKEN = 'secret_emulator_token';
/** The default `GenerateOptions.start`: the first page's created_time. */
export const DEFAULT_START = '2024-01-01T00:00:00.000Z';
/** One minute in ms. */
export const MINUTE = 60_000;
/** One day in ms. */
export const DAY = 86_400_000;
