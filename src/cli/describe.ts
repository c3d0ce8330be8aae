/** The text the commands print about a run: the tables written and, for incremental runs, what changed. */
import type { SinkSummary } from '../sinks/types.js';
import type { ChangeReport } from '../stages/read-changes.js';
import { nothingChanged } from '../sync/summary.js';
import { count } from '../util/stats.js';

export { nothingChanged };

/** Prints what the sink wrote, one line per table. */
export function describeSummary(summary: Pick<SinkSummary, 'destination' | 'tables' | 'jobs'>): string {
  const rows = summary.tables.reduce((n, t) => n + t.rows, 0);
  const width = Math.max(5, ...summary.tables.map((t) => t.table.length));
  const jobs = summary.jobs ? [`BigQuery jobs: ${summary.jobs.load} load, ${summary.jobs.copy} copy, ${summary.jobs.query} query.`] : [];
  return [
    `Wrote ${count(summary.tables.length, 'table')} (${count(rows, 'row')}) to ${summary.destination}:`,
    ...summary.tables.map((t) => `  ${t.table.padEnd(width)}  ${t.rows.toLocaleString('en-US').padStart(9)}`),
    ...jobs,
  ].join('\n');
}

/** The lines of the incremental part of the summary. */
export function describeChanges(report: ChangeReport): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const checked = report.merged.length;
  const reread = report.reread > 0 ? ` (${n(report.reread)} page${report.reread === 1 ? '' : 's'} of the last run's final minute read again to be sure)` : '';
  const lines = [
    nothingChanged(report)
      ? `Nothing changed since the last run: ${checked} data source${checked === 1 ? '' : 's'} checked, no page edited${reread}, 0 trashed and 0 missing pages deleted; the tables are as they were.`
      : `Incremental: ${checked} data source${checked === 1 ? '' : 's'} merged, ${report.full.length} read in full; ${n(report.trashed)} trashed and ${n(report.missing)} missing page${report.missing === 1 ? '' : 's'} deleted; ${n(report.edited)} page${report.edited === 1 ? '' : 's'} edited since the last run.`,
    `Requests for deletions: ${n(report.trashRequests)} trash search; ${report.reconciled.length > 0 ? `${n(report.reconcileRequests)} reconciliation (${report.reconciled.length} data source${report.reconciled.length === 1 ? '' : 's'}), counted apart` : 'no reconciliation (--reconcile or --reconcile-every)'}.`,
  ];
  return lines.join('\n');
}
