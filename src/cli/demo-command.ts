/**
 * `notion-stream demo`: a first look without a Notion account. Starts the emulator with a sample
 * workspace (related databases, every property type, a relation past 25), reads it completely through
 * the same stages and HTTP policy as a real run, writes the pages to an NDJSON file and says what it read.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { demoWorkspace } from '../emulator/generate.js';
import { startEmulator } from '../emulator/server.js';
import { NotionApi } from '../notion/api.js';
import { plainText } from '../notion/types.js';
import { listDataSources } from '../stages/list-data-sources.js';
import { readPages } from '../stages/read-pages.js';
import { RunStats } from '../util/stats.js';
import { runCommand, startProgress, type CommandIO } from './run.js';
import { writeNdjson } from './source-commands.js';

export interface DemoOptions {
  out: string;
  rateLimit: number;
  quiet?: boolean;
}

export function demoCommand(options: DemoOptions, io: CommandIO = {}): Promise<number> {
  return runCommand(io, options, async (ctx) => {
    const workspace = demoWorkspace();
    const emulator = await startEmulator({ workspace, rateLimit: { perSecond: options.rateLimit, burst: Math.max(1, Math.ceil(options.rateLimit)) } });
    const out = resolve(options.out);
    const partial = `${out}.partial`;
    const stats = new RunStats();
    const counts = new Map<string, { title: string; pages: number }>();
    const stop = startProgress(ctx.logger, stats, 3000);
    try {
      ctx.logger.info(`Started the Notion API emulator at ${emulator.url} with a sample workspace; reading it at ${options.rateLimit} requests/s, as from Notion.`);
      const api = new NotionApi({ token: emulator.token, baseUrl: emulator.url, rateLimit: options.rateLimit, signal: ctx.signal, stats, logger: ctx.logger });
      const items = (async function* () {
        let current: { title: string; pages: number } | undefined;
        for await (const item of readPages(api, listDataSources(api), { signal: ctx.signal })) {
          if (item.object === 'data_source') counts.set(item.id, (current = { title: plainText(item.title), pages: 0 }));
          else if (current) current.pages++;
          yield item;
        }
      })();
      await writeNdjson(ctx, items, createWriteStream(partial));
      await rename(partial, out);
    } finally {
      stop();
      await rm(partial, { force: true });
      await emulator.close();
    }
    const width = Math.max(...[...counts.values()].map((c) => c.title.length), 11);
    const rows = [...counts.values()].map((c) => `  ${c.title.padEnd(width)}  ${String(c.pages).padStart(6)}`);
    ctx.stderr.write(
      [
        '',
        `Read ${stats.summary()}.`,
        '',
        `  ${'data source'.padEnd(width)}  ${'pages'.padStart(6)}`,
        ...rows,
        '',
        `Wrote ${out}: each data source object, then its pages, one JSON object per line,`,
        'with relations past 25, people past 25 and long mention lists completed. Try:',
        `  jq -c 'select(.object=="page") | .properties | map_values(.type)' ${options.out} | head -1`,
        '',
      ].join('\n'),
    );
  });
}
