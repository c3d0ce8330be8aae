/**
 * `notion-stream status`: the tables of a warehouse with their rows and last sync, its last runs, and the
 * bookmark of each data source for incremental runs; `--json` prints the same as one JSON object.
 */
import { readStatus, type DestinationStatus, type StatusOptions } from '../sync/status.js';
import { count } from '../util/stats.js';
import { runCommand, type CommandIO } from './run.js';

export interface StatusCommandOptions extends StatusOptions {
  json?: boolean;
}

/** `2026-12-01 04:50:12` (UTC), or `-`. */
function when(iso: string | null): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '') : '-';
}

/** Aligned columns, two spaces apart; numbers (by `right`) to the right. */
function grid(header: string[], rows: string[][], right: ReadonlySet<number> = new Set()): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd()}`;
  return [line(header), ...rows.map(line)];
}

/** The status as text: tables, last runs, watermarks; one line when the destination holds no run. */
export function describeStatus(status: DestinationStatus): string {
  if (status.runs.length === 0) return `${status.destination} has no notion-stream runs yet: run \`notion-stream sync\` into it first.`;
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [`${status.destination}: ${count(status.tables.length, 'table')}, times in UTC.`, '', 'Tables:'];
  lines.push(...grid(['table', 'rows', 'last synced'], status.tables.map((t) => [t.table, n(t.rows), when(t.lastSyncedAt)]), new Set([1])));
  lines.push('', `Last ${count(status.runs.length, 'run')}, newest first:`);
  lines.push(
    ...grid(
      ['run', 'started', 'seconds', 'mode', 'status', 'tables', 'rows', 'requests', 'retries', 'waits', 'version', 'error'],
      status.runs.map((r) => [
        r.run_id,
        when(r.started_at),
        r.finished_at && r.started_at ? ((Date.parse(r.finished_at) - Date.parse(r.started_at)) / 1000).toFixed(1) : '-',
        r.mode,
        r.status,
        n(r.tables_written),
        n(r.rows_written),
        n(r.requests),
        n(r.retries),
        n(r.rate_limit_waits),
        r.tool_version,
        r.error_code ? `${r.error_code}: ${r.error_message ?? ''}` : '',
      ]),
      new Set([2, 5, 6, 7, 8, 9]),
    ),
  );
  lines.push('');
  if (status.bookmarks.length === 0) lines.push('No bookmarks: the next incremental run reads every data source in full.');
  else {
    lines.push('Watermarks of incremental runs (the next one reads the pages edited since):');
    lines.push(...grid(['table', 'data source', 'watermark', 'ids listed'], status.bookmarks.map((b) => [b.table, b.dataSource, when(b.watermark), when(b.reconciledAt)])));
  }
  return lines.join('\n');
}

export function statusCommand(options: StatusCommandOptions, io: CommandIO = {}): Promise<number> {
  return runCommand(io, {}, async (ctx) => {
    const status = await readStatus({ ...options, env: ctx.env, signal: ctx.signal });
    ctx.stdout.write(options.json ? `${JSON.stringify(status)}\n` : `${describeStatus(status)}\n`);
  });
}
