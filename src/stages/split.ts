/**
 * Stage 4, the child-table splitter (see src/core/split.ts for what it does): Singer messages in,
 * Singer messages out, as an async generator stage or an object-mode Duplex.
 */
import type { Duplex } from 'node:stream';
import { MessageSplitter, type SplitOptions } from '../core/split.js';
import type { SingerMessage } from '../singer/messages.js';
import { throwIfAborted } from '../util/abort.js';
import { toDuplex } from './stage.js';

export type { ArraysMode, SplitOptions } from '../core/split.js';

/**
 * Splits list columns of a Singer message stream into child tables.
 * Rejects with `NotionStreamError` `invalid_message` (a RECORD before its SCHEMA, a list column holding
 * something else than a list of its declared items), `invalid_schema` (an element field clashing with a
 * child table's own columns), `invalid_option` (an unknown `arrays` mode) or `aborted` when `options.signal` aborts.
 */
export async function* splitStream(messages: AsyncIterable<SingerMessage>, options: SplitOptions & { signal?: AbortSignal } = {}): AsyncGenerator<SingerMessage> {
  const splitter = new MessageSplitter(options);
  for await (const message of messages) {
    throwIfAborted(options.signal);
    yield* splitter.push(message);
  }
}

/** The splitter as an object-mode Duplex (see `toDuplex`): Singer messages in, Singer messages out. */
export function createSplitter(options: SplitOptions & { signal?: AbortSignal } = {}): Duplex {
  return toDuplex((input: AsyncIterable<SingerMessage>) => splitStream(input, options));
}
