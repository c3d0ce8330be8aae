/**
 * CSV sink: a directory with one file per table, `<table>.csv`, with a header row.
 *
 * Columns come from the table's SCHEMA (in its order), never from the first record, so a sparse first
 * row drops nothing. Values: null and missing → empty field; booleans → `true`/`false`; lists, objects
 * and JSON columns → JSON text. Every file is written into a staging directory next to `dir`, swapped in
 * only after the whole stream succeeded (`dir-swap.ts`), so a failed or killed run leaves the previous CSV
 * files untouched, never some tables new and some old; a failed run that created `dir` removes it.
 * With a state file, the last STATE message's value is written next to it under a temporary name and
 * renamed in the same recorded commit as the directory swap, so data and state change together.
 * CSV cannot tell an empty string from null; use NDJSON or DuckDB when that matters.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { NotionStreamError } from '../errors.js';
import { columnType, type SchemaMessage, type SingerMessage } from '../singer/messages.js';
import { throwIfAborted } from '../util/abort.js';
import { writeBatched } from '../util/line-batcher.js';
import { recoverDir, stagingDir, swapDir } from './dir-swap.js';
import { sweepTemporaries } from './file-commit.js';
import { readStateFile, writeStateTemp } from '../state/file.js';
import { RunTables, type Sink, type SinkSummary } from './types.js';

export interface CsvSinkOptions {
  /** Output directory, created when missing. */
  dir: string;
  /**
   * State file (`--state`): the value of the stream's last STATE message is written there in the same
   * commit as the files (see `dir-swap.ts`), and `readState()` reads it back. Default: none (STATE
   * messages are only counted).
   */
  state?: string;
}

/**
 * Rows stringified together (`csv-stringify`'s sync API, one call per batch of this many rows): a row
 * written through its stream API cost about 4 KB of garbage and a stream turn, and rows in flight lived
 * long enough to be promoted to V8's old generation (200,000 rows: 128 MiB promoted, 12 MiB now; 30%
 * faster; bench/sinks-memory-bench.mjs).
 */
const ROWS_PER_BATCH = 64;

interface TableFile {
  columns: string[];
  json: boolean[];
  rows: number;
  /** Rows not yet stringified (at most ROWS_PER_BATCH). */
  batch: (string | null)[][];
  path: string;
  tmp: string;
  /** CSV text, one piece per batch, on its way to the file (`writeBatched`). */
  text: PassThrough;
  done: Promise<void>;
}

/** The text of one CSV field. */
export function csvValue(value: unknown, asJson: boolean): string | null {
  if (value === null || value === undefined) return null;
  if (asJson || typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Waits until a table's rows may be written again; rejects with its file's error (a full disk) when the file failed. */
async function drained(file: TableFile, signal: AbortSignal | undefined): Promise<void> {
  try {
    if (!file.text.destroyed) return void (await once(file.text, 'drain', signal ? { signal } : {}));
  } catch (err) {
    if (!file.text.destroyed) throw err;
  }
  await file.done; // the file failed and its rows were stopped: rejects with why
  throw new Error(`The CSV file of ${file.path} stopped taking rows.`);
}

/** Hands a table's gathered rows to its file as one piece of CSV text; waits while the file is behind. */
async function putBatch(file: TableFile, signal: AbortSignal | undefined): Promise<void> {
  if (file.batch.length === 0) return;
  const text = stringify(file.batch);
  file.batch = [];
  if (!file.text.write(text)) await drained(file, signal);
}

/** Ends a table's text once its last rows are in; the file finishes writing on its own (`done`). */
async function endFile(file: TableFile, signal: AbortSignal | undefined): Promise<void> {
  await putBatch(file, signal);
  file.text.end();
}

/**
 * CSV sink: a directory (`options.dir`, created when missing) with one `<table>.csv` per table, header
 * row first, columns in SCHEMA order. null → empty field, booleans → `true`/`false`, lists, objects and
 * JSON columns → JSON text. The files are written to a staging directory and swapped in only after the
 * whole stream succeeded; STATE messages are ignored. `write` rejects with `invalid_name` for a table
 * name that cannot be a file name, `invalid_message` for a new SCHEMA after a table's first records, `aborted` when its signal aborts, or the stream's error.
 */
export class CsvSink implements Sink {
  /** Present when the sink has a state file: recovers a commit a killed run left, then reads the state file. */
  readonly readState?: (signal?: AbortSignal) => Promise<unknown>;

  constructor(private readonly options: CsvSinkOptions) {
    const state = options.state;
    if (state !== undefined) {
      this.readState = async (signal) => {
        throwIfAborted(signal);
        await this.recover();
        return readStateFile(state, signal);
      };
    }
  }

  /** Finishes or undoes the commit of a killed run (files and state file), and sweeps what it left. */
  private async recover(): Promise<void> {
    await recoverDir(this.options.dir);
    if (this.options.state !== undefined) await sweepTemporaries(this.options.state);
  }

  async write(messages: AsyncIterable<SingerMessage>, signal?: AbortSignal): Promise<SinkSummary> {
    const { dir } = this.options;
    const tables = new RunTables();
    const files = new Map<string, TableFile>();
    const retired: TableFile[] = [];
    await this.recover();
    let state: { value: unknown } | undefined;
    const staging = await stagingDir(dir);
    let nth = 0;

    const open = (message: SchemaMessage): TableFile => {
      if (/[\\/]|^\.\.?$/.test(message.stream)) {
        throw new NotionStreamError('invalid_name', `Table name "${message.stream}" cannot be a CSV file name in ${dir}; table names must not contain "/" or "\\".`, false);
      }
      const path = `${message.stream}.csv`;
      const tmp = join(staging, `${path}.${nth++}`);
      const columns = Object.keys(message.schema.properties);
      const json = columns.map((c) => {
        const kind = columnType(message.schema.properties[c]!).kind;
        return kind === 'JSON' || kind === 'LIST';
      });
      const text = new PassThrough({ objectMode: true, highWaterMark: 4 });
      text.write(stringify([], { header: true, columns }));
      // One write per piece (a batch of rows, 8–16 KiB), as it comes: gathering pieces up to 64 KiB first
      // kept them alive long enough for V8 to promote them (a 200,000-row run: 24 MiB promoted, not 12).
      const done = writeBatched(createWriteStream(tmp, { flags: 'wx' }), text as AsyncIterable<string>, { end: true, maxBytes: 1 });
      done.catch(() => {}); // awaited at the end or on failure
      // A failing file (a full disk) destroys the text stream as it stops reading it: `drained` reports why.
      text.on('error', () => {});
      return { columns, json, rows: 0, batch: [], path, tmp, text, done };
    };

    try {
      for await (const message of messages) {
        throwIfAborted(signal);
        if (message.type === 'SCHEMA') {
          tables.schema(message);
          const columns = Object.keys(message.schema.properties);
          const file = files.get(message.stream);
          if (file && file.columns.join('\0') === columns.join('\0')) continue;
          if (file && file.rows > 0) {
            throw new NotionStreamError(
              'invalid_message',
              `Table "${message.stream}" got a new SCHEMA with different columns after its first records; a CSV file has one header. Send each table's final SCHEMA before its records.`,
              false,
            );
          }
          if (file) {
            await endFile(file, signal);
            retired.push(file);
          }
          files.set(message.stream, open(message));
        } else if (message.type === 'RECORD') {
          tables.record(message.stream);
          const file = files.get(message.stream)!;
          file.batch.push(file.columns.map((c, i) => csvValue(message.record[c], file.json[i]!)));
          file.rows++;
          if (file.batch.length >= ROWS_PER_BATCH) await putBatch(file, signal);
        } else {
          tables.state(message.value); // CSV cannot hold it: the state file can (--state)
          state = { value: message.value };
        }
      }
      throwIfAborted(signal);
      for (const file of files.values()) await endFile(file, signal);
      await Promise.all([...files.values(), ...retired].map((f) => f.done));
    } catch (err) {
      for (const file of [...files.values(), ...retired]) file.text.destroy();
      await Promise.allSettled([...files.values(), ...retired].map((f) => f.done));
      await rm(staging, { recursive: true, force: true });
      throw err;
    }
    let stateTmp: string | undefined;
    try {
      await Promise.all(retired.map((f) => rm(f.tmp, { force: true })));
      for (const file of files.values()) await rename(file.tmp, join(staging, file.path));
      if (this.options.state !== undefined && state) stateTmp = await writeStateTemp(this.options.state, state.value);
    } catch (err) {
      await rm(staging, { recursive: true, force: true });
      throw err;
    }
    // The commit undoes itself when a rename fails, or leaves its record for the next run to recover.
    await swapDir(staging, dir, stateTmp ? [{ from: stateTmp, to: resolve(this.options.state!) }] : []);
    return tables.summary(dir);
  }
}
