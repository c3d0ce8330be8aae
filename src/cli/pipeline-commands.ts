/**
 * `sync` (lister → page reader → flattener → splitter → sink) and the same stages over stdin/stdout:
 * `flatten`, `split` and `load`. Whatever fails, the sink leaves the destination as it was.
 */
import type { Readable } from 'node:stream';
import { readJsonLines, readSingerLines } from '../singer/read.js';
import { createSink } from '../sinks/create.js';
import type { Sink } from '../sinks/types.js';
import { flattenStream } from '../stages/flatten.js';
import type { PageStreamItem } from '../stages/read-pages.js';
import { splitStream } from '../stages/split.js';
import { RunStats } from '../util/stats.js';
import { runCommand, startProgress, type CommandIO, type RunContext } from './run.js';
import { writeNdjson } from './source-commands.js';
import { writeStateFile } from '../state/file.js';
import { withSingerEnd } from '../singer/end-marker.js';
import { sync } from '../sync/sync.js';
import { tableOverrides, type DestinationOptions, type ShapeOptions, type SyncOptions } from '../sync/options.js';
import { checkDestination } from '../sync/destination.js';
import { describeChanges, describeSummary } from './describe.js';
import { describeRequests } from './workspace-flags.js';

export type { DestinationOptions, ShapeOptions, SyncOptions };

/** The flattener's options from the command line: table names, warnings to stderr, the run's signal. */
function flattenOptions(ctx: RunContext, options: ShapeOptions) {
  return { tableNames: tableOverrides(options.table), onWarning: (m: string) => ctx.logger.warn(m), signal: ctx.signal };
}

function sinkFor(ctx: RunContext, options: DestinationOptions & { to: NonNullable<DestinationOptions['to']>; state?: string }): Sink {
  return createSink({ ...options, stdout: ctx.stdout, env: ctx.env, log: (line) => ctx.logger.info(line) });
}

/** `sync`: the options go to `sync()` as they are (it checks them), its summary is printed. */
export function syncCommand(options: SyncOptions, io: CommandIO = {}): Promise<number> {
  return runCommand(io, options, async (ctx) => {
    const stats = new RunStats();
    const stop = startProgress(ctx, stats, options.rateLimit);
    let summary;
    try {
      summary = await sync({ ...options, signal: ctx.signal, logger: ctx.logger, stats, env: ctx.env, stdout: ctx.stdout });
    } finally {
      stop();
    }
    ctx.logger.info(`Read ${stats.summary()}.`);
    const requests = new Map(Object.entries(summary.workspaceRequests));
    if (requests.size > 0) ctx.logger.info(describeRequests(requests));
    if (summary.changes) ctx.logger.info(describeChanges(summary.changes));
    if (!summary.nothingChanged) ctx.logger.info(describeSummary(summary));
  });
}

function stdinOf(io: CommandIO): Readable {
  return (io.stdin ?? process.stdin) as Readable;
}

/** Options of the commands that read a pipe. */
export interface PipeInputOptions {
  /**
   * Treat the end of input as complete when it has no end marker (input from another Singer tap).
   * Default false: an input without the marker of the stage before fails the run (the completion protocol).
   */
  assumeComplete?: boolean;
}

const endPolicy = (options: PipeInputOptions) => (options.assumeComplete ? 'assume' : 'require');

export function flattenCommand(options: ShapeOptions & PipeInputOptions & { quiet?: boolean }, io: CommandIO = {}): Promise<number> {
  return runCommand(io, options, async (ctx) => {
    const flatten = flattenOptions(ctx, options); // bad --table values are refused before any input is read
    const items = readJsonLines(stdinOf(io), { end: endPolicy(options) }) as AsyncIterable<PageStreamItem>;
    await writeNdjson(ctx, withSingerEnd(flattenStream(items, flatten)));
  });
}

export function splitCommand(options: ShapeOptions & PipeInputOptions & { quiet?: boolean }, io: CommandIO = {}): Promise<number> {
  return runCommand(io, options, async (ctx) => {
    await writeNdjson(ctx, withSingerEnd(splitStream(readSingerLines(stdinOf(io), { end: endPolicy(options) }), { arrays: options.arrays, signal: ctx.signal })));
  });
}

export function loadCommand(options: DestinationOptions & { to: NonNullable<DestinationOptions['to']> } & PipeInputOptions & { quiet?: boolean; state?: string }, io: CommandIO = {}): Promise<number> {
  return runCommand(io, options, async (ctx) => {
    // CSV and an NDJSON file commit the state file with the data; a warehouse commits it in its own table
    // and the file is written after (nothing to write it with on stdout).
    const fileCommit = options.to === 'csv' || (options.to === 'ndjson' && options.out !== undefined && options.out !== '-');
    const sink = sinkFor(ctx, fileCommit ? options : { ...options, state: undefined });
    await checkDestination(options, true);
    const messages = readSingerLines(stdinOf(io), { end: endPolicy(options), onWarning: (m) => ctx.logger.warn(m) });
    const summary = await sink.write(messages, ctx.signal);
    if (summary.state === undefined) {
      ctx.logger.info('The input ended without a STATE message: the data is loaded, and there is no state to resume an incremental run from.');
    }
    // The state of the STATE messages loaded, saved only now that the data they describe is in place.
    if (options.state && summary.state !== undefined && !fileCommit) await writeStateFile(options.state, summary.state);
    ctx.logger.info(describeSummary(summary));
  });
}
