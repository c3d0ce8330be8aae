/**
 * `notion-stream list` and `notion-stream pages`: the source stages on the command line, NDJSON on
 * stdout, progress and the summary on stderr.
 */
import type { NotionApi } from '../notion/api.js';
import { openNotionApi } from '../sync/notion.js';
import type { SourceOptions } from '../sync/options.js';
import { RunStats } from '../util/stats.js';
import { writeNdjsonLines } from '../util/line-batcher.js';
import { listDataSources } from '../stages/list-data-sources.js';
import { readPages } from '../stages/read-pages.js';
import { PAGES_END_MARKER } from '../singer/end-marker.js';
import { runCommand, startProgress, type CommandIO, type RunContext } from './run.js';

export type { SourceOptions };

/** Builds the NotionApi of a run from flags and environment. Throws `invalid_option` (exit code 2). */
export function notionApiFor(ctx: RunContext, options: SourceOptions, stats: RunStats): NotionApi {
  return openNotionApi(options, ctx.env, { signal: ctx.signal, stats, logger: ctx.logger });
}

/**
 * Writes objects as NDJSON to `out` (stdout by default, left open; another stream is ended) in batches of
 * up to 64 KiB with backpressure (`writeNdjsonLines`); a failing input still gets its lines so far out,
 * never the end marker that only complete input yields.
 */
export async function writeNdjson(ctx: RunContext, items: AsyncIterable<unknown>, out: NodeJS.WritableStream = ctx.stdout): Promise<void> {
  await writeNdjsonLines(out, items, { end: out !== ctx.stdout, signal: ctx.signal });
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
