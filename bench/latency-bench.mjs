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
 * Defaults are the full size, 1 × 30,000 rows and 3 × 10,000 rows (about 15 minutes at 3 requests/s);
 * `--rows 9000` scales them down (1 × 9,000 and 3 × 3,000).
 *
 * Then the bulk imports: 25,000 rows (`--bulk-rows`) created in one minute, at `--bulk-rate` requests/s
 * and latency 0, in three emulator variants: last edits spread over later minutes
 * (`scale:1x25000/25000`); every row last edited in its created minute with a number and a date column
 * but no ID property (`:unedited`, read past the cap on the number); the same with the title alone
 * (`:unedited:title-only`, which must stop with `window_stuck`: nothing orders its rows); and a bulk
 * edit: as many rows created over time, all last edited in one minute, read incrementally. Each prints
 * rows read and requests against the minimum, and fails if a row is missing or the requests exceed
 * 1.05 × the minimum. `--latencies ""` runs the bulk cases alone.
 * Usage: node bench/latency-bench.mjs [--rows 30000] [--rate 3] [--latencies 0,300,800,1500] [--bulk-rows 25000] [--bulk-rate 20] [--reader <dist/index.js>]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmulatorProcess } from './emulator-process.mjs';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '30000' },
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
const latencies = values.latencies.split(',').filter((x) => x.trim() !== '').map(Number);
const layouts = [
  { sources: 1, each: rows },
  { sources: 3, each: Math.round(rows / 3) },
];

async function startEmulator(workspace, latency, limit) {
  return startEmulatorProcess(['--workspace', workspace, '--rate-limit', String(limit), '--latency', String(latency)]);
}

async function run(layout, latency, limit = rate) {
  const workspace = layout.workspaceFile ?? `scale:${layout.sources}x${layout.each}${layout.perMinute ? `/${layout.perMinute}` : ''}${layout.variant ?? ''}`;
  const emu = await startEmulator(workspace, latency, limit);
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
    for await (const item of readPages(api, listDataSources(api), { concurrency: 3, ...(layout.since ? { since: () => layout.since } : {}) })) {
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
    workspace: layout.label ?? workspace,
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
// Bulk imports: every row created in the same minute. Latency 0, a faster limit: these cases measure
// requests against the minimum, not the rate.
const bulkRows = Number(values['bulk-rows']);
const bulkCases = [
  // Last edits spread over later minutes: each (created, edited) minute pair holds under 10,000 rows.
  { variant: '' },
  // Both minutes equal for every row, no ID property: read past the cap on the number column.
  { variant: ':unedited' },
  // Both minutes equal, the title alone: nothing to order the rows by past the cap (Notion's 10,000).
  { variant: ':unedited:title-only', ...(bulkRows > 10_000 ? { expectError: 'window_stuck' } : {}) },
];
for (const c of bulkCases) {
  const bulk = await run({ sources: 1, each: bulkRows, perMinute: bulkRows, variant: c.variant }, 0, Number(values['bulk-rate']));
  bulk.sameOutputAsFirst = true;
  bulk.bulk = true;
  if (c.expectError) bulk.expectError = c.expectError;
  results.push(bulk);
  console.log(JSON.stringify(bulk));
}
// A bulk edit: the same number of rows created over time, all last edited in one minute, read
// incrementally from a watermark before that minute (sorted on last_edited_time, then created_time).
{
  const dir = mkdtempSync(join(tmpdir(), 'latency-bench-'));
  try {
    const workspaceFile = join(dir, 'bulk-edit.json');
    // Made in a child process, so the workspace does not count in this process's peak RSS.
    const made = spawnSync(process.execPath, ['--input-type=module', '-e', `
      const { scaleWorkspace } = await import(${JSON.stringify(new URL('../dist/emulator/generate.js', import.meta.url).href)});
      const { saveWorkspace } = await import(${JSON.stringify(new URL('../dist/emulator/seed.js', import.meta.url).href)});
      const ws = scaleWorkspace({ dataSources: 1, pagesEach: ${bulkRows} });
      const last = ws.pages.reduce((max, p) => (p.created_time > max ? p.created_time : max), '');
      const edited = new Date(Math.floor(Date.parse(last) / 60_000) * 60_000 + 3_600_000).toISOString();
      for (const p of ws.pages) p.last_edited_time = edited;
      await saveWorkspace(${JSON.stringify(workspaceFile)}, ws);
      process.stdout.write(edited);
    `], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`bulk-edit workspace: ${made.stderr}`);
    const edited = made.stdout.trim();
    const bulk = await run({ sources: 1, each: bulkRows, workspaceFile, since: edited, label: `scale:1x${bulkRows}, every row edited in one minute, incremental` }, 0, Number(values['bulk-rate']));
    bulk.sameOutputAsFirst = true;
    bulk.bulk = true;
    results.push(bulk);
    console.log(JSON.stringify(bulk));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.table(results.map(({ digest, bulk, ...r }) => r));
const complete = (r) => r.rows === Number(r.layout.split('x')[0]) * Number(r.layout.split('x')[1]);
const ok = results.every((r) => {
  if (r.expectError) return r.error === r.expectError;
  return !r.error && r.sameOutputAsFirst && complete(r) && r.http429 === 0 && (!r.bulk || r.requestsRatio <= 1.05);
});
console.log(ok ? 'output identical at every latency, every row once, no 429, bulk imports within 1.05 × the minimum requests' : 'TARGETS MISSED');
process.exitCode = ok ? 0 : 1;
