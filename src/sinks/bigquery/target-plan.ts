/**
 * What a run does to one BigQuery target before the swap, decided from the target's schema and the run's
 * columns (the schema-evolution rule of ../evolution.ts): create it, keep it, alter it (new columns, new
 * descriptions), or recreate it (a full refresh, or types changed under `--full-refresh`).
 */
import type { TypeChange } from '../evolution.js';
import { diffSchema, type BigQueryField } from './schema.js';

/** The action on a target and its schema after the run. */
export interface TargetAction {
  action: 'create' | 'keep' | 'alter' | 'recreate';
  /** The target's schema after the run. */
  fields: BigQueryField[];
  /** Why the table is recreated, for the log. */
  why?: string;
  /** alter: the columns the run adds to the target. */
  added?: string[];
}

/**
 * Decides the action for table `table`: `existing` is the target's schema (undefined when it does not
 * exist), `wanted` the run's columns. `refresh`: the run carries the whole table (it is rebuilt when
 * anything differs); `fullRefresh`: a type change recreates the table instead of stopping the run.
 * `problems` lists the type changes that must stop the run (none with `refresh` or `fullRefresh`).
 */
export function targetAction(table: string, existing: BigQueryField[] | undefined, wanted: BigQueryField[], options: { refresh: boolean; fullRefresh: boolean }): { action: TargetAction; problems: TypeChange[] } {
  if (!existing) return { action: { action: 'create', fields: wanted }, problems: [] };
  const diff = diffSchema(existing, wanted);
  if (options.refresh) {
    const names = new Set(wanted.map((f) => f.name.toLowerCase()));
    const gone = existing.filter((f) => !names.has(f.name.toLowerCase())).map((f) => f.name);
    const why = [
      ...diff.changed.map((c) => `column ${c.name} is ${c.from} in BigQuery but ${c.to} now`),
      ...(diff.added.length > 0 ? [`new column${diff.added.length > 1 ? 's' : ''} ${diff.added.map((f) => f.name).join(', ')}`] : []),
      ...(gone.length > 0 ? [`column${gone.length > 1 ? 's' : ''} ${gone.join(', ')} no longer loaded`] : []),
    ];
    if (why.length > 0) return { action: { action: 'recreate', fields: wanted, why: `full refresh: ${why.join(', ')}` }, problems: [] };
    return { action: diff.redescribed.length > 0 ? { action: 'alter', fields: diff.merged } : { action: 'keep', fields: existing }, problems: [] };
  }
  const problems = options.fullRefresh ? [] : diff.changed.map((c) => ({ table, column: c.name, from: c.from, to: c.to }));
  if (diff.changed.length > 0) return { action: { action: 'recreate', fields: wanted, why: 'its column types changed (--full-refresh)' }, problems };
  const action = diff.added.length > 0 || diff.redescribed.length > 0 ? 'alter' : 'keep';
  return { action: { action, fields: diff.merged, added: diff.added.map((f) => f.name) }, problems };
}
