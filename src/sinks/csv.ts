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
import { stringify, type Stringifier } from 'csv-stringify';
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

interface TableFile {
  columns: string[];
  json: boolean[];
  rows: number;
  path: string;
  tmp: string;
  stringifier: Stringifier;
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
    if (!file.stringifier.destroyed) return void (await once(file.stringifier, 'drain', signal ? { signal } : {}));
  } catch (err) {
    if (!file.stringifier.destroyed) throw err;
  }
  await file.done; // the file failed and its rows were stopped: rejects with why
  throw new Error(`The CSV file of ${file.path} stopped taking rows.`);
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
      const stringifier = stringify({ header: true, columns });
      // Rows reach the file in batches of up to 64 KiB, not one write per row.
      const done = writeBatched(createWriteStream(tmp, { flags: 'wx' }), stringifier.setEncoding('utf8') as AsyncIterable<string>, { end: true });
      done.catch(() => {}); // awaited at the end or on failure
      // A failing file (a full disk) destroys the stringifier as it stops reading it: `drained` reports why.
      stringifier.on('error', () => {});
      return { columns, json, rows: 0, path, tmp, stringifier, done };
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
            file.stringifier.end();
            retired.push(file);
          }
          files.set(message.stream, open(message));
        } else if (message.type === 'RECORD') {
          tables.record(message.stream);
          const file = files.get(message.stream)!;
          const row = file.columns.map((c, i) => csvValue(message.record[c], file.json[i]!));
          file.rows++;
          if (!file.stringifier.write(row)) await drained(file, signal);
        } else {
          tables.state(message.value); // CSV cannot hold it: the state file can (--state)
          state = { value: message.value };
        }
      }
      throwIfAborted(signal);
      for (const file of files.values()) file.stringifier.end();
      await Promise.all([...files.values(), ...retired].map((f) => f.done));
    } catch (err) {
      for (const file of [...files.values(), ...retired]) file.stringifier.destroy();
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
