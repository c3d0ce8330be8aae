/**
 * The SQL that moves a run's staging table into its target, pure, for both warehouses (DuckDB and
 * BigQuery speak the same MERGE, QUALIFY and DELETE … IN here; only identifier quoting and the column
 * that orders staged rows differ: a `Dialect`).
 *
 *   replace  DELETE every row of the target, INSERT the staged rows
 *   append   INSERT the staged rows
 *   merge    parents: MERGE by key, one source row per key (the last one staged: highest `order`);
 *            children: DELETE the rows of every staged parent, INSERT the staged child rows
 *
 * Deletions (incremental runs): a parent's staging table then has a `_deleted_at` column, and a staged
 * row with `_deleted_at` set stands for a page that was trashed, deleted or unshared:
 *   hard  the target row and its child rows are deleted (the target has no `_deleted_at` column)
 *   soft  the target row keeps its values and gets `_deleted_at` (its child rows stay)
 * A live row of a soft-deleted page (restored from the trash) clears `_deleted_at` again.
 * Column lists are explicit: a target keeps columns the run does not have (NULL in new rows).
 */
export const DELETED_AT = '_deleted_at';

export interface Dialect {
  /** A quoted column name. */
  ident(name: string): string;
  /** The expression ordering a staging table's rows as they were staged (a sequence column, `rowid`). */
  order: string;
}

export type SwapMode = 'replace' | 'append' | 'merge';
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
  /** merge: for a child table, its parent's staging table and the parent's key column. */
  parent?: { stage: string; key: string; deletions?: Deletions };
  /** The staging table has a `_deleted_at` column marking deletions, applied this way. */
  deletions?: Deletions;
}

function list(d: Dialect, names: readonly string[], prefix = ''): string {
  return names.map((n) => `${prefix}${d.ident(n)}`).join(', ');
}

function insertSelect(d: Dialect, t: SwapTable, where?: string): string {
  const cols = list(d, t.columns);
  return `INSERT INTO ${t.target} (${cols}) SELECT ${cols} FROM ${t.stage}${where ? ` WHERE ${where}` : ''}`;
}

/** The live rows of a staging table with deletions: hard deletes never reach a replaced target. */
function liveOnly(d: Dialect, t: SwapTable): string | undefined {
  return t.deletions ? `${d.ident(DELETED_AT)} IS NULL` : undefined;
}

function mergeStatement(d: Dialect, t: SwapTable, key: string[]): string {
  const deleted = `S.${d.ident(DELETED_AT)} IS NOT NULL`;
  const sourceCols = t.deletions && !t.columns.includes(DELETED_AT) ? [...t.columns, DELETED_AT] : t.columns;
  const on = key.map((k) => `T.${d.ident(k)} = S.${d.ident(k)}`).join(' AND ');
  const source = `SELECT ${list(d, sourceCols)} FROM ${t.stage} WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY ${list(d, key)} ORDER BY ${d.order} DESC) = 1`;
  const updates = t.columns.filter((c) => !key.includes(c)).map((c) => `${d.ident(c)} = S.${d.ident(c)}`);
  const clauses: string[] = [];
  if (t.deletions === 'hard') clauses.push(`WHEN MATCHED AND ${deleted} THEN DELETE`);
  if (t.deletions === 'soft') clauses.push(`WHEN MATCHED AND ${deleted} THEN UPDATE SET ${d.ident(DELETED_AT)} = S.${d.ident(DELETED_AT)}`);
  if (updates.length > 0) clauses.push(`WHEN MATCHED THEN UPDATE SET ${updates.join(', ')}`);
  clauses.push(`WHEN NOT MATCHED${t.deletions ? ` AND S.${d.ident(DELETED_AT)} IS NULL` : ''} THEN INSERT (${list(d, t.columns)}) VALUES (${list(d, t.columns, 'S.')})`);
  return [`MERGE INTO ${t.target} T USING (${source}) S ON ${on}`, ...clauses].join('\n');
}

function childStatements(d: Dialect, t: SwapTable, parent: NonNullable<SwapTable['parent']>): string[] {
  const parentKey = d.ident(parent.key);
  const deletedAt = d.ident(DELETED_AT);
  // Soft: a deletion keeps the page's child rows. Hard: they go with it.
  const replaced = parent.deletions === 'soft' ? ` WHERE ${deletedAt} IS NULL` : '';
  const statements = [`DELETE FROM ${t.target} WHERE ${d.ident('_parent_id')} IN (SELECT ${parentKey} FROM ${parent.stage}${replaced})`];
  // A page staged live and then as deleted in the same run keeps none of its staged child rows.
  const where = parent.deletions ? `${d.ident('_parent_id')} NOT IN (SELECT ${parentKey} FROM ${parent.stage} WHERE ${deletedAt} IS NOT NULL)` : undefined;
  statements.push(insertSelect(d, t, where));
  return statements;
}

/** The statements that move one staged table into its target, in order. */
export function swapStatements(d: Dialect, mode: SwapMode, t: SwapTable): string[] {
  switch (mode) {
    case 'replace':
      return [`DELETE FROM ${t.target} WHERE TRUE`, insertSelect(d, t, liveOnly(d, t))];
    case 'append':
      return [insertSelect(d, t, liveOnly(d, t))];
    case 'merge':
      if (t.parent) return childStatements(d, t, t.parent);
      if (!t.key || t.key.length === 0) throw new Error(`merge needs a key for ${t.target}`);
      return [mergeStatement(d, t, t.key)];
  }
}
