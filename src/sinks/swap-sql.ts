/**
 * The SQL that moves a run's staging table into its target, pure, for both warehouses (DuckDB and
 * BigQuery speak the same MERGE, QUALIFY and DELETE … IN here; only identifier quoting and the column
 * that orders staged rows differ: a `Dialect`).
 *
 *   replace  DELETE every row of the target, INSERT the staged rows
 *   append   INSERT the staged rows
 *   merge    parents: MERGE by key, one source row per key (the last one staged: highest `order`);
 *            list children: DELETE the rows of every staged parent, INSERT the child rows staged after
 *            the parent's last staged row (the lists of the row the MERGE keeps);
 *            scoped tables (rows that belong to a parent by key: a page's blocks and comments): DELETE
 *            the rows of every parent key staged in any of the parent tables (of a parent replaced
 *            whole, also the keys its target held), then MERGE the staged rows by their own key
 *
 * Deletions (incremental runs): a parent's staging table then has a `_deleted_at` column, and a staged
 * row with `_deleted_at` set stands for a page that was trashed, deleted or unshared:
 *   hard  the target row and its child rows are deleted (the target has no `_deleted_at` column)
 *   soft  the target row keeps its values and gets `_deleted_at` (its child rows stay); replace and
 *         append load deletions as rows
 * A live row of a soft-deleted page (restored from the trash) clears `_deleted_at` again. Scoped rows
 * follow their parent as child rows do: hard, they go; soft, they stay.
 * Column lists are explicit: a target keeps columns the run does not have (NULL in new rows).
 */
import type { WriteMode } from './destinations.js';
import { DELETED_AT } from '../core/flatten.js';

export { DELETED_AT };

export interface Dialect {
  /** A quoted column name. */
  ident(name: string): string;
  /**
   * The column numbering staged rows in the order they were read, across all staging tables of a run:
   * a child row comes after its parent row, before the parent's next row (a run-wide sequence).
   */
  order: string;
}

export type Deletions = 'hard' | 'soft';

export interface SwapTable {
  /** The target, as SQL (quoted, qualified). */
  target: string;
  /** The staging table, as SQL. */
  stage: string;
  /** The columns written to the target (never the ordering column; `_deleted_at` only for soft deletes). */
  columns: string[];
  /** merge: the key of a parent table (`id`). */
  key?: string[];
  /**
   * merge: for a list child table, its parent's staging table, the parent's key column, and the child's
   * column holding it (default `_parent_id`).
   */
  parent?: { stage: string; key: string; column?: string; deletions?: Deletions };
  /** merge: for a scoped table (with `key`), the column holding its parent's key and the parent tables. */
  scope?: { column: string; parents: ScopeParent[] };
  /** The staging table has a `_deleted_at` column marking deletions, applied this way. */
  deletions?: Deletions;
}

/** A parent table of a scoped table, in a merge run (tables as SQL, or as a sink's references: `T`). */
export interface ScopeParent<T = string> {
  /** The parent's staging table. */
  stage: T;
  /** The parent's key column. */
  key: string;
  /** The parent's staged rows carry deletions applied this way (its staging table has the `order` column then). */
  deletions?: Deletions;
  /** The parent is replaced whole: the keys this table (its target before the swap) holds are in scope too. */
  target?: T;
}

function list(d: Dialect, names: readonly string[], prefix = ''): string {
  return names.map((n) => `${prefix}${d.ident(n)}`).join(', ');
}

function insertSelect(d: Dialect, t: SwapTable, where?: string): string {
  const cols = list(d, t.columns);
  return `INSERT INTO ${t.target} (${cols}) SELECT ${cols} FROM ${t.stage}${where ? ` WHERE ${where}` : ''}`;
}

/** The rows of a staging table with deletions that reach a replaced target: hard deletes never do, soft ones are rows. */
function liveOnly(d: Dialect, t: SwapTable): string | undefined {
  return t.deletions === 'hard' ? `${d.ident(DELETED_AT)} IS NULL` : undefined;
}

/** The last staged row of each key (highest `order`): the one a merge keeps. */
function lastStaged(d: Dialect, stage: string, key: string[], columns: string[]): string {
  return `SELECT ${list(d, columns)} FROM ${stage} WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY ${list(d, key)} ORDER BY ${d.order} DESC) = 1`;
}

function mergeStatement(d: Dialect, t: SwapTable, key: string[]): string {
  const deleted = `S.${d.ident(DELETED_AT)} IS NOT NULL`;
  const sourceCols = t.deletions && !t.columns.includes(DELETED_AT) ? [...t.columns, DELETED_AT] : t.columns;
  const on = key.map((k) => `T.${d.ident(k)} = S.${d.ident(k)}`).join(' AND ');
  const source = lastStaged(d, t.stage, key, sourceCols);
  const updates = t.columns.filter((c) => !key.includes(c)).map((c) => `${d.ident(c)} = S.${d.ident(c)}`);
  const clauses: string[] = [];
  if (t.deletions === 'hard') clauses.push(`WHEN MATCHED AND ${deleted} THEN DELETE`);
  if (t.deletions === 'soft') clauses.push(`WHEN MATCHED AND ${deleted} THEN UPDATE SET ${d.ident(DELETED_AT)} = S.${d.ident(DELETED_AT)}`);
  if (updates.length > 0) clauses.push(`WHEN MATCHED THEN UPDATE SET ${updates.join(', ')}`);
  clauses.push(`WHEN NOT MATCHED${t.deletions ? ` AND S.${d.ident(DELETED_AT)} IS NULL` : ''} THEN INSERT (${list(d, t.columns)}) VALUES (${list(d, t.columns, 'S.')})`);
  return [`MERGE INTO ${t.target} T USING (${source}) S ON ${on}`, ...clauses].join('\n');
}

/** The parent keys whose child rows a merge replaces. Soft: a page whose last staged row is a deletion keeps its child rows. Hard: they go with it. */
function replacedKeys(d: Dialect, parent: { stage: string; key: string; deletions?: Deletions }): string {
  const parentKey = d.ident(parent.key);
  return parent.deletions === 'soft'
    ? `SELECT ${parentKey} FROM (${lastStaged(d, parent.stage, [parent.key], [parent.key, DELETED_AT])}) WHERE ${d.ident(DELETED_AT)} IS NULL`
    : `SELECT ${parentKey} FROM ${parent.stage}`;
}

function scopedStatements(d: Dialect, t: SwapTable, key: string[], scope: NonNullable<SwapTable['scope']>): string[] {
  const keys = scope.parents.flatMap((p) => [replacedKeys(d, p), ...(p.target ? [`SELECT ${d.ident(p.key)} FROM ${p.target}`] : [])]);
  const merge = mergeStatement(d, { ...t, deletions: undefined }, key);
  if (keys.length === 0) return [merge];
  return [`DELETE FROM ${t.target} WHERE ${d.ident(scope.column)} IN (${keys.join(' UNION ALL ')})`, merge];
}

function childStatements(d: Dialect, t: SwapTable, parent: NonNullable<SwapTable['parent']>): string[] {
  const parentKey = d.ident(parent.key);
  const column = d.ident(parent.column ?? '_parent_id');
  const replaced = replacedKeys(d, parent);
  // The child rows of a page are the ones staged after its last staged row: a page staged twice keeps
  // the lists of its last row, a page whose last row is a deletion none.
  const last = `SELECT ${parentKey} AS _ns_key, MAX(${d.order}) AS _ns_last FROM ${parent.stage} GROUP BY ${parentKey}`;
  const cols = list(d, t.columns);
  return [
    `DELETE FROM ${t.target} WHERE ${column} IN (${replaced})`,
    `INSERT INTO ${t.target} (${cols}) SELECT ${list(d, t.columns, 'C.')} FROM ${t.stage} C JOIN (${last}) P ON C.${column} = P._ns_key WHERE C.${d.order} > P._ns_last`,
  ];
}

/** The statements that move one staged table into its target, in order. */
export function swapStatements(d: Dialect, mode: WriteMode, t: SwapTable): string[] {
  switch (mode) {
    case 'replace':
      return [`DELETE FROM ${t.target} WHERE TRUE`, insertSelect(d, t, liveOnly(d, t))];
    case 'append':
      return [insertSelect(d, t, liveOnly(d, t))];
    case 'merge':
      if (t.parent) return childStatements(d, t, t.parent);
      if (!t.key || t.key.length === 0) throw new Error(`merge needs a key for ${t.target}`);
      if (t.scope) return scopedStatements(d, t, t.key, t.scope);
      return [mergeStatement(d, t, t.key)];
  }
}
