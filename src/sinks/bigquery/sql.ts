/**
 * BigQuery's side of the swap SQL (../swap-sql.ts): backtick-quoted, fully qualified names, and the
 * `_ns_seq` column that numbers staged rows in the order they were read. Everything of a run goes into
 * ONE multi-statement transaction, so every target changes together or not at all (a load job cannot
 * join a transaction; DML can).
 */
import { swapStatements, type Deletions, type Dialect, type ScopeParent } from '../swap-sql.js';
import type { WriteMode } from '../destinations.js';

export const SEQ_COLUMN = '_ns_seq';

export interface TableRef {
  projectId: string;
  datasetId: string;
  tableId: string;
}

export function tableSql(ref: TableRef): string {
  return `\`${ref.projectId}.${ref.datasetId}.${ref.tableId}\``;
}

export function column(name: string): string {
  return `\`${name}\``;
}

export const BIGQUERY_DIALECT: Dialect = { ident: column, order: column(SEQ_COLUMN) };

export interface SwapTable {
  target: TableRef;
  stage: TableRef;
  /** The columns written to the target (without `_ns_seq`). */
  columns: string[];
  /** This table's mode when it differs from the run's (a table refreshed whole in a merge run). */
  mode?: WriteMode;
  /** merge: the key of a parent table (`id`). */
  key?: string[];
  /** merge: for a child table, its parent's staging table and the parent's key column. */
  parent?: { stage: TableRef; key: string; column?: string; deletions?: Deletions };
  /** merge: for a scoped table (a page's blocks, content, comments), the column holding the parent key and the parent tables. */
  scope?: { column: string; parents: ScopeParent<TableRef>[] };
  /** The staging table has `_deleted_at`, marking deletions applied this way. */
  deletions?: Deletions;
}

/** The statements that swap one table in, in order. */
export function bigQuerySwapStatements(mode: WriteMode, table: SwapTable): string[] {
  const { target, stage, parent, scope, ...rest } = table;
  return swapStatements(BIGQUERY_DIALECT, table.mode ?? mode, {
    ...rest,
    target: tableSql(target),
    stage: tableSql(stage),
    parent: parent && { ...parent, stage: tableSql(parent.stage) },
    scope: scope && { column: scope.column, parents: scope.parents.map((p) => ({ ...p, stage: tableSql(p.stage), target: p.target && tableSql(p.target) })) },
  });
}

/** One transaction swapping every table of the run in. */
export function swapScript(mode: WriteMode, tables: SwapTable[], extra: string[] = []): string {
  const statements = [...tables.flatMap((t) => bigQuerySwapStatements(mode, t)), ...extra];
  return ['BEGIN TRANSACTION', ...statements, 'COMMIT TRANSACTION'].map((s) => `${s};`).join('\n');
}
