/**
 * The state file (`--state <path>`) of destinations that cannot hold the state themselves (NDJSON, CSV),
 * or to carry it through a pipe. Read: the file holds a state value, a Singer STATE message, or Singer
 * NDJSON whose last STATE message counts (what `sync --to ndjson` printed). Written atomically: to a
 * temporary file next to it, flushed to disk, then renamed over it, so it is the old state or the new one;
 * the file sinks rename it in the same recorded commit as their data (`writeStateTemp`).
 */
import { open, readFile, rename, rm } from 'node:fs/promises';
import { NotionStreamError } from '../errors.js';
import { temporaryPath } from '../util/temp-path.js';
import { isEndMarker } from '../singer/end-marker.js';
import { jsonPieces } from '../singer/json.js';

/** The state value in a state file; undefined when the file does not exist. */
export async function readStateFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new NotionStreamError('io_error', `Cannot read the state file ${path}: ${(err as Error).message}.`, false, { cause: err });
  }
  if (text.trim() === '') return undefined;
  const values: unknown[] = [];
  try {
    values.push(JSON.parse(text));
  } catch {
    // NDJSON: one message per line
    for (const [i, line] of text.split('\n').entries()) {
      if (line.trim() === '') continue;
      try {
        values.push(JSON.parse(line));
      } catch {
        throw new NotionStreamError('invalid_state', `The state file ${path} is not JSON (line ${i + 1}). It should hold what a run saved there, or a Singer STATE message.`, false);
      }
    }
  }
  const messages = values.filter((v): v is { type: string; value: unknown } => typeof v === 'object' && v !== null && (v as { type?: unknown }).type === 'STATE' && !isEndMarker(v as Record<string, unknown>));
  if (messages.length > 0) return messages[messages.length - 1]!.value;
  const data = values.filter((v) => !(typeof v === 'object' && v !== null && isEndMarker(v as Record<string, unknown>)));
  if (data.length === 0) return undefined;
  if (data.length === 1) return data[0];
  throw new NotionStreamError('invalid_state', `The state file ${path} holds several JSON values but no STATE message.`, false);
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
