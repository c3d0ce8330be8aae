/**
 * `notion-stream demo`: a first look without a Notion account. Starts the emulator with a sample
 * workspace (related databases, every property type, a relation past 25), syncs it into a local DuckDB
 * file through the same stages and HTTP policy as a real run, and shows the tables and a query.
 */
import { resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { demoWorkspace } from '../emulator/generate.js';
import { startEmulator } from '../emulator/server.js';
import { sync } from '../sync/sync.js';
import { RunStats } from '../util/stats.js';
import { describeSummary } from './describe.js';
import { describeRequests } from './workspace-flags.js';
import { runCommand, startProgress, type CommandIO } from './run.js';
import { checkPositive, checkWritableOut } from '../util/validate.js';

export interface DemoOptions {
  out: string;
  rateLimit: number;
  quiet?: boolean;
  /** Also load the content and comments of the Projects pages (notion_blocks, notion_page_content, notion_comments). */
  content?: boolean;
}

/** The example query of `demo --content`: the markdown of a page with a rich document. */
export const DEMO_CONTENT_QUERY = `SELECT p.name AS project, replace(left(c.markdown, 50), chr(10), ' ') AS markdown_start, count(b.id) AS blocks
FROM projects p JOIN notion_page_content c ON c.page_id = p.id JOIN notion_blocks b ON b.page_id = p.id
GROUP BY ALL ORDER BY blocks DESC, project LIMIT 3`;

/** The example query the demo runs: projects with the most related tasks (a child table join). */
export const DEMO_QUERY = `SELECT p.name AS project, p.status, count(r.value) AS tasks, round(p.total_estimate, 1) AS total_estimate_h
FROM projects p LEFT JOIN projects__tasks r ON r._parent_id = p.id
GROUP BY ALL ORDER BY tasks DESC, project LIMIT 5`;

export function demoCommand(options: DemoOptions, io: CommandIO = {}): Promise<number> {
  return runCommand(io, options, async (ctx) => {
    checkPositive('rate-limit', options.rateLimit, 'requests per second');
    await checkWritableOut('--out', options.out, 'file');
    const emulator = await startEmulator({ workspace: demoWorkspace(), rateLimit: { perSecond: options.rateLimit, burst: Math.max(1, Math.ceil(options.rateLimit)) } });
    const out = resolve(options.out);
    const stats = new RunStats();
    const stop = startProgress(ctx, stats, options.rateLimit);
    let summary;
    try {
      ctx.logger.info(`Started the Notion API emulator at ${emulator.url} with a sample workspace; syncing it at ${options.rateLimit} requests/s, as from Notion.`);
      summary = await sync({
        token: emulator.token,
        notionBaseUrl: emulator.url,
        rateLimit: options.rateLimit,
        to: 'duckdb',
        out,
        // Content of the Projects pages only: every page's would take some 15 minutes at 3 requests/s.
        content: options.content,
        comments: options.content,
        // Page-level comments only: the comments of every block would cost one request per block (some 900).
        blockComments: false,
        contentTables: ['projects'],
        signal: ctx.signal,
        logger: ctx.logger,
        stats,
        env: {},
      });
    } finally {
      stop();
      await emulator.close();
    }
    const result = await runQuery(out, DEMO_QUERY);
    const contentResult = options.content ? await runQuery(out, DEMO_CONTENT_QUERY) : undefined;
    ctx.stderr.write(
      [
        '',
        `Read ${stats.summary()}.`,
        ...(Object.keys(summary.workspaceRequests).length > 0 ? [describeRequests(new Map(Object.entries(summary.workspaceRequests)))] : []),
        describeSummary(summary),
        '',
        'Lists (relations, people, tags, files) are child tables <table>__<column> with _parent_id and _idx.',
        'An example query:',
        '',
        DEMO_QUERY.replace(/^/gm, '  '),
        '',
        result.replace(/^/gm, '  '),
        '',
        ...(contentResult === undefined
          ? ['Add --content for page content (notion_blocks, notion_page_content) and comments (notion_comments).', '']
          : ['Page content, as markdown and one row per block:', '', DEMO_CONTENT_QUERY.replace(/^/gm, '  '), '', contentResult.replace(/^/gm, '  '), '']),
        `Open it with the DuckDB CLI (duckdb ${options.out}) or any DuckDB client.`,
        '',
      ].join('\n'),
    );
  });
}

/** Runs a query on a DuckDB file and renders the result as an aligned text table. */
async function runQuery(path: string, sql: string): Promise<string> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql);
    const header = reader.columnNames();
    const rows = reader.getRowsJS().map((r) => r.map((v) => (v === null ? 'NULL' : String(v))));
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
    return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
