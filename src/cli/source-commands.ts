/**
 * `notion-stream list` and `notion-stream pages`: the source stages on the command line, NDJSON on
 * stdout, progress and the summary on stderr.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DEFAULT_BASE_URL, DEFAULT_RATE_LIMIT, NotionApi } from '../notion/api.js';
import { RunStats } from '../util/stats.js';
import { createLineBatcher } from '../util/line-batcher.js';
import { listDataSources } from '../stages/list-data-sources.js';
import { readPages } from '../stages/read-pages.js';
import { PAGES_END_MARKER } from '../singer/end-marker.js';
import { checkSourceOptions } from './validate.js';
import { runCommand, startProgress, UsageError, type CommandIO, type RunContext } from './run.js';

export interface SourceOptions {
  database?: string[];
  notionBaseUrl?: string;
  rateLimit?: number;
  concurrency?: number;
  timeout?: number;
  retries?: number;
  quiet?: boolean;
}

/** Builds the NotionApi of a run from flags and environment. */
export function notionApiFor(ctx: RunContext, options: SourceOptions, stats: RunStats): NotionApi {
  checkSourceOptions(options);
  const token = ctx.env.NOTION_TOKEN;
  if (!token) {
    throw new UsageError('NOTION_TOKEN is not set. Create an internal integration in Notion (Settings → Connections → Develop or manage integrations), share your databases with it, and export NOTION_TOKEN=<its secret>. To try the tool without Notion, run `notion-stream emulate`.');
  }
  const rate = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  return new NotionApi({
    token,
    baseUrl: (options.notionBaseUrl ?? ctx.env.NOTION_BASE_URL ?? DEFAULT_BASE_URL).replace(/\/+$/, '').replace(/\/v1$/, ''),
    rateLimit: rate,
    timeoutMs: options.timeout ? options.timeout * 1000 : undefined,
    maxRetries: options.retries,
    signal: ctx.signal,
    stats,
    logger: ctx.logger,
  });
}

/** Writes objects as NDJSON to `out` (stdout by default), with backpressure, leaving stdout open; lines go out in batches. */
export async function writeNdjson(ctx: RunContext, items: AsyncIterable<unknown>, out: NodeJS.WritableStream = ctx.stdout): Promise<void> {
  const toLine = createLineBatcher();
  await pipeline(Readable.from(items, { objectMode: true, highWaterMark: 16 }), toLine, out, { end: out !== ctx.stdout, signal: ctx.signal });
}

export function listCommand(options: SourceOptions, io: CommandIO = {}): Promise<number> {
  return runCommand(io, options, async (ctx) => {
    const stats = new RunStats();
    const api = notionApiFor(ctx, options, stats);
    let count = 0;
    await writeNdjson(
      ctx,
      (async function* () {
        for await (const ds of listDataSources(api, { databases: options.database })) {
          count++;
          yield ds;
        }
      })(),
    );
    stats.dataSources = count;
    ctx.logger.info(`Listed ${stats.summary({ pages: false })}.`);
  });
}

export function pagesCommand(options: SourceOptions, io: CommandIO = {}): Promise<number> {
  return runCommand(io, options, async (ctx) => {
    const stats = new RunStats();
    const api = notionApiFor(ctx, options, stats);
    const stop = startProgress(ctx, stats, options.rateLimit);
    try {
      const dataSources = listDataSources(api, { databases: options.database });
      const pages = readPages(api, dataSources, { concurrency: options.concurrency, signal: ctx.signal });
      // The end marker goes out only once every page was read (the completion protocol).
      await writeNdjson(
        ctx,
        (async function* () {
          yield* pages;
          yield PAGES_END_MARKER;
        })(),
      );
    } finally {
      stop();
    }
    ctx.logger.info(`Read ${stats.summary()}.`);
  });
}
