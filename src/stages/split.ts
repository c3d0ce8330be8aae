/**
 * Stage 4, the child-table splitter (see src/core/split.ts for what it does): Singer messages in,
 * Singer messages out, as an async generator stage or an object-mode Duplex.
 */
import { Transform } from 'node:stream';
import { MessageSplitter, type SplitOptions } from '../core/split.js';
import type { SingerMessage } from '../singer/messages.js';
import { throwIfAborted } from '../util/abort.js';

export type { ArraysMode, SplitOptions } from '../core/split.js';

/** Splits list columns of a Singer message stream into child tables. */
export async function* splitStream(messages: AsyncIterable<SingerMessage>, options: SplitOptions & { signal?: AbortSignal } = {}): AsyncGenerator<SingerMessage> {
  const splitter = new MessageSplitter(options);
  for await (const message of messages) {
    throwIfAborted(options.signal);
    yield* splitter.push(message);
  }
}

/**
 * The splitter as an object-mode Transform: Singer messages in, Singer messages out. One input message
 * gives its output messages at once (a parent record and its child records), so the readable side may
 * briefly hold one message's fan-out above `highWaterMark`.
 */
export function createSplitter(options: SplitOptions & { highWaterMark?: number } = {}): Transform {
  const splitter = new MessageSplitter(options);
  const highWaterMark = options.highWaterMark ?? 64;
  return new Transform({
    objectMode: true,
    highWaterMark,
    transform(message: SingerMessage, _encoding, callback) {
      let out: SingerMessage[];
      try {
        out = splitter.push(message);
      } catch (err) {
        callback(err as Error);
        return;
      }
      for (const m of out) this.push(m);
      callback();
    },
  });
}
