/**
 * The SQL the BigQuery sink runs to swap a run's staging tables into their targets, pure. Everything of
 * a run goes into ONE multi-statement transaction, so every target changes together or not at all (a
 * load job cannot join a transaction; DML can):
 *   replace  DELETE every row of the target, INSERT the staging rows
 *   append   INSERT the staging rows
 *   merge    parents: MERGE by key, one source row per key (the last one the run loaded: highest
 *            `_ns_seq`); children: DELETE the rows of every merged parent, INSERT the staging rows
 * Column lists are explicit: a target keeps columns the run does not have (NULL in the new rows).
 */
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

export interface SwapTable {
  target: TableRef;
  stage: TableRef;
  /** The run's columns (without `_ns_seq`). */
  columns: string[];
  /** merge: the key of a parent table (`id`). */
  key?: string[];
  /** merge: for a child table, its parent's staging table and the parent's key column. */
  parent?: { stage: TableRef; key: string };
}

export type SwapMode = 'replace' | 'append' | 'merge';

function insertSelect(table: SwapTable): string {
  const cols = table.columns.map(column).join(', ');
  return `INSERT INTO ${tableSql(table.target)} (${cols}) SELECT ${cols} FROM ${tableSql(table.stage)}`;
}

function mergeStatement(table: SwapTable, key: string[]): string {
  const cols = table.columns.map(column);
  const on = key.map((k) => `T.${column(k)} = S.${column(k)}`).join(' AND ');
  const partition = key.map(column).join(', ');
  const source = `SELECT ${cols.join(', ')} FROM ${tableSql(table.stage)} WHERE TRUE QUALIFY ROW_NUMBER() OVER (PARTITION BY ${partition} ORDER BY ${column(SEQ_COLUMN)} DESC) = 1`;
  const updates = table.columns.filter((c) => !key.includes(c)).map((c) => `${column(c)} = S.${column(c)}`);
  return [
    `MERGE ${tableSql(table.target)} T USING (${source}) S ON ${on}`,
    ...(updates.length > 0 ? [`WHEN MATCHED THEN UPDATE SET ${updates.join(', ')}`] : []),
    `WHEN NOT MATCHED THEN INSERT (${cols.join(', ')}) VALUES (${cols.map((c) => `S.${c}`).join(', ')})`,
  ].join('\n');
}

/** The statements that swap one table in, in order. */
export function swapStatements(mode: SwapMode, table: SwapTable): string[] {
  switch (mode) {
    case 'replace':
      return [`DELETE FROM ${tableSql(table.target)} WHERE TRUE`, insertSelect(table)];
    case 'append':
      return [insertSelect(table)];
    case 'merge':
      if (table.parent) {
        return [
          `DELETE FROM ${tableSql(table.target)} WHERE ${column('_parent_id')} IN (SELECT ${column(table.parent.key)} FROM ${tableSql(table.parent.stage)})`,
          insertSelect(table),
        ];
      }
      if (!table.key || table.key.length === 0) throw new Error(`merge needs a key for ${table.target.tableId}`);
      return [mergeStatement(table, table.key)];
  }
}

/** One transaction swapping every table of the run in. */
export function swapScript(mode: SwapMode, tables: SwapTable[]): string {
  const statements = tables.flatMap((t) => swapStatements(mode, t));
  return ['BEGIN TRANSACTION', ...statements, 'COMMIT TRANSACTION'].map((s) => `${s};`).join('\n');
}
