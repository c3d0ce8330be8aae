#!/usr/bin/env node
/**
 * CSV and NDJSON sink benchmark: streams generated rows (bench/rows.mjs, the BigQuery bench's rows: 10
 * columns of every type and a list column split into two child rows per row) through `splitStream` into
 * the CSV sink (a directory) and the NDJSON sink (`--out` a file), at 20,000 and 200,000 rows, each in
 * a child process so peak RSS is per run. Prints rows per second and peak RSS, and fails (exit 1) when
 * a sink's peak RSS at 200,000 rows exceeds ×1.2 its peak at 20,000.
 *
 * Usage: npm run bench (or: npm run build && node bench/sinks-memory-bench.mjs [--rows 200000] [--sinks csv,ndjson])
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { likeTheCommand, mib, rssGrowth, runChild, sampleMemory } from './memory.mjs';
import { taskMessages } from './rows.mjs';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    sinks: { type: 'string', default: 'csv,ndjson' },
    child: { type: 'string' }, // internal: one run of the sink --child into a temporary directory
    n: { type: 'string' },
  },
});

if (values.child !== undefined) {
  await likeTheCommand();
  const { splitStream } = await import('../dist/stages/split.js');
  const { CsvSink } = await import('../dist/sinks/csv.js');
  const { NdjsonSink } = await import('../dist/sinks/ndjson.js');
  const n = Number(values.n);
  const dir = mkdtempSync(join(tmpdir(), `sinks-bench-${values.child}-`));
  try {
    const memory = sampleMemory();
    const sink = values.child === 'csv' ? new CsvSink({ dir: join(dir, 'csv') }) : new NdjsonSink({ out: join(dir, 'out.ndjson') });
    const t0 = performance.now();
    const summary = await sink.write(splitStream(taskMessages(n)));
    const seconds = (performance.now() - t0) / 1000;
    const { peakRss, peakHeap } = memory.stop();
    const rows = summary.tables.reduce((sum, t) => sum + t.rows, 0);
    process.stdout.write(`${JSON.stringify({ rows, seconds, peakRss, peakHeap })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const total = Number(values.rows);
const sizes = [Math.min(20000, total), total];
const report = {};
const lines = [];
let ok = true;
for (const sink of values.sinks.split(',')) {
  const runs = [];
  for (const n of sizes) {
    const r = await runChild(self, ['--child', sink, '--n', String(n)]);
    runs.push({ parentRows: n, rows: r.rows, seconds: Number(r.seconds.toFixed(2)), rowsPerSecond: Math.round(r.rows / r.seconds), peakRssMiB: mib(r.peakRss), peakJsHeapMiB: mib(r.peakHeap) });
  }
  const growth = rssGrowth(sink, runs[0], runs[1], `${sizes[0]} → ${sizes[1]} parent rows`);
  report[sink] = { runs, rssGrowth: growth.ratio };
  lines.push(growth.line);
  ok &&= growth.ok;
}
console.log(JSON.stringify(report, null, 2));
for (const line of lines) console.log(line);
console.log(ok ? 'target met: every sink within ×1.2' : 'TARGET MISSED: a sink grew more than ×1.2');
process.exitCode = ok ? 0 : 1;
