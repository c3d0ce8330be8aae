/**
 * What every command shares: the run's AbortSignal (Ctrl-C), the stderr logger, progress and summary,
 * and turning failures into one clear line and an exit code.
 */
import { isAbortError, isNotionStreamError, redact } from '../errors.js';
import type { Logger } from '../util/log.js';
import { DEFAULT_RATE_LIMIT } from '../notion/api.js';
import { StatusLine } from './status-line.js';
import type { RunStats } from '../util/stats.js';
import { describeNodeError } from '../util/node-errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

export interface RunContext {
  signal: AbortSignal;
  logger: Logger;
  /** The live status line (on a terminal, without --quiet); prints nothing live elsewhere. */
  status: StatusLine;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface CommandIO {
  env?: NodeJS.ProcessEnv;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  /** The CLI passes one tied to SIGINT/SIGTERM; tests may pass their own. */
  signal?: AbortSignal;
}

/** Runs a command body with the shared error handling. Returns the exit code. */
export async function runCommand(io: CommandIO, options: { quiet?: boolean }, body: (ctx: RunContext) => Promise<void>): Promise<number> {
  const env = io.env ?? process.env;
  const stderr = io.stderr ?? process.stderr;
  const stdout = io.stdout ?? process.stdout;
  const secrets = [env.NOTION_TOKEN];
  const live = (stderr as NodeJS.WriteStream).isTTY === true && !options.quiet;
  const status = new StatusLine(stderr, live);
  const clean = (line: string) => redact(line, secrets);
  const logger: Logger = {
    info: (line) => {
      if (!options.quiet) status.print(clean(line));
    },
    warn: (line) => status.print(`warning: ${clean(line)}`),
    progress: (line) => status.setStep(clean(line)),
  };
  const signal = io.signal ?? new AbortController().signal;
  try {
    await body({ signal, logger, status, env, stdout, stderr });
    return EXIT_OK;
  } catch (err) {
    if (signal.aborted || isAbortError(err)) {
      stderr.write('notion-stream: interrupted; nothing more was read.\n');
      return EXIT_INTERRUPTED;
    }
    if ((err as NodeJS.ErrnoException)?.code === 'EPIPE') return EXIT_OK; // `| head` closed stdout
    // Known errors carry their sentence; anything else (a file system or network error) gets one from its code.
    const message = isNotionStreamError(err) || err instanceof UsageError ? err.message : describeNodeError(err);
    stderr.write(`notion-stream: ${redact(message, secrets).split('\n')[0]}\n`);
    return isUsageMistake(err) ? EXIT_USAGE : EXIT_FAILURE;
  }
}

/** True for a mistake in how the command was called: exit code 2 rather than 1. */
function isUsageMistake(err: unknown): boolean {
  return err instanceof UsageError || (isNotionStreamError(err) && (err.code === 'invalid_option' || err.code === 'invalid_id'));
}

/** A mistake in how the command was called (missing token, bad flag value). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * Shows the run's progress in the live status line until the returned function is called (on a
 * terminal; elsewhere nothing, so logs hold only warnings and the summary).
 */
export function startProgress(ctx: RunContext, stats: RunStats, rateLimit = DEFAULT_RATE_LIMIT): () => void {
  return ctx.status.track(stats, rateLimit);
}
