#!/usr/bin/env node
/**
 * BigQuery sink benchmark: streams generated rows through the BigQuery sink (the real
 * `@google-cloud/bigquery` client over HTTP) into the strict BigQuery test server, which runs in its own
 * process so its storage does not count against the sink's memory.
 *
 * For 20,000 and 200,000 rows (each in a child process, so peak RSS is per run) it prints rows per
 * second, peak RSS, and the load, copy and query jobs per table of the run. Target: peak RSS grows less
 * than 30% from 20,000 to 200,000 rows. Each parent row also has two child rows (a list column split
 * into a child table), as Notion multi-selects give.
 *
 * Usage: npm run bench (or: npm run build && npx tsc -p tsconfig.support.json && node bench/bigquery-bench.mjs [--rows 200000])
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

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
  process.env.METADATA_SERVER_DETECTION = 'none';
  const { BigQuerySink } = await import('../dist/sinks/bigquery/sink.js');
  const { splitStream } = await import('../dist/stages/split.js');
  const n = Number(values.child);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const opt = (type, format) => ({ type: ['null', type], ...(format ? { format } : {}) });
  async function* messages() {
    yield {
      type: 'SCHEMA', stream: 'tasks', key_properties: ['id'],
      schema: {
        type: 'object',
        properties: {
          id: opt('string'), url: opt('string'), created_time: opt('string', 'date-time'), last_edited_time: opt('string', 'date-time'),
          name: opt('string'), points: opt('number'), n: opt('integer'), active: opt('boolean'), due_date: opt('string', 'date'),
          raw: { 'x-json': true },
          tags: { type: ['null', 'array'], items: { type: ['null', 'object'], properties: { id: opt('string'), name: opt('string') } } },
        },
      },
    };
    const t0 = Date.UTC(2024, 0, 1);
    for (let i = 0; i < n; i++) {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      yield {
        type: 'RECORD', stream: 'tasks',
        record: {
          id, url: `https://www.notion.so/${id.replaceAll('-', '')}`, created_time: new Date(t0 + i * 60_000).toISOString(),
          last_edited_time: new Date(t0 + i * 90_000).toISOString(), name: `Task number ${i} with a title of ordinary length`,
          points: (i % 100) / 4, n: i, active: i % 3 === 0, due_date: new Date(t0 + (i % 365) * 86_400_000).toISOString().slice(0, 10),
          raw: { kind: 'bench', i, nested: [i % 7, 'x'] },
          tags: [{ id: `t${i % 5}`, name: `Tag ${i % 5}` }, { id: `u${i % 11}`, name: `Other ${i % 11}` }],
        },
      };
    }
  }
  const t0 = performance.now();
  const sink = new BigQuerySink({ projectId: 'bench-project', datasetId: `bench_${n}`, location: 'US', endpoint: values.endpoint, pollMs: 100 });
  const summary = await sink.write(splitStream(messages()));
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
  process.stdout.write(`${JSON.stringify({ summary, seconds, peakRss })}\n`);
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
      const child = spawn(process.execPath, [self, '--child', String(n), '--endpoint', endpoint], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const [code] = await once(child, 'exit');
      if (code !== 0) throw new Error(`sink child for ${n} rows exited with ${code}`);
      const r = JSON.parse(out.trim().split('\n').pop());
      const rows = r.summary.tables.reduce((sum, t) => sum + t.rows, 0);
      const tables = r.summary.tables.length;
      runs.push({
        parentRows: n,
        rows,
        tables,
        seconds: Number(r.seconds.toFixed(2)),
        rowsPerSecond: Math.round(rows / r.seconds),
        peakRssMiB: Number((r.peakRss / 2 ** 20).toFixed(1)),
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
  const growth = (runs[1].peakRssMiB - runs[0].peakRssMiB) / runs[0].peakRssMiB;
  console.log(JSON.stringify({ runs, rssGrowth: `${(growth * 100).toFixed(1)}% (${runs[0].parentRows} → ${runs[1].parentRows} parent rows)` }, null, 2));
  const ok = growth < 0.3;
  console.log(ok ? 'target met: BigQuery sink peak RSS growth < 30%' : `TARGET MISSED: RSS growth ${(growth * 100).toFixed(1)}% (target < 30%)`);
  process.exitCode = ok ? 0 : 1;
}
