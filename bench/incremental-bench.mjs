#!/usr/bin/env node
/**
 * Incremental-sync benchmark: `sync --incremental` into DuckDB against the emulator enforcing Notion's
 * 3 requests/s, over a workspace of 100,000 plain rows ('simple' kind: six properties, no relations,
 * so no value completions).
 *
 *   run 1  `sync --incremental`              the first run, a full read
 *   run 2  `sync --incremental`              after 1% of the rows were edited (spread over the data
 *                                            source(s), last_edited_time moved to later minutes) and a
 *                                            few rows trashed
 *   run 3  `sync --incremental --reconcile`  after a few more edits and one unshared row; the
 *                                            reconciliation requests (queries with filter_properties)
 *                                            are counted apart
 *
 * Requests are counted by the emulator (every HTTP request it received, 429s included) and compared
 * with the CLI's own summary. After runs 1, 2 and 3 the DuckDB file is read (READ_ONLY) and checked:
 * row count, edited values, trashed and unshared rows gone.
 * Target: run 2 makes at most 3% of run 1's requests. Exits 1 when the target or a check fails.
 *
 * The emulator runs in this process because the bench changes its workspace between runs; at 3
 * requests/s the runs wait on the rate limit, not on the CPU. At 100,000 rows, runs 1 and 3 take about
 * 6 minutes each.
 *
 * Usage: npm run bench:incremental [-- --rows 100000 --sources 1 --rate 3 --edit-fraction 0.01 --trash 5]
 *        BENCH_ROWS=5000 node bench/incremental-bench.mjs   (a quick run; --rows wins over BENCH_ROWS)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { main } from '../dist/cli/main.js';
import { scaleWorkspace, SIMPLE_PROPERTIES, startEmulator } from '../dist/emulator/index.js';
import { DEFAULT_RATE_LIMIT } from '../dist/emulator/rate-limit.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: process.env.BENCH_ROWS ?? '100000' },
    sources: { type: 'string', default: '1' },
    rate: { type: 'string', default: String(DEFAULT_RATE_LIMIT.perSecond) },
    'edit-fraction': { type: 'string', default: '0.01' },
    trash: { type: 'string', default: '5' },
    'more-edits': { type: 'string', default: '20' },
    target: { type: 'string', default: '0.03' },
    keep: { type: 'boolean', default: false }, // keep the temp dir with the DuckDB file
  },
});
const rows = Number(values.rows);
const sources = Number(values.sources);
const rate = Number(values.rate);
const editFraction = Number(values['edit-fraction']);
const trashCount = Number(values.trash);
const moreEdits = Number(values['more-edits']);
const target = Number(values.target);
if (!Number.isInteger(rows) || !Number.isInteger(sources) || sources < 1 || rows < sources || rows % sources !== 0) {
  throw new Error(`--rows (${values.rows}) must be a positive multiple of --sources (${values.sources})`);
}
if (!(rate > 0)) throw new Error(`--rate must be > 0, got ${values.rate}`);

const POINTS = SIMPLE_PROPERTIES.number; // the property the edits change
const STATE_TABLE = '_notion_stream_state';
const n = (x) => x.toLocaleString('en-US');
const count = (x, one, many) => `${n(x)} ${x === 1 ? one : many}`;
const failures = [];
const check = (ok, what) => {
  console.error(`  check: ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

// The workspace and the emulator (3 requests/s, Notion's burst).
const t = performance.now();
const ws = scaleWorkspace({ dataSources: sources, pagesEach: rows / sources });
console.error(`Generated ${n(ws.pages.length)} rows in ${sources} data source(s) in ${((performance.now() - t) / 1000).toFixed(1)} s.`);
const emu = await startEmulator({ workspace: ws, rateLimit: { perSecond: rate, burst: DEFAULT_RATE_LIMIT.burst } });
const env = { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url };
const dir = mkdtempSync(join(tmpdir(), 'incremental-bench-'));
const db = join(dir, 'bench.duckdb');

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());

/** Later minutes than any timestamp of the workspace, as Notion's clock moving on. */
let minuteMs = 0;
for (const p of ws.pages) minuteMs = Math.max(minuteMs, Date.parse(p.last_edited_time));
const nextMinute = () => new Date((minuteMs += 60_000)).toISOString();

const pagesBySource = ws.dataSources.map((ds) => ws.pages.filter((p) => p.data_source_id === ds.id));
const touched = new Set(); // rows already edited, trashed or unshared
/** `howMany` rows spread evenly over every data source, not touched before, in created order. */
function spread(howMany, offset) {
  const picked = [];
  const perSource = Math.max(1, Math.round(howMany / sources));
  for (const pages of pagesBySource) {
    for (let k = 0; k < perSource && picked.length < howMany; k++) {
      let i = Math.floor(((k + offset) * pages.length) / perSource) % pages.length;
      while (touched.has(pages[i].id)) i = (i + 1) % pages.length;
      touched.add(pages[i].id);
      picked.push(pages[i]);
    }
  }
  return picked;
}

/** Edits `pages` over `minutes` later minutes: Points set to `base + k`. Returns id → expected value. */
function editRows(pages, base, minutes) {
  const expected = new Map();
  const times = Array.from({ length: minutes }, nextMinute);
  pages.forEach((page, k) => {
    page.properties[POINTS].number = base + k;
    page.last_edited_time = times[Math.floor((k * minutes) / pages.length)];
    expected.set(page.id, base + k);
  });
  return expected;
}

/** Stderr of the CLI, kept and echoed line by line with the run's label. */
function teeStderr(label) {
  let text = '';
  let partial = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += chunk;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop();
      for (const line of lines) process.stderr.write(`  [${label}] ${line}\n`);
      cb();
    },
  });
  return { stream, text: () => text };
}
const discard = new Writable({ write: (_c, _e, cb) => cb() });

const num = (s) => (s === undefined ? undefined : Number(s.replace(/,/g, '')));

/** One CLI run; its requests as the emulator saw them and as the CLI reported them, and its wall time. */
async function run(label, extra) {
  emu.resetLog();
  const err = teeStderr(label);
  const argv = ['sync', '--incremental', '--to', 'duckdb', '--out', db, '--rate-limit', String(rate), ...extra];
  console.error(`\n${label}: notion-stream ${argv.join(' ')}`);
  const t0 = performance.now();
  const code = await main(argv, { env, stdout: discard, stderr: err.stream, signal: controller.signal });
  const seconds = (performance.now() - t0) / 1000;
  const stderr = err.text();
  if (code !== 0) throw new Error(`${label} exited ${code}:\n${stderr}`);
  const log = [...emu.log];
  const isReconcile = (e) => e.endpoint === 'data_sources.query' && (e.query ?? '').includes('filter_properties');
  const isTrashSearch = (e) => e.endpoint === 'search' && e.body?.filter?.in_trash === true;
  const byEndpoint = {};
  for (const e of log) byEndpoint[e.endpoint] = (byEndpoint[e.endpoint] ?? 0) + 1;
  const readLine = /^Read (.*)\.$/m.exec(stderr)?.[1] ?? '';
  const deletions = /Requests for deletions: ([\d,]+) trash search; (?:([\d,]+) reconciliation|no reconciliation)/.exec(stderr);
  const incremental = /Incremental: .*?([\d,]+) trashed and ([\d,]+) missing/.exec(stderr);
  return {
    label,
    seconds,
    requests: log.length,
    http429: log.filter((e) => e.status === 429).length,
    reconcile: log.filter(isReconcile).length,
    trashSearch: log.filter(isTrashSearch).length,
    rowQueries: log.filter((e) => e.endpoint === 'data_sources.query' && !isReconcile(e)).length,
    byEndpoint,
    cli: {
      requests: num(/([\d,]+) requests?/.exec(readLine)?.[1]),
      pages: num(/([\d,]+) pages?/.exec(readLine)?.[1]),
      completions: num(/([\d,]+) completed values?/.exec(readLine)?.[1]),
      trashSearch: num(deletions?.[1]),
      reconcile: deletions ? (num(deletions[2]) ?? 0) : undefined,
      trashed: num(incremental?.[1]),
      missing: num(incremental?.[2]),
    },
  };
}

/** The data tables' rows (id and Points) by data source, read READ_ONLY through the state's bookmarks. */
async function readBack() {
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const c = await instance.connect();
  try {
    const state = JSON.parse(String((await c.runAndReadAll(`SELECT value FROM ${STATE_TABLE}`)).getRowsJS()[0][0]));
    const values = new Map(); // id → Points
    let total = 0;
    for (const ds of ws.dataSources) {
      const bookmark = state.bookmarks[ds.id.replace(/-/g, '').toLowerCase()];
      if (!bookmark) throw new Error(`no bookmark for data source ${ds.id}`);
      const column = Object.values(bookmark.properties).find((p) => p.name === POINTS)?.column;
      if (!column) throw new Error(`no column for "${POINTS}" in table ${bookmark.table}`);
      const result = (await c.runAndReadAll(`SELECT id, "${column}" FROM "${bookmark.table}"`)).getRowsJS();
      for (const [id, points] of result) values.set(String(id), points === null ? null : Number(points));
      total += result.length;
    }
    return { total, values };
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

/** Checks the table against the expected row count, edited values and removed ids. */
async function verify(label, expectedRows, edited, removed) {
  const { total, values } = await readBack();
  check(total === expectedRows && values.size === expectedRows, `${label}: ${n(total)} rows in DuckDB, expected ${n(expectedRows)}`);
  let wrong = 0;
  for (const [id, value] of edited) if (values.get(id) !== value) wrong++;
  if (edited.size > 0) check(wrong === 0, `${label}: ${n(edited.size - wrong)}/${n(edited.size)} edited rows carry their new ${POINTS}`);
  if (removed.length > 0) {
    const left = removed.filter((id) => values.has(id)).length;
    check(left === 0, `${label}: ${removed.length - left}/${removed.length} trashed/unshared rows gone`);
  }
}

let runs;
try {
  // Run 1: the first incremental run reads everything.
  const full = await run('run 1', []);
  await verify('run 1', rows, new Map(), []);

  // Run 2: 1% edited over 10 minutes, a few trashed.
  const editCount = Math.round(rows * editFraction);
  const edited = editRows(spread(editCount, 0.5), 1_000_000, 10);
  const trashed = spread(trashCount, 0.25);
  for (const page of trashed) {
    page.in_trash = true;
    page.last_edited_time = nextMinute();
  }
  console.error(`\nEdited ${n(edited.size)} rows (${POINTS} := 1,000,000 + k), trashed ${trashed.length}.`);
  const incremental = await run('run 2', []);
  await verify('run 2', rows - trashed.length, edited, trashed.map((p) => p.id));

  // Run 3: a few more edits and one unshared row, with reconciliation.
  const edited3 = editRows(spread(moreEdits, 0.75), 2_000_000, 1);
  const [unshared] = spread(1, 0.1);
  unshared.shared = false;
  console.error(`\nEdited ${n(edited3.size)} more rows (${POINTS} := 2,000,000 + k), unshared 1.`);
  const reconcile = await run('run 3', ['--reconcile']);
  await verify('run 3', rows - trashed.length - 1, new Map([...edited, ...edited3]), [...trashed.map((p) => p.id), unshared.id]);
  check(reconcile.cli.missing === 1, `run 3: the summary reports ${reconcile.cli.missing} missing page deleted, expected 1`);
  check(incremental.cli.trashed === trashed.length, `run 2: the summary reports ${incremental.cli.trashed} trashed, expected ${trashed.length}`);

  // The CLI's own counts agree with the emulator's.
  for (const r of [full, incremental, reconcile]) {
    check(r.cli.requests === r.requests, `${r.label}: CLI counted ${r.cli.requests} requests, the emulator ${r.requests}`);
  }
  check(reconcile.cli.reconcile === reconcile.reconcile, `run 3: CLI counted ${reconcile.cli.reconcile} reconciliation requests, the emulator ${reconcile.reconcile}`);
  runs = { full, incremental, reconcile };
} finally {
  await emu.close();
  if (values.keep) console.error(`Kept ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

// The table.
const { full, incremental, reconcile } = runs;
const ratio = incremental.requests / full.requests;
const pct = (x) => `${(x * 100).toFixed(2)}%`;
const table = [
  ['run', 'requests', 'of run 1', '429s', 'wall s', 'rows read', 'requests by kind'],
  ['1 full (first --incremental)', n(full.requests), '100%', String(full.http429), full.seconds.toFixed(1), n(full.cli.pages), `${count(full.rowQueries, 'row query', 'row queries')}, ${n(full.requests - full.rowQueries)} other`],
  [
    `2 --incremental (${pct(editFraction)} edited)`,
    n(incremental.requests),
    pct(ratio),
    String(incremental.http429),
    incremental.seconds.toFixed(1),
    n(incremental.cli.pages),
    `${count(incremental.rowQueries, 'row query', 'row queries')}, ${n(incremental.trashSearch)} trash search, ${n(incremental.requests - incremental.rowQueries - incremental.trashSearch)} other`,
  ],
  [
    '3 --incremental --reconcile',
    n(reconcile.requests),
    pct(reconcile.requests / full.requests),
    String(reconcile.http429),
    reconcile.seconds.toFixed(1),
    n(reconcile.cli.pages),
    `${n(reconcile.reconcile)} reconciliation, ${count(reconcile.rowQueries, 'row query', 'row queries')}, ${n(reconcile.trashSearch)} trash search, ${n(reconcile.requests - reconcile.reconcile - reconcile.rowQueries - reconcile.trashSearch)} other`,
  ],
  [
    '  3 without reconciliation',
    n(reconcile.requests - reconcile.reconcile),
    pct((reconcile.requests - reconcile.reconcile) / full.requests),
    '',
    '',
    '',
    '',
  ],
];
const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
console.log(`\nIncremental sync, ${n(rows)} rows in ${sources} data source(s), emulator and CLI at ${rate} requests/s, DuckDB:`);
for (const r of table) console.log(r.map((cell, i) => (i === 0 || i === r.length - 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd());
console.log(
  `\n${JSON.stringify({
    rows,
    sources,
    rate,
    runs: Object.fromEntries(
      Object.entries(runs).map(([k, r]) => [k, { requests: r.requests, seconds: Number(r.seconds.toFixed(1)), http429: r.http429, reconcile: r.reconcile, trashSearch: r.trashSearch, rowQueries: r.rowQueries, byEndpoint: r.byEndpoint, cli: r.cli }]),
    ),
    incrementalOverFull: Number(ratio.toFixed(4)),
  })}`,
);
const met = ratio <= target;
if (!met) failures.push(`run 2 made ${pct(ratio)} of run 1's requests (target ≤ ${pct(target)})`);
console.log(
  failures.length === 0
    ? `targets met: the incremental run made ${pct(ratio)} of the full run's requests (≤ ${pct(target)}); DuckDB checks passed`
    : `TARGETS MISSED: ${failures.join('; ')}`,
);
process.exitCode = failures.length === 0 ? 0 : 1;
