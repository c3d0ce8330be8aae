/**
 * NDJSON sink: Singer messages, one per line, to a file or to stdout.
 *
 * A file is written under a temporary name in the same directory and renamed over the target only when
 * the whole stream succeeded, so a failed run leaves the previous file untouched. Stdout cannot be taken
 * back: what was written before a failure stays written (the run still fails), but the output ends with
 * the end marker of the completion protocol (`singer/end-marker.ts`) only when the whole stream
 * succeeded, so `notion-stream load` downstream refuses a stream that stopped half-way.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { singerEndMarker } from '../singer/end-marker.js';
import type { SingerMessage } from '../singer/messages.js';
import { throwIfAborted } from '../util/abort.js';
import { RunTables, type Sink, type SinkSummary } from './types.js';
import { stringifyJson } from '../singer/json.js';

export interface NdjsonSinkOptions {
  /** Output file; undefined or `-` writes to `stdout`. */
  out?: string;
  /** Where `-` goes; default `process.stdout`. Never ended by the sink. */
  stdout?: Writable;
}

/** A temporary file name next to `path`, unique to this process and call. */
export function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * NDJSON sink: the Singer messages, one per line, to a file (`options.out`) or to stdout (`out`
 * undefined or `-`), STATE messages included. A file is written under a temporary name and renamed
 * into place only when the stream succeeded; on stdout the end marker of the completion protocol is
 * written only then. `write` rejects with the stream's error or `aborted`.
 */
export class NdjsonSink implements Sink {
  constructor(private readonly options: NdjsonSinkOptions = {}) {}

  async write(messages: AsyncIterable<SingerMessage>, signal?: AbortSignal): Promise<SinkSummary> {
    const tables = new RunTables();
    let lastState: unknown;
    const lines = async function* () {
      for await (const message of messages) {
        throwIfAborted(signal);
        if (message.type === 'SCHEMA') tables.schema(message);
        else if (message.type === 'RECORD') tables.record(message.stream);
        else tables.state((lastState = message.value));
        yield `${stringifyJson(message)}\n`;
      }
      throwIfAborted(signal);
      yield `${JSON.stringify(singerEndMarker(lastState))}\n`;
    };
    const source = Readable.from(lines(), { objectMode: false, highWaterMark: 64 * 1024 });
    const out = this.options.out;
    if (out === undefined || out === '-') {
      await pipeline(source, this.options.stdout ?? process.stdout, { end: false });
      return tables.summary('stdout');
    }
    const tmp = temporaryPath(out);
    try {
      await pipeline(source, createWriteStream(tmp, { flags: 'wx' }));
      await rename(tmp, out);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return tables.summary(out);
  }
}
