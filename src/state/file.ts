/**
 * The state file (`--state <path>`) of destinations that cannot hold the state themselves (NDJSON, CSV),
 * or to carry it through a pipe. Read: the file holds a state value, a Singer STATE message, or Singer
 * NDJSON whose last STATE message counts (what `sync --to ndjson` printed). Written atomically: to a
 * temporary file next to it, flushed to disk, then renamed over it, so it is the old state or the new one;
 * the file sinks rename it in the same recorded commit as their data (`writeStateTemp`).
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { abortedError, NotionStreamError } from '../errors.js';
import { temporaryPath } from '../util/temp-path.js';
import { isEndMarker } from '../singer/end-marker.js';
import { jsonPieces } from '../singer/json.js';

/** What a state file's values come to: the last STATE message's value, else its one value. */
class StateValues {
  private state: { value: unknown } | undefined;
  private first: unknown;
  private count = 0;

  add(v: unknown): void {
    const message = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
    if (message && isEndMarker(message)) return;
    if (message?.type === 'STATE') this.state = { value: message.value };
    else if (this.count++ === 0) this.first = v;
  }

  result(path: string): unknown {
    if (this.state) return this.state.value;
    if (this.count === 0) return undefined;
    if (this.count === 1) return this.first;
    throw new NotionStreamError('invalid_state', `The state file ${path} holds several JSON values but no STATE message. Give it what a run saved there, or the output of a \`sync --incremental\` run (a sync without --incremental writes no state).`, false);
  }
}

const notJson = (path: string, line: number) =>
  new NotionStreamError('invalid_state', `The state file ${path} is not JSON (line ${line}). It should hold what a run saved there, or a Singer STATE message.`, false);
const unreadable = (path: string, err: unknown) =>
  new NotionStreamError('io_error', `Cannot read the state file ${path}: ${(err as Error).message}.`, false, { cause: err });

/**
 * The state value in a state file; undefined when the file does not exist or holds nothing. The file
 * is read a line at a time, so a Singer NDJSON output of any size (only its last STATE message counts)
 * takes the memory of its longest line; one JSON value over several lines (a state formatted by hand) is
 * read whole. Throws `invalid_state` (not JSON, naming the line; several values but no STATE message),
 * `io_error` (not readable) or `aborted` (`signal` aborted while reading).
 */
export async function readStateFile(path: string, signal?: AbortSignal): Promise<unknown> {
  const input = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  try {
    await once(input, 'open');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unreadable(path, err);
  }
  const values = new StateValues();
  let line = 0;
  let parsed = false;
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const text of lines) {
      if (signal?.aborted) throw abortedError();
      line++;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        if (!parsed) return await readWhole(path);
        throw notJson(path, line);
      }
      parsed = true;
      values.add(value);
    }
  } catch (err) {
    throw err instanceof NotionStreamError ? err : unreadable(path, err);
  } finally {
    lines.close();
    input.destroy();
  }
  return values.result(path);
}

/** A state file whose first line is not JSON on its own: one value over several lines. */
async function readWhole(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw unreadable(path, err);
  }
  const values = new StateValues();
  try {
    values.add(JSON.parse(text));
  } catch {
    throw notJson(path, 1);
  }
  return values.result(path);
}

/**
 * Writes the state value to a new temporary file next to `path` (`.<name>.<pid>.<hex>.tmp`), flushed to
 * disk, for a commit that renames it over `path` together with the data (see sinks/file-commit.ts).
 * Returns the temporary file's path. Throws `io_error` (not retryable) when it cannot be written;
 * nothing is left behind then.
 */
export async function writeStateTemp(path: string, value: unknown): Promise<string> {
  const tmp = temporaryPath(path);
  try {
    const file = await open(tmp, 'wx');
    try {
      // In pieces: a large state (the ids of a file destination) is never one string (writeFile writes each whole, in order).
      for (const piece of jsonPieces(value)) await file.writeFile(piece);
      await file.writeFile('\n');
      await file.sync();
    } finally {
      await file.close();
    }
    return tmp;
  } catch (err) {
    await rm(tmp, { force: true });
    throw new NotionStreamError('io_error', `Cannot write the state file ${path}: ${(err as Error).message}. Nothing was replaced; fix the path and run again.`, false, { cause: err });
  }
}

/** Writes the state value to `path` atomically. */
export async function writeStateFile(path: string, value: unknown): Promise<void> {
  const tmp = await writeStateTemp(path, value);
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new NotionStreamError('io_error', `Cannot write the state file ${path}: ${(err as Error).message}. The data was written; fix the path and run again (the next run re-reads what this one read).`, false, { cause: err });
  }
}
