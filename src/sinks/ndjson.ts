/**
 * NDJSON sink: Singer messages, one per line, to a file or to stdout.
 *
 * A file is written under a temporary name in the same directory and renamed over the target only when
 * the whole stream succeeded, so a failed run leaves the previous file untouched. Stdout cannot be taken
 * back: what was written before a failure stays written (the run still fails), but the output ends with
 * the end marker of the completion protocol (`singer/end-marker.ts`) only when the whole stream
 * succeeded, so `notion-stream load` downstream refuses a stream that stopped half-way.
 * With a state file (a file `out` only), the last STATE message's value is renamed into place in one
 * recorded commit with the file: a run killed between the two renames is finished by the next one.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { singerEndMarker } from '../singer/end-marker.js';
import type { SingerMessage } from '../singer/messages.js';
import { throwIfAborted } from '../util/abort.js';
import { temporaryPath } from '../util/temp-path.js';
import { RunTables, type Sink, type SinkSummary } from './types.js';
import { ndjsonLines, writeBatched } from '../util/line-batcher.js';
import { commitRecordPath, commitRenames, recoverCommits, sweepTemporaries } from './file-commit.js';
import { readStateFile, writeStateTemp } from '../state/file.js';

export interface NdjsonSinkOptions {
  /** Output file; undefined or `-` writes to `stdout`. */
  out?: string;
  /** Where `-` goes; default `process.stdout`. Never ended by the sink. */
  stdout?: Writable;
  /**
   * State file (`--state`), with a file `out` only: the value of the stream's last STATE message is
   * written there in the same commit as the file (see `file-commit.ts`), and `readState()` reads it
   * back. Default: none.
   */
  state?: string;
}

const toStdout = (out: string | undefined) => out === undefined || out === '-';

/**
 * NDJSON sink: the Singer messages, one per line, to a file (`options.out`) or to stdout (`out`
 * undefined or `-`), STATE messages included. A file is written under a temporary name and renamed
 * into place only when the stream succeeded (with a state file, in one commit with it); on stdout the
 * end marker of the completion protocol is written only then. `write` rejects with the stream's error or `aborted`.
 */
export class NdjsonSink implements Sink {
  /** Present with a state file and a file `out`: recovers a commit a killed run left, then reads the state file. */
  readonly readState?: (signal?: AbortSignal) => Promise<unknown>;

  constructor(private readonly options: NdjsonSinkOptions = {}) {
    const state = options.state;
    if (state !== undefined && !toStdout(options.out)) {
      this.readState = async (signal) => {
        throwIfAborted(signal);
        await this.recover(options.out!, state);
        return readStateFile(state, signal);
      };
    }
  }

  /** Finishes or undoes the commit of a killed run, and sweeps the temporary files killed runs left. */
  private async recover(out: string, state: string | undefined): Promise<void> {
    await recoverCommits(out);
    await sweepTemporaries(out);
    if (state !== undefined) await sweepTemporaries(state);
  }

  async write(messages: AsyncIterable<SingerMessage>, signal?: AbortSignal): Promise<SinkSummary> {
    const tables = new RunTables();
    let lastState: unknown;
    const withEnd = async function* () {
      for await (const message of messages) {
        throwIfAborted(signal);
        if (message.type === 'SCHEMA') tables.schema(message);
        else if (message.type === 'RECORD') tables.record(message.stream);
        else tables.state((lastState = message.value));
        yield message;
      }
      throwIfAborted(signal);
      yield singerEndMarker(lastState);
    };
    // Lines go out in batches of up to 64 KiB; on a failure the lines so far still do, never the end marker.
    const lines = ndjsonLines(withEnd());
    const out = this.options.out;
    if (out === undefined || out === '-') {
      await writeBatched(this.options.stdout ?? process.stdout, lines, { signal });
      return tables.summary('stdout');
    }
    const state = this.options.state;
    await this.recover(out, state);
    const tmp = temporaryPath(out);
    let stateTmp: string | undefined;
    try {
      await writeBatched(createWriteStream(tmp, { flags: 'wx' }), lines, { end: true, signal });
      if (state !== undefined && lastState !== undefined) stateTmp = await writeStateTemp(state, lastState);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    if (stateTmp) {
      await commitRenames(commitRecordPath(out), { renames: [{ from: resolve(tmp), to: resolve(out) }, { from: stateTmp, to: resolve(state!) }], point: 0 });
    } else {
      try {
        await rename(tmp, out);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    }
    return tables.summary(out);
  }
}
