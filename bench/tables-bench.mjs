#!/usr/bin/env node
/**
 * Tables-stage benchmark: flattening and splitting a `pages` stream of 100,000 generated pages.
 *
 * - floor: readJsonLines → JSON.stringify → discarding sink (lines per second);
 * - measured: readJsonLines → flattenStream → splitStream → JSON.stringify → discarding sink
 *   (pages per second), target at least 0.5 of the floor;
 * - DuckDB: readJsonLines → flattenStream → splitStream → DuckDbSink for the first 20,000 and
 *   200,000 pages, each in a child process so peak RSS is per run; fails (exit 1) when peak RSS at
 *   200,000 pages exceeds ×1.2 its peak at 20,000 (bench/memory.mjs).
 *
 * Usage: npm run bench (or: npm run build && node bench/tables-bench.mjs [-- --pages 200000 --kind all-types])
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readJsonLines } from '../dist/singer/read.js';
import { flattenStream } from '../dist/stages/flatten.js';
import { splitStream } from '../dist/stages/split.js';
import { DuckDbSink } from '../dist/sinks/duckdb/sink.js';
import { likeTheCommand, mib, rssGrowth, runChild, sampleMemory } from './memory.mjs';

const { values } = parseArgs({
  options: {
    pages: { type: 'string', default: '200000' },
    kind: { type: 'string', default: 'all-types' },
    child: { type: 'string' }, // internal: DuckDB run over the first N pages of --file
    file: { type: 'string' },
  },
});

/** The data source line and the first `n` pages of a `pages` file. */
async function* firstPages(file, n) {
  let pages = 0;
  for await (const item of readJsonLines(createReadStream(file))) {
    if (item.object === 'page' && ++pages > n) return;
    yield item;
  }
}

if (values.child !== undefined) {
  // Child: one DuckDB load; reports rows, seconds and peak RSS as one JSON line on stdout.
  await likeTheCommand();
  const memory = sampleMemory();
  const dir = mkdtempSync(join(tmpdir(), 'tables-bench-duckdb-'));
  try {
    const t0 = performance.now();
    const summary = await new DuckDbSink({ path: join(dir, 'bench.duckdb'), mode: 'replace' }).write(
      splitStream(flattenStream(firstPages(values.file, Number(values.child)))),
    );
    const seconds = (performance.now() - t0) / 1000;
    const { peakRss, peakHeap } = memory.stop();
    const rows = summary.tables.reduce((sum, t) => sum + t.rows, 0);
    process.stdout.write(`${JSON.stringify({ rows, tables: summary.tables.length, seconds, peakRss, peakHeap })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

const { scaleWorkspace } = await import('../dist/emulator/generate.js');
const { Renderer } = await import('../dist/emulator/render.js');
const { WorkspaceLookup } = await import('../dist/emulator/lookup.js');

const total = Number(values.pages);
const kind = values.kind;
const dir = mkdtempSync(join(tmpdir(), 'tables-bench-'));
const file = join(dir, 'pages.ndjson');

// 1. Generate the `pages` file (not timed).
{
  const t0 = performance.now();
  const ws = scaleWorkspace({ dataSources: 1, pagesEach: total, kind });
  const renderer = new Renderer(new WorkspaceLookup(ws));
  const out = createWriteStream(file);
  const put = async (obj) => {
    if (!out.write(`${JSON.stringify(obj)}\n`)) await once(out, 'drain');
  };
  await put(renderer.dataSource(ws.dataSources[0]));
  for (const page of ws.pages) await put(renderer.page(page));
  out.end();
  await once(out, 'finish');
  const mib = statSync(file).size / 2 ** 20;
  console.error(`generated ${ws.pages.length} ${kind} pages (${mib.toFixed(1)} MiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** A Writable that drops every chunk. */
const discard = () => new Writable({ write: (_chunk, _enc, cb) => cb() });

/** Writes each item as a JSON line to a discarding sink; returns [items, seconds]. */
async function drain(items) {
  const sink = discard();
  const t0 = performance.now();
  let count = 0;
  for await (const item of items) {
    count++;
    if (!sink.write(`${JSON.stringify(item)}\n`)) await once(sink, 'drain');
  }
  sink.end();
  await once(sink, 'finish');
  return [count, (performance.now() - t0) / 1000];
}

// 2. Floor: read and re-serialise.
const [lines, floorSeconds] = await drain(readJsonLines(createReadStream(file)));
const floorRate = lines / floorSeconds;

// 3. Measured: read, flatten, split, serialise.
const [messages, measuredSeconds] = await drain(splitStream(flattenStream(readJsonLines(createReadStream(file)))));
const pagesRate = total / measuredSeconds;
const ratio = pagesRate / floorRate;

// 4. DuckDB, one child process per size.
async function duckdbRun(n) {
  const r = await runChild(fileURLToPath(import.meta.url), ['--child', String(n), '--file', file]);
  return {
    pages: n,
    rows: r.rows,
    tables: r.tables,
    seconds: Number(r.seconds.toFixed(2)),
    rowsPerSecond: Math.round(r.rows / r.seconds),
    peakRssMiB: mib(r.peakRss),
    peakJsHeapMiB: mib(r.peakHeap), // the rest of RSS is mostly DuckDB's native memory
  };
}
const sizes = [Math.min(20000, total), total];
const duck = [];
try {
  for (const n of sizes) duck.push(await duckdbRun(n));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const growth = rssGrowth('duckdb', duck[0], duck[1], `${duck[0].pages} → ${duck[1].pages} pages`);

// 5. Report.
const report = {
  kind,
  pages: total,
  floor: { lines, seconds: Number(floorSeconds.toFixed(2)), linesPerSecond: Math.round(floorRate) },
  flattenSplit: { messages, seconds: Number(measuredSeconds.toFixed(2)), pagesPerSecond: Math.round(pagesRate) },
  ratioToFloor: Number(ratio.toFixed(3)),
  duckdb: duck,
  rssGrowth: growth.ratio,
};
console.log(JSON.stringify(report, null, 2));
console.log(growth.line);
const missed = [
  ...(ratio >= 0.5 ? [] : [`flatten+split at ${ratio.toFixed(3)} of the floor (target >= 0.5)`]),
  ...(growth.ok ? [] : [growth.line]),
];
const ok = missed.length === 0;
console.log(ok ? 'targets met: flatten+split >= 0.5 of the floor, DuckDB peak RSS within ×1.2' : `TARGETS MISSED: ${missed.join('; ')}`);
process.exitCode = ok ? 0 : 1;
