/**
 * The run plan of a warehouse sink, pure: from the SCHEMA messages of a run, for each table, how its
 * staged rows reach the target (`load`), its key, whether it carries deletions, and its link to the
 * rows it belongs to (`parent`). DuckDB and BigQuery both consume it, so they decide these things in
 * one place.
 *
 * The parent link is explicit in the SCHEMA (`SchemaMessage.parent`, see ../singer/messages.ts):
 *   list   the splitter's child tables (`tasks__tags`): one row per element of a list column of the
 *          parent row, following that RECORD in the stream. The table loads as its parent does (replaced
 *          whole when the parent is), and a merge replaces a parent's elements by those of its last
 *          staged record.
 *   scope  rows that belong to a parent row by key only (a page's blocks, content and comments): in a
 *          merge run the rows of every parent key the run staged (deletions included) replace that
 *          key's rows in the target; the table loads by its own `load_mode`.
 * A SCHEMA whose key starts with `_parent_id` and that has no `parent` field (written by hand, or by an
 * earlier version of the splitter) is a list child of the run's table `<parent>` for its name
 * `<parent>__<column>` (the longest such parent).
 */
import { DELETED_AT, isNamedChildOf, PARENT_ID } from '../core/names.js';
import { NotionStreamError } from '../errors.js';
import type { ParentLink, SchemaMessage } from '../singer/messages.js';
import type { WriteMode } from './destinations.js';

/**
 * How one table's staged rows reach its target: the sink's mode, or `refresh` (a table replaced whole
 * in a merge run: its SCHEMA says `load_mode: 'replace'`, or it is a list child of such a table).
 */
export type TableLoad = WriteMode | 'refresh';

/** A table's resolved link to its parent rows. */
export interface TableParent {
  kind: ParentLink['kind'];
  /** The parent streams named by the link (those of the run: see `RunPlan.parents`). */
  streams: string[];
  /** The parent's key column. */
  key: string;
  /** This table's column holding the parent key. */
  column: string;
}

/** What the run does with one table. */
export interface TablePlan {
  stream: string;
  /** The SCHEMA's `key_properties` (the latest SCHEMA's). */
  key: string[];
  /** Fixed by the table's first SCHEMA (a list child: its parent's load, when the parent came first). */
  load: TableLoad;
  parent: TableParent | undefined;
  /**
   * The table carries deletion records: it is not a list child and its SCHEMA has a `_deleted_at`
   * column; a RECORD with `_deleted_at` set stands for a deleted row (only its key is needed).
   */
  deletions: boolean;
  /** The SCHEMA says `load_mode: 'replace'`: the stream carries the whole table. */
  whole: boolean;
}

function invalid(message: string): NotionStreamError {
  return new NotionStreamError('invalid_schema', message, false);
}

/** Reads and checks a SCHEMA's `parent` field; throws `invalid_schema` naming the stream and the fix. */
export function parentLink(message: SchemaMessage): TableParent | undefined {
  const link = message.parent as unknown;
  const where = `The SCHEMA of stream "${message.stream}"`;
  if (link === undefined || link === null) {
    if (message.key_properties[0] !== PARENT_ID) return undefined;
    return { kind: 'list', streams: [], key: 'id', column: PARENT_ID }; // the parent is found by name (see the module comment)
  }
  if (typeof link !== 'object' || Array.isArray(link)) throw invalid(`${where} has a "parent" that is not an object: give {"stream", "key", "column", "kind"} or leave it out.`);
  const { stream, key, column, kind } = link as Record<string, unknown>;
  const streams = typeof stream === 'string' ? [stream] : Array.isArray(stream) && stream.every((s) => typeof s === 'string') ? (stream as string[]) : undefined;
  if (!streams) throw invalid(`${where}: "parent.stream" must be a stream name or a list of them.`);
  if (typeof key !== 'string' || key === '') throw invalid(`${where}: "parent.key" must name the parent's key column.`);
  if (typeof column !== 'string' || !(column in message.schema.properties)) throw invalid(`${where}: "parent.column" must name one of its own columns (the one holding the parent's ${key}).`);
  if (kind !== 'list' && kind !== 'scope') throw invalid(`${where}: "parent.kind" must be "list" or "scope", not ${JSON.stringify(kind)}.`);
  if (kind === 'list' && streams.length !== 1) throw invalid(`${where}: a "list" parent names exactly one stream.`);
  return { kind, streams: [...new Set(streams)], key, column };
}

/**
 * The plan of one run, built as its SCHEMA messages arrive (`schema`), read by the sink whenever it
 * needs it. Throws `invalid_schema` on a malformed `parent` link.
 */
export class RunPlan {
  private readonly tables = new Map<string, TablePlan>();

  /** `mode`: the sink's mode. */
  constructor(readonly mode: WriteMode) {}

  /** Adds a table at its first SCHEMA, or updates its key, deletions and link at a later one. */
  schema(message: SchemaMessage): TablePlan {
    const parent = parentLink(message);
    const deletions = parent?.kind !== 'list' && DELETED_AT in message.schema.properties;
    const whole = message.load_mode === 'replace';
    const known = this.tables.get(message.stream);
    if (known) {
      Object.assign(known, { key: message.key_properties, parent, whole });
      known.deletions ||= deletions;
      return known;
    }
    const plan: TablePlan = { stream: message.stream, key: message.key_properties, load: 'replace', parent, deletions, whole };
    this.tables.set(message.stream, plan);
    plan.load = this.loadOf(plan);
    return plan;
  }

  get(stream: string): TablePlan | undefined {
    return this.tables.get(stream);
  }

  /** True for a list child (the splitter's table of a list column). */
  isListChild(stream: string): boolean {
    return this.tables.get(stream)?.parent?.kind === 'list';
  }

  /** The parent tables of `stream` that are in the run, in the link's order (one at most for a list child). */
  parents(stream: string): TablePlan[] {
    const parent = this.tables.get(stream)?.parent;
    if (!parent) return [];
    if (parent.kind === 'list' && parent.streams.length === 0) {
      // No explicit link: the run's table whose name `<parent>__` starts this one's, the longest.
      const named = [...this.tables.values()].filter((p) => p.parent?.kind !== 'list' && isNamedChildOf(stream, p.stream));
      const best = named.sort((a, b) => b.stream.length - a.stream.length)[0];
      return best ? [best] : [];
    }
    return parent.streams.flatMap((s) => (s !== stream && this.tables.has(s) ? [this.tables.get(s)!] : []));
  }

  /**
   * A table's parent link as the run resolves it: a list child without an explicit link gets the
   * parent found by its name, and that parent's first key column.
   */
  link(stream: string): TableParent | undefined {
    const parent = this.tables.get(stream)?.parent;
    if (!parent || parent.kind !== 'list' || parent.streams.length > 0) return parent;
    const found = this.parents(stream)[0];
    return found ? { ...parent, streams: [found.stream], key: found.key[0] ?? parent.key } : parent;
  }

  /** A table's load: a list child goes with its parent (when the parent came first). */
  private loadOf(plan: TablePlan): TableLoad {
    if (this.mode !== 'merge') return this.mode;
    if (plan.parent?.kind === 'list') {
      const parent = this.parents(plan.stream)[0];
      if (parent) return parent.load;
    }
    return plan.whole ? 'refresh' : 'merge';
  }

  /**
   * The merge of a table needs what its link says; throws `invalid_schema` when the run cannot do it:
   * a table without a key, a list child whose parent is not merged in this run.
   */
  checkMerge(stream: string): void {
    const plan = this.tables.get(stream)!;
    if (plan.load !== 'merge') return;
    if (plan.parent?.kind === 'list') {
      if (this.parents(stream)[0]?.load !== 'merge') throw invalid(`--mode merge: child table ${stream} has no parent table merged in this run.`);
      return;
    }
    if (plan.key.length === 0) throw invalid(`--mode merge needs a key: table ${stream} has no key_properties in its SCHEMA. Use --mode replace or append.`);
  }

  /** The run's tables in the order their first SCHEMA arrived. */
  all(): TablePlan[] {
    return [...this.tables.values()];
  }

  /**
   * The order to move tables into place in: tables whose rows are scoped by other tables' keys first,
   * so their statements read the parents' staged rows and the parents' targets as they were before
   * the run (a table replaced whole counts its earlier keys too); then the others, in run order.
   */
  finishOrder(): TablePlan[] {
    const all = this.all();
    return [...all.filter((t) => t.parent?.kind === 'scope'), ...all.filter((t) => t.parent?.kind !== 'scope')];
  }
}
