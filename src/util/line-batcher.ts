/**
 * Batched writes: text pieces (NDJSON lines, CSV rows) go to a Writable joined into chunks of up to
 * `maxBytes`, so a fast stage writes many lines per syscall on a pipe or file, while a slow one still
 * writes each piece promptly (a batch also goes out when the input pauses for `pauseMs`, 10 ms). Every
 * output of the tool goes through `writeBatched`: the stage subcommands, the NDJSON and CSV sinks.
 *
 * Guarantees:
 * - backpressure: when the destination's buffer is full (`write` returned false) no further piece is
 *   pulled from the input until it drains, so at most one batch of `maxBytes` waits here, and the
 *   destination holds at most its own `highWaterMark` plus one batch;
 * - the tail: whatever the input yielded is handed to the destination, at the end and also when the
 *   input fails or the signal aborts (the input's error is then rethrown). The completion protocol is
 *   untouched: an end marker is one of the pieces, which only complete input yields.
 */
import { finished } from 'node:stream/promises';
import { abortedError } from '../errors.js';
import { jsonPieces, stringifyJson } from '../singer/json.js';

/** Default size of one batch: 64 KiB (counted in UTF-16 code units, close enough to bytes). */
export const DEFAULT_BATCH_BYTES = 64 * 1024;

/** Default wait before a batch smaller than `maxBytes` goes out while the input pauses: 10 ms. */
export const DEFAULT_PAUSE_MS = 10;

/** Options of `writeBatched` and `writeNdjsonLines`. */
export interface BatchWriteOptions {
  /** Text gathered (UTF-16 code units) before a batch is written. Default `DEFAULT_BATCH_BYTES` (64 KiB). */
  maxBytes?: number;
  /**
   * Milliseconds a batch smaller than `maxBytes` waits for more input before it goes out anyway, so a
   * slow input (Notion's answers) still shows each line promptly. Default `DEFAULT_PAUSE_MS` (10 ms).
   */
  pauseMs?: number;
  /**
   * End the destination after the last batch and wait until it finished (a file). Default false: it stays
   * open (stdout), and the call resolves once every batch was handed to it.
   */
  end?: boolean;
  /**
   * Stops waiting for the destination to drain; the pieces already read still go out, then the call
   * rejects with `aborted`.
   */
  signal?: AbortSignal;
}

/** Where `writeBatched` writes: any Node Writable (`process.stdout`, a file stream, a socket). */
export type BatchTarget = NodeJS.WritableStream;

/**
 * Writes `pieces` (text, in order, byte for byte) to `out` in batches of up to `options.maxBytes`
 * (default 64 KiB): one `write` call per batch, or earlier when the input pauses for `options.pauseMs`
 * (default 10 ms). Awaits `drain` before reading more input when `out` is full. Resolves when every
 * piece was handed to `out` (with `end`, once `out` finished). Rejects with the input's error, `out`'s error (EPIPE when the reader of a
 * pipe went away), or `NotionStreamError` `aborted`; in each case what the input had yielded was still
 * handed to `out` when it could take it, and with `end` the stream is destroyed instead of ended.
 */
export async function writeBatched(out: BatchTarget, pieces: AsyncIterable<string> | Iterable<string>, options: BatchWriteOptions = {}): Promise<void> {
  const maxBytes = Math.max(1, options.maxBytes ?? DEFAULT_BATCH_BYTES);
  const { signal } = options;
  const pauseMs = options.pauseMs ?? DEFAULT_PAUSE_MS;
  let pending: string[] = [];
  let size = 0;
  let full = false; // out's buffer is above its highWaterMark: wait for 'drain' before reading more
  let broken: { error: unknown } | undefined; // out failed or closed: nothing more can go out
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  const onDrain = () => {
    full = false;
    wake?.();
  };
  const onError = (error: unknown) => {
    broken ??= { error };
    wake?.();
  };
  const onClose = () => {
    broken ??= { error: Object.assign(new Error('The output was closed before everything was written.'), { code: 'EPIPE' }) };
    wake?.();
  };
  const onAbort = () => wake?.();

  /** Hands the pending pieces to `out` as one chunk. */
  const put = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0 || broken) return;
    const chunk = pending.length === 1 ? pending[0]! : pending.join('');
    pending = [];
    size = 0;
    if (!out.write(chunk)) full = true;
  };
  /** On a pause of the input: writes what is pending unless `out` is full (then it goes after 'drain'). */
  const putSoon = () => {
    timer = undefined;
    if (!full) put();
  };
  /** Waits while `out` is full; throws when it broke or the signal aborted. */
  const settle = async () => {
    while (full && !broken && !signal?.aborted) await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
    if (broken) throw broken.error;
    if (signal?.aborted) throw abortedError();
  };

  out.on('drain', onDrain);
  out.on('error', onError);
  out.on('close', onClose);
  signal?.addEventListener('abort', onAbort);
  try {
    try {
      if (signal?.aborted) throw abortedError();
      for await (const piece of pieces) {
        if (piece.length === 0) continue;
        pending.push(piece);
        size += piece.length;
        if (size >= maxBytes) put();
        else timer ??= setTimeout(putSoon, pauseMs);
        if (full || broken || signal?.aborted) {
          await settle();
          if (pending.length > 0) timer ??= setTimeout(putSoon, pauseMs); // held while out was full: goes after a pause
        }
      }
    } finally {
      // The tail: what the input yielded goes out after a failure or an abort too (never an end marker,
      // which only a complete input yields).
      put();
    }
    if (options.end) {
      out.end();
      await finished(out);
    } else if (broken) throw broken.error;
  } catch (err) {
    if (options.end) {
      // The file is given up: a write still in flight reports ERR_STREAM_DESTROYED after this call has
      // removed its listeners, which must not become an uncaught exception.
      out.on('error', () => {});
      (out as NodeJS.WritableStream & { destroy?: () => void }).destroy?.();
    }
    throw err;
  } finally {
    if (timer) clearTimeout(timer);
    out.off('drain', onDrain);
    out.off('error', onError);
    out.off('close', onClose);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Each item as one NDJSON line (`stringifyJson`, so integers past 2^53 keep every digit); a STATE message comes in pieces (`jsonPieces`). */
export async function* ndjsonLines(items: AsyncIterable<unknown> | Iterable<unknown>): AsyncGenerator<string> {
  for await (const item of items) {
    if ((item as { type?: unknown } | null)?.type !== 'STATE') yield `${stringifyJson(item)}\n`;
    else {
      // A STATE message may hold a file destination's ids (millions): in pieces, never one string.
      yield* jsonPieces(item);
      yield '\n';
    }
  }
}

/**
 * Writes `items` to `out` as NDJSON, one `stringifyJson(item) + "\n"` line each, in batches
 * (`writeBatched`, same options, errors and guarantees).
 */
export function writeNdjsonLines(out: BatchTarget, items: AsyncIterable<unknown> | Iterable<unknown>, options: BatchWriteOptions = {}): Promise<void> {
  return writeBatched(out, ndjsonLines(items), options);
}
