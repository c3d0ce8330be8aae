#!/usr/bin/env node
/**
 * Source-stage benchmark: reads 30,000 rows across 3 data sources from the emulator enforcing
 * 3 requests/s, and prints requests made against the minimum needed, the achieved request rate as a
 * fraction of the limit, 429s received and peak RSS of the reading process.
 *
 * The emulator runs in a child process so its memory does not count in the reader's RSS.
 * Usage: npm run bench [-- --sources 3 --pages 10000 --rate 3]
 */
import { parseArgs } from 'node:util';
import { startEmulatorProcess } from './emulator-process.mjs';
import { listDataSources, NotionApi, readPages, RunStats } from '../dist/index.js';

const { values } = parseArgs({
  options: {
    sources: { type: 'string', default: '3' },
    pages: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '3' },
  },
});
const sources = Number(values.sources);
const pagesEach = Number(values.pages);
const rate = Number(values.rate);

const emulator = await startEmulatorProcess(['--workspace', `scale:${sources}x${pagesEach}`, '--rate-limit', String(rate)]);
const url = emulator.url;

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

const stats = new RunStats();
const api = new NotionApi({ token: url.token, baseUrl: url.baseUrl, rateLimit: rate, stats });
const t0 = Date.now();
let pages = 0;
let bytes = 0;
for await (const item of readPages(api, listDataSources(api), { concurrency: 3 })) {
  if (item.object === 'page') pages++;
  bytes += JSON.stringify(item).length + 1; // what `pages` would write
}
const seconds = (Date.now() - t0) / 1000;
clearInterval(sampler);
await emulator.stop();

const minimum = 1 + sources * Math.ceil(pagesEach / 100); // one search page, then full query pages
const achieved = stats.requests / seconds;
const report = {
  rows: pages,
  expectedRows: sources * pagesEach,
  requests: stats.requests,
  minimumRequests: minimum,
  requestsOverMinimum: `${(((stats.requests - minimum) / minimum) * 100).toFixed(2)}%`,
  seconds: Number(seconds.toFixed(1)),
  achievedRate: Number(achieved.toFixed(3)),
  rateFractionOfLimit: Number((achieved / rate).toFixed(3)),
  http429: stats.rateLimitWaits,
  retries: stats.retries,
  peakRssMiB: Number((peakRss / 2 ** 20).toFixed(1)),
  ndjsonMiB: Number((bytes / 2 ** 20).toFixed(1)),
};
console.log(JSON.stringify(report, null, 2));
const ok = pages === sources * pagesEach && stats.requests <= minimum * 1.02 && achieved / rate >= 0.9 && stats.rateLimitWaits === 0;
console.log(ok ? 'targets met: requests within 2% of minimum, rate >= 0.9 of limit, no 429' : 'TARGETS MISSED');
process.exitCode = ok ? 0 : 1;
