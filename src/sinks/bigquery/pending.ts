/**
 * Changes a BigQuery run makes to targets outside its swap transaction (BigQuery runs no DDL inside a
 * transaction), recorded before they are made, so that what a killed or failed run added is removed.
 *
 * The record is the table `_notion_stream_pending` of the dataset (created by the first run that needs
 * it, then kept; empty between runs): one row per change,
 *   run_id       the run (its jobs are `notion_stream_<run_id>_*`, its swap `notion_stream_<run_id>_swap`)
 *   kind         `table` (a target created for the swap), `column` (a column added to a target), or
 *                `recreated` (a target dropped and created again with new column types)
 *   table_id     the target; column_name: the added column; backup: the copy of a recreated target
 *   recorded_at  when the run recorded it
 * The rows are written (one DML INSERT) before the first change, and deleted INSIDE the swap transaction,
 * so they survive exactly when the swap did not commit. Then:
 *   - a run whose swap fails undoes its changes at once (`undo`): drops the tables it created, drops the
 *     columns it added, puts recreated tables back from their copies, and deletes its rows;
 *   - every run starts by cleaning up after runs that left rows (`clean`): the same, for tables that are
 *     still empty (a table with rows is kept and named in the log), after waiting for a swap job of
 *     that run still running; one log line says what was removed.
 */
import type { BigQuery, Dataset } from '@google-cloud/bigquery';
import type { BigQueryField } from './schema.js';
import { tableSql, type TableRef } from './sql.js';
import { sleep, throwIfAborted } from '../../util/abort.js';
import { PENDING_TABLE } from '../../core/names.js';

export { PENDING_TABLE };

export const PENDING_FIELDS: BigQueryField[] = [
  { name: 'run_id', type: 'STRING', mode: 'NULLABLE', description: 'The notion-stream run that made the change' },
  { name: 'kind', type: 'STRING', mode: 'NULLABLE', description: 'table (created), column (added) or recreated' },
  { name: 'table_id', type: 'STRING', mode: 'NULLABLE', description: 'The table changed' },
  { name: 'column_name', type: 'STRING', mode: 'NULLABLE', description: 'The column added' },
  { name: 'backup', type: 'STRING', mode: 'NULLABLE', description: 'The copy of a recreated table' },
  { name: 'recorded_at', type: 'TIMESTAMP', mode: 'NULLABLE', description: 'When the change was recorded, before it was made' },
];

/** One change to a target made outside the swap transaction. */
export type PendingChange =
  | { kind: 'table'; table: string }
  | { kind: 'column'; table: string; column: string }
  | { kind: 'recreated'; table: string; backup: string };

/** What the record needs from the sink: its dataset, names, and ways to run jobs (counted by the sink). */
export interface PendingDeps {
  client: BigQuery;
  dataset: Dataset;
  ref: (tableId: string) => TableRef;
  location?: string;
  pollMs: number;
  /** Runs one query job (a statement or a script) and waits for it; rejects when it fails. */
  query: (sql: string, jobName: string) => Promise<void>;
  /** Copies a table over another (data and schema), waited for; rejects when it fails. */
  copy: (from: string, to: string, jobName: string) => Promise<void>;
  log: (line: string) => void;
}

const literal = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const ident = (name: string) => `\`${name.replace(/`/g, '')}\``;

/** The changes as a phrase: `table u created; columns added to t (n); table v recreated`. */
export function describeChanges(changes: readonly PendingChange[]): string {
  const parts: string[] = [];
  const created = changes.filter((c) => c.kind === 'table').map((c) => c.table);
  if (created.length > 0) parts.push(`table${created.length > 1 ? 's' : ''} ${created.join(', ')} created`);
  const columns = new Map<string, string[]>();
  for (const c of changes) if (c.kind === 'column') columns.set(c.table, [...(columns.get(c.table) ?? []), c.column]);
  if (columns.size > 0) parts.push(`columns added to ${[...columns].map(([t, cs]) => `${t} (${cs.join(', ')})`).join(', ')}`);
  const recreated = changes.filter((c) => c.kind === 'recreated').map((c) => c.table);
  if (recreated.length > 0) parts.push(`table${recreated.length > 1 ? 's' : ''} ${recreated.join(', ')} recreated`);
  return parts.join('; ');
}

/** What undoing the changes did, as a phrase: `dropped table u; dropped columns t (n); put back table v`. */
export function describeUndone(changes: readonly PendingChange[]): string {
  const plural = (n: number, word: string) => `${word}${n > 1 ? 's' : ''}`;
  const parts: string[] = [];
  const created = changes.filter((c) => c.kind === 'table').map((c) => c.table);
  if (created.length > 0) parts.push(`dropped ${plural(created.length, 'table')} ${created.join(', ')}`);
  const columns = new Map<string, string[]>();
  for (const c of changes) if (c.kind === 'column') columns.set(c.table, [...(columns.get(c.table) ?? []), c.column]);
  const n = [...columns.values()].reduce((a, cs) => a + cs.length, 0);
  if (n > 0) parts.push(`dropped ${plural(n, 'column')} ${[...columns].map(([t, cs]) => `${t} (${cs.join(', ')})`).join(', ')}`);
  const recreated = changes.filter((c) => c.kind === 'recreated').map((c) => c.table);
  if (recreated.length > 0) parts.push(`put back ${plural(recreated.length, 'table')} ${recreated.join(', ')} from ${recreated.length > 1 ? 'their copies' : 'its copy'}`);
  return parts.join('; ');
}

/** `ALTER TABLE ... DROP COLUMN IF EXISTS ...` for each table with added columns. */
function dropColumnStatements(ref: (t: string) => TableRef, changes: readonly PendingChange[]): string[] {
  const columns = new Map<string, string[]>();
  for (const c of changes) if (c.kind === 'column') columns.set(c.table, [...(columns.get(c.table) ?? []), c.column]);
  return [...columns].map(([t, cs]) => `ALTER TABLE IF EXISTS ${tableSql(ref(t))} ${cs.map((c) => `DROP COLUMN IF EXISTS ${ident(c)}`).join(', ')}`);
}

const isNotFound = (err: unknown) => (err as { code?: number })?.code === 404;

export class PendingChanges {
  private exists: boolean | undefined;

  constructor(private readonly deps: PendingDeps) {}

  private get ref(): TableRef {
    return this.deps.ref(PENDING_TABLE);
  }

  /** The statement that deletes a run's rows: part of its swap transaction. */
  clearStatement(runId: string): string {
    return `DELETE FROM ${tableSql(this.ref)} WHERE run_id = ${literal(runId)}`;
  }

  /** Records `changes` of run `runId` (creating the table when missing), before any of them is made. */
  async record(runId: string, changes: readonly PendingChange[]): Promise<void> {
    if (changes.length === 0) return;
    if (this.exists !== true) {
      await this.deps.dataset.createTable(PENDING_TABLE, { schema: { fields: PENDING_FIELDS }, description: 'notion-stream: changes of a run made outside its swap, removed by the next run when the swap did not commit' } as never)
        .catch((err: unknown) => {
          if ((err as { code?: number }).code !== 409) throw err;
        });
      this.exists = true;
    }
    const values = changes.map((c) => `(${[
      literal(runId),
      literal(c.kind),
      literal(c.table),
      c.kind === 'column' ? literal(c.column) : 'NULL',
      c.kind === 'recreated' ? literal(c.backup) : 'NULL',
      'CURRENT_TIMESTAMP()',
    ].join(', ')})`);
    await this.deps.query(`INSERT INTO ${tableSql(this.ref)} (run_id, kind, table_id, column_name, backup, recorded_at) VALUES ${values.join(', ')}`, 'pending');
  }

  /**
   * Undoes `changes` of this run after its swap failed (created tables are dropped by the caller, which
   * knows them already; recreated ones are restored by the caller from their copies): drops the added
   * columns and deletes the run's rows (kept with `keepRecord`, when the caller could not undo all it
   * made: the next run tries again). Rejects when that fails; the rows then stay for the next run.
   */
  async undo(runId: string, changes: readonly PendingChange[], keepRecord = false): Promise<void> {
    if (changes.length === 0) return;
    const statements = [...dropColumnStatements(this.deps.ref, changes), ...(keepRecord ? [] : [this.clearStatement(runId)])];
    if (statements.length > 0) await this.deps.query(statements.map((s) => `${s};`).join('\n'), 'undo');
  }

  /**
   * Removes what runs other than `currentRun` recorded and did not commit (see the module comment), and
   * returns one line saying what was removed, or undefined when there was nothing to do. Rejects with the
   * signal's reason when aborted while waiting for such a run's swap job.
   */
  async clean(currentRun: string, signal?: AbortSignal): Promise<string | undefined> {
    throwIfAborted(signal);
    let rows: Array<Record<string, unknown>>;
    try {
      [rows] = (await this.deps.dataset.table(PENDING_TABLE, { location: this.deps.location }).getRows({ autoPaginate: true })) as unknown as [Array<Record<string, unknown>>];
      this.exists = true;
    } catch (err) {
      if (isNotFound(err)) {
        this.exists = false;
        return undefined;
      }
      throw err;
    }
    const byRun = new Map<string, PendingChange[]>();
    for (const row of rows) {
      const run = String(row.run_id ?? '');
      if (!run || run === currentRun) continue;
      const table = String(row.table_id ?? '');
      const change: PendingChange | undefined =
        row.kind === 'column' ? { kind: 'column', table, column: String(row.column_name ?? '') }
        : row.kind === 'recreated' ? { kind: 'recreated', table, backup: String(row.backup ?? '') }
        : row.kind === 'table' ? { kind: 'table', table }
        : undefined;
      if (change) byRun.set(run, [...(byRun.get(run) ?? []), change]);
    }
    if (byRun.size === 0) return undefined;
    const removed: PendingChange[] = [];
    const kept: string[] = [];
    const statements: string[] = [];
    for (const [run, changes] of byRun) {
      if (await this.committed(run, signal)) {
        statements.push(this.clearStatement(run)); // its swap committed: the changes are its own
        continue;
      }
      for (const c of changes.filter((x) => x.kind === 'recreated')) {
        if (await this.tableExists(c.backup)) {
          await this.deps.copy(c.backup, c.table, `${c.table.slice(0, 900)}_restore`);
          removed.push(c);
        }
      }
      for (const c of changes.filter((x) => x.kind === 'table')) {
        const rowsIn = await this.numRows(c.table);
        if (rowsIn === undefined) continue;
        if (rowsIn > 0) {
          kept.push(c.table);
          continue;
        }
        await this.deps.dataset.table(c.table).delete().catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
        removed.push(c);
      }
      const columns: PendingChange[] = [];
      for (const c of changes) if (c.kind === 'column' && (await this.hasColumn(c.table, c.column))) columns.push(c);
      statements.push(...dropColumnStatements(this.deps.ref, columns), this.clearStatement(run));
      removed.push(...columns);
    }
    await this.deps.query(statements.map((s) => `${s};`).join('\n'), 'clean');
    if (removed.length === 0 && kept.length === 0) return undefined;
    const keptText = kept.length > 0 ? ` Kept table${kept.length > 1 ? 's' : ''} ${kept.join(', ')}, created by it but holding rows now.` : '';
    return `Cleaned up after an earlier run whose swap did not commit: ${describeUndone(removed) || 'nothing to undo'}.${keptText}`;
  }

  /** Whether run `run`'s swap job committed; waits for it while it still runs. */
  private async committed(run: string, signal?: AbortSignal): Promise<boolean> {
    const job = this.deps.client.job(`notion_stream_${run}_swap`, { location: this.deps.location });
    for (;;) {
      let status: { state?: string; errorResult?: unknown };
      try {
        const [metadata] = await job.getMetadata();
        status = metadata.status ?? {};
      } catch (err) {
        if (isNotFound(err)) return false;
        throw err;
      }
      if (status.state === 'DONE') return !status.errorResult;
      await sleep(this.deps.pollMs, signal);
    }
  }

  private async hasColumn(tableId: string, column: string): Promise<boolean> {
    try {
      const [metadata] = await this.deps.dataset.table(tableId, { location: this.deps.location }).getMetadata();
      return ((metadata.schema?.fields ?? []) as BigQueryField[]).some((f) => f.name.toLowerCase() === column.toLowerCase());
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  private async tableExists(tableId: string): Promise<boolean> {
    return (await this.numRows(tableId)) !== undefined;
  }

  /** The table's row count, or undefined when it does not exist. */
  private async numRows(tableId: string): Promise<number | undefined> {
    try {
      const [metadata] = await this.deps.dataset.table(tableId, { location: this.deps.location }).getMetadata();
      return Number(metadata.numRows ?? 0);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
