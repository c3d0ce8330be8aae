#!/usr/bin/env node
/**
 * Content benchmark: `--content` on 2,000 pages served by the emulator (in a child process) enforcing
 * 3 requests/s. Most pages hold a few flat blocks; every 10th a nested document (lists three deep, a
 * table, a toggle, a child page), every 50th 150 paragraphs (two requests at one level). Prints the
 * block-children requests made against the minimum (one list call per 100 children of each page and
 * of each block with children, child pages not descended), the achieved rate as a fraction of the
 * limit, 429s and peak RSS.
 *
 * Usage: npm run bench:content [-- --pages 2000 --rate 3]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEmulatorProcess } from './emulator-process.mjs';
import { contentTables, listDataSources, NotionApi, readPages, RunStats } from '../dist/index.js';
import { addBlocks, BlockIds, manyParagraphs, sampleDocument, saveWorkspace, scaleWorkspace, textBlock } from '../dist/emulator/index.js';

const { values } = parseArgs({ options: { pages: { type: 'string', default: '2000' }, rate: { type: 'string', default: '3' } } });
const pageCount = Number(values.pages);
const rate = Number(values.rate);

// The workspace, saved as a seed file for the emulator process.
const ws = scaleWorkspace({ dataSources: 1, pagesEach: pageCount, seed: 7 });
const ids = new BlockIds();
ws.pages.forEach((page, i) => {
  const specs =
    i % 50 === 0 ? manyParagraphs(150) : i % 10 === 0 ? sampleDocument(ids.next(), `Child of ${i}`) : [textBlock('heading_2', `Page ${i}`), textBlock('paragraph', 'Some text.'), textBlock('to_do', 'Follow up', { checked: false })];
  addBlocks(ws, page.id, specs, { ids });
});
const minimumFor = (id) => {
  const kids = ws.blocks[id] ?? [];
  let n = Math.max(1, Math.ceil(kids.length / 100));
  for (const b of kids) if (b.has_children === true && b.type !== 'child_page' && b.type !== 'child_database') n += minimumFor(String(b.id));
  return n;
};
const minimum = ws.pages.reduce((n, p) => n + minimumFor(p.id), 0);
const blocksTotal = (function count(id) {
  return (ws.blocks[id] ?? []).reduce((n, b) => n + 1 + (b.type === 'child_page' ? 0 : count(String(b.id))), 0);
});
const expectedBlocks = ws.pages.reduce((n, p) => n + blocksTotal(p.id), 0);
const dir = await mkdtemp(join(tmpdir(), 'notion-stream-content-bench-'));
const seed = join(dir, 'workspace.json');
await saveWorkspace(seed, ws);

const emulator = await startEmulatorProcess(['--workspace', seed, '--rate-limit', String(rate)]);
const { url, child } = emulator;
let running = true;
child.once('exit', (code, signal) => {
  if (running) console.error(`the emulator stopped during the run (${code ?? signal}): ${emulator.banner().slice(-2000)}`);
});

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const stats = new RunStats();
const api = new NotionApi({ token: url.token, baseUrl: url.baseUrl, rateLimit: rate, stats });

// The page ids, as a sync reads them (counted apart), then the content of every page.
const pageIds = [];
for await (const item of readPages(api, listDataSources(api), { concurrency: 3 })) if (item.object === 'page') pageIds.push(item.id);
const before = stats.requests;
const t0 = Date.now();
let blocks = 0;
let contents = 0;
for await (const m of contentTables(api, pageIds, { concurrency: 3 })) {
  if (m.type !== 'RECORD') continue;
  if (m.stream === 'notion_blocks') blocks++;
  else contents++;
}
const seconds = (Date.now() - t0) / 1000;
clearInterval(sampler);
running = false;
await emulator.stop();
await rm(dir, { recursive: true, force: true });

const requests = stats.requests - before;
const achieved = requests / seconds;
const report = {
  pages: contents,
  blocks,
  expectedBlocks,
  contentRequests: requests,
  minimumRequests: minimum,
  requestsOverMinimum: `${(((requests - minimum) / minimum) * 100).toFixed(2)}%`,
  seconds: Number(seconds.toFixed(1)),
  achievedRate: Number(achieved.toFixed(3)),
  rateFractionOfLimit: Number((achieved / rate).toFixed(3)),
  http429: stats.rateLimitWaits,
  retries: stats.retries,
  peakRssMiB: Number((peakRss / 2 ** 20).toFixed(1)),
};
console.log(JSON.stringify(report, null, 2));
const ok = contents === pageCount && blocks === expectedBlocks && requests === minimum && achieved / rate >= 0.9 && stats.rateLimitWaits === 0;
console.log(ok ? 'targets met: every block, requests at the minimum, rate >= 0.9 of limit, no 429' : 'TARGETS MISSED');
process.exitCode = ok ? 0 : 1;
