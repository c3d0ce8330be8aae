#!/usr/bin/env node
/**
 * Latency benchmark: how close the page reader stays to Notion's rate limit when every response takes
 * 0, 300, 800 or 1,500 ms, for one large data source and for three smaller ones.
 *
 * For each latency and layout it starts the emulator (child process, `emulate --latency`), reads every
 * page with `readPages`, and prints: requests against the minimum (one search page, then full query
 * pages), the achieved request rate as a fraction of the limit, peak RSS of the reading process, and
 * whether the output is byte-identical to the run at latency 0.
 *
 * Defaults are scaled down from 30,000 rows so the bench takes a few minutes at 3 requests/s:
 * 1 × 9,000 rows and 3 × 3,000 rows. `--rows 30000` runs the full size.
 * Usage: node bench/latency-bench.mjs [--rows 9000] [--rate 3] [--latencies 0,300,800,1500] [--reader <dist/index.js>]
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { startEmulatorProcess } from './emulator-process.mjs';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '9000' },
    rate: { type: 'string', default: '3' },
    latencies: { type: 'string', default: '0,300,800,1500' },
    // Another build's dist/index.js as the reader (to compare with an earlier version).
    reader: { type: 'string' },
    // Rows of the bulk-import case (all created in one minute), read at --bulk-rate requests/s.
    'bulk-rows': { type: 'string', default: '25000' },
    'bulk-rate': { type: 'string', default: '20' },
  },
});
const { listDataSources, NotionApi, readPages, RunStats } = await import(values.reader ?? '../dist/index.js');
const rows = Number(values.rows);
const rate = Number(values.rate);
const latencies = values.latencies.split(',').map(Number);
const layouts = [
  { sources: 1, each: rows },
  { sources: 3, each: Math.round(rows / 3) },
];

async function startEmulator(workspace, latency, limit) {
  return startEmulatorProcess(['--workspace', workspace, '--rate-limit', String(limit), '--latency', String(latency)]);
}

async function run(layout, latency, limit = rate) {
  const emu = await startEmulator(`scale:${layout.sources}x${layout.each}${layout.perMinute ? `/${layout.perMinute}` : ''}`, latency, limit);
  global.gc?.();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const stats = new RunStats();
  const api = new NotionApi({ token: emu.url.token, baseUrl: emu.url.baseUrl, rateLimit: limit, stats });
  const hash = createHash('sha256');
  let pages = 0;
  let error;
  const t0 = Date.now();
  let t1;
  try {
    for await (const item of readPages(api, listDataSources(api), { concurrency: 3 })) {
      if (item.object === 'page') pages++;
      hash.update(JSON.stringify(item) + '\n');
    }
  } catch (err) {
    error = err.code ?? String(err);
  } finally {
    // The read ends with its last item; stopping the emulator process is not part of it.
    t1 = Date.now();
    clearInterval(sampler);
    await emu.stop();
  }
  const seconds = (t1 - t0) / 1000;
  const minimum = 1 + layout.sources * Math.ceil(layout.each / 100);
  return {
    layout: `${layout.sources}x${layout.each}`,
    latencyMs: latency,
    rows: pages,
    requests: stats.requests,
    minimumRequests: minimum,
    requestsRatio: Number((stats.requests / minimum).toFixed(3)),
    seconds: Number(seconds.toFixed(1)),
    rateFraction: Number((stats.requests / seconds / limit).toFixed(3)),
    http429: stats.rateLimitWaits,
    peakRssMiB: Number((peakRss / 2 ** 20).toFixed(1)),
    digest: hash.digest('hex').slice(0, 16),
    ...(error ? { error } : {}),
  };
}

const results = [];
for (const layout of layouts) {
  let baseline;
  for (const latency of latencies) {
    const r = await run(layout, latency);
    baseline ??= r.digest;
    r.sameOutputAsFirst = r.digest === baseline;
    results.push(r);
    console.log(JSON.stringify(r));
  }
}
// A bulk import: every row created in the same minute (the generator's last_edited_time spread
// keeps each (created, edited) minute pair under 10,000 rows). Latency 0, a faster limit: this case
// measures requests against the minimum, not the rate.
const bulkRows = Number(values['bulk-rows']);
const bulk = await run({ sources: 1, each: bulkRows, perMinute: bulkRows }, 0, Number(values['bulk-rate']));
bulk.sameOutputAsFirst = true;
results.push(bulk);
console.log(JSON.stringify(bulk));
console.table(results.map(({ digest, ...r }) => r));
const ok = results.every((r) => r.sameOutputAsFirst && r.rows === Number(r.layout.split('x')[0]) * Number(r.layout.split('x')[1]) && r.http429 === 0);
console.log(ok ? 'output identical at every latency, every row once, no 429' : 'TARGETS MISSED');
process.exitCode = ok ? 0 : 1;
