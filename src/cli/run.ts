/**
 * What every command shares: the run's AbortSignal (Ctrl-C), the stderr logger, progress and summary,
 * and turning failures into one clear line and an exit code.
 */
import { isAbortError, isNotionStreamError, redact } from '../notion/errors.js';
import { streamLogger, type Logger } from '../util/log.js';
import type { RunStats } from '../util/stats.js';
import { describeNodeError } from './errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

export interface RunContext {
  signal: AbortSignal;
  logger: Logger;
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
  const logger = streamLogger(stderr, { secrets, quiet: options.quiet });
  const signal = io.signal ?? new AbortController().signal;
  try {
    await body({ signal, logger, env, stdout, stderr });
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
    return err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
  }
}

/** A mistake in how the command was called (missing token, bad flag value). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Prints a progress line every `everyMs` while a long run goes on; returns a function that stops it. */
export function startProgress(logger: Logger, stats: RunStats, everyMs = 10_000): () => void {
  const timer = setInterval(() => {
    logger.info(`… ${stats.pages.toLocaleString('en-US')} pages, ${stats.requests.toLocaleString('en-US')} requests so far (${stats.seconds().toFixed(0)} s)`);
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
