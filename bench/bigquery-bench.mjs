#!/usr/bin/env node
/**
 * BigQuery sink benchmark: streams generated rows through the BigQuery sink (the real
 * `@google-cloud/bigquery` client over HTTP) into the strict BigQuery test server, which runs in its own
 * process so its storage does not count against the sink's memory.
 *
 * For 20,000 and 200,000 rows (each in a child process, so peak RSS is per run) it prints rows per
 * second, peak RSS, and the load, copy and query jobs per table of the run, and fails (exit 1) when peak
 * RSS at 200,000 rows exceeds ×1.2 its peak at 20,000 (bench/memory.mjs). The rows are bench/rows.mjs's:
 * each parent row also has two child rows (a list column split into a child table).
 *
 * Usage: npm run bench (or: npm run build && npx tsc -p tsconfig.support.json && node bench/bigquery-bench.mjs [--rows 200000])
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { likeTheCommand, mib, rssGrowth, runChild, sampleMemory } from './memory.mjs';
import { taskMessages } from './rows.mjs';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    child: { type: 'string' }, // internal: one sink run of N rows against --endpoint
    endpoint: { type: 'string' },
    server: { type: 'boolean', default: false }, // internal: serve the test server until stdin closes
  },
});

const SERVER = '../build/support/test/support/bigquery-server/index.js';

if (values.server) {
  const { startBigQueryServer } = await import(SERVER);
  const server = await startBigQueryServer({ projectId: 'bench-project' });
  process.stdout.write(`${server.url}\n`);
  process.stdin.resume();
  process.stdin.on('end', async () => {
    const jobs = server.jobs();
    process.stderr.write(`server: ${jobs.length} jobs\n`);
    await server.close();
    process.exit(0);
  });
} else if (values.child !== undefined) {
  await likeTheCommand();
  process.env.METADATA_SERVER_DETECTION = 'none';
  const { BigQuerySink } = await import('../dist/sinks/bigquery/sink.js');
  const { splitStream } = await import('../dist/stages/split.js');
  const n = Number(values.child);
  const memory = sampleMemory();
  const t0 = performance.now();
  const sink = new BigQuerySink({ projectId: 'bench-project', datasetId: `bench_${n}`, location: 'US', endpoint: values.endpoint, pollMs: 100 });
  const summary = await sink.write(splitStream(taskMessages(n)));
  const seconds = (performance.now() - t0) / 1000;
  const { peakRss, peakHeap } = memory.stop();
  process.stdout.write(`${JSON.stringify({ summary, seconds, peakRss, peakHeap })}\n`);
  process.exit(0);
} else {
  const self = fileURLToPath(import.meta.url);
  const server = spawn(process.execPath, [self, '--server'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [first] = await once(server.stdout, 'data');
  const endpoint = String(first).trim();
  const total = Number(values.rows);
  const sizes = [Math.min(20000, total), total];
  const runs = [];
  try {
    for (const n of sizes) {
      const r = await runChild(self, ['--child', String(n), '--endpoint', endpoint]);
      const rows = r.summary.tables.reduce((sum, t) => sum + t.rows, 0);
      const tables = r.summary.tables.length;
      runs.push({
        parentRows: n,
        rows,
        tables,
        seconds: Number(r.seconds.toFixed(2)),
        rowsPerSecond: Math.round(rows / r.seconds),
        peakRssMiB: mib(r.peakRss),
        peakJsHeapMiB: mib(r.peakHeap),
        jobsPerTable: {
          load: Number((r.summary.jobs.load / tables).toFixed(2)),
          copy: Number((r.summary.jobs.copy / tables).toFixed(2)),
          query: Number((r.summary.jobs.query / tables).toFixed(2)),
        },
        jobs: r.summary.jobs,
      });
    }
  } finally {
    server.stdin.end();
  }
  const growth = rssGrowth('bigquery', runs[0], runs[1], `${runs[0].parentRows} → ${runs[1].parentRows} parent rows`);
  console.log(JSON.stringify({ runs, rssGrowth: growth.ratio }, null, 2));
  console.log(growth.line);
  console.log(growth.ok ? 'target met: BigQuery sink peak RSS within ×1.2' : `TARGET MISSED: ${growth.line}`);
  process.exitCode = growth.ok ? 0 : 1;
}
