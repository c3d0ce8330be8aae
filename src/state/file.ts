/**
 * The state file (`--state <path>`) of destinations that cannot hold the state themselves (NDJSON, CSV),
 * or to carry it through a pipe. Read: the file holds a state value, a Singer STATE message, or Singer
 * NDJSON whose last STATE message counts (what `sync --to ndjson` printed). Written atomically: to a
 * temporary file next to it, flushed to disk, then renamed over it, so it is the old state or the new one;
 * the file sinks rename it in the same recorded commit as their data (`writeStateTemp`).
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { NotionStreamError } from '../errors.js';
import { temporaryPath } from '../util/temp-path.js';
import { isEndMarker } from '../singer/end-marker.js';
import { IdSet } from './id-set.js';

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
 * The JSON text of `value` in pieces whose concatenation is `JSON.stringify(value)`: each `IdSet` (the
 * ids of a file destination, 21 bytes of base64 per id) comes in pieces of a few MiB made from its bytes,
 * so a state of millions of ids is never one string. Everything else is stringified as usual.
 */
export function* jsonPieces(value: unknown): Generator<string> {
  const sets: IdSet[] = [];
  // A mark no state text holds: random, and JSON.stringify writes it as it is.
  const mark = `notion-stream-ids-${randomBytes(8).toString('hex')}-`;
  const text = JSON.stringify(withMarks(value, sets, mark));
  const quoted = new RegExp(`"${mark}(\\d+)"`, 'g');
  let from = 0;
  for (const m of text.matchAll(quoted)) {
    yield text.slice(from, m.index);
    yield '"';
    yield* sets[Number(m[1])]!.base64Pieces();
    yield '"';
    from = m.index + m[0].length;
  }
  yield text.slice(from);
}

/** A copy of `value` with each `IdSet` replaced by `mark` and its index in `sets` (objects and arrays copied, nothing else). */
function withMarks(value: unknown, sets: IdSet[], mark: string): unknown {
  if (value instanceof IdSet) return `${mark}${sets.push(value) - 1}`;
  if (Array.isArray(value)) return value.map((v) => withMarks(v, sets, mark));
  if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withMarks(v, sets, mark)]));
  }
  return value;
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
