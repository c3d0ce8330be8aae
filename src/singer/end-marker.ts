/**
 * The completion protocol of the shell pipe `pages | flatten | split | load`: each stage of this tool
 * ends its output with an end marker only when it succeeded and its own input was complete, and `load`
 * commits only after the marker. A stage killed or failing half-way leaves no marker, so whatever it
 * wrote is never taken for a whole table.
 *
 * - `pages` output (raw Notion JSON lines) ends with `{"object":"notion_stream_end"}`.
 * - Singer output ends with a STATE message carrying `"notion_stream_end": true` next to its `value`
 *   (the last state of the stream, or null): other Singer targets take it for an ordinary STATE, so the
 *   output stays valid Singer.
 */
import { NotionStreamError } from '../notion/errors.js';
import type { SingerMessage, StateMessage } from './messages.js';

/** The field that marks a STATE message as the end marker. */
export const END_FIELD = 'notion_stream_end';

/** The end marker of `notion-stream pages` output. */
export const PAGES_END = { object: 'notion_stream_end' } as const;

/** The Singer end marker: a STATE message repeating the last state value (null when none came). */
export type EndMessage = StateMessage & { [END_FIELD]: true };

export function singerEnd(lastState: unknown): EndMessage {
  return { type: 'STATE', value: lastState ?? null, [END_FIELD]: true };
}

/** True for the end line of `notion-stream pages` output. */
export function isPagesEnd(item: unknown): boolean {
  return typeof item === 'object' && item !== null && (item as { object?: unknown }).object === PAGES_END.object;
}

/** True for the Singer end marker. */
export function isSingerEnd(message: unknown): message is EndMessage {
  return typeof message === 'object' && message !== null && (message as SingerMessage).type === 'STATE' && (message as Record<string, unknown>)[END_FIELD] === true;
}

/** Options of `untilEnd`. */
export interface UntilEndOptions {
  /** Treat the end of input as complete without a marker (input of other Singer taps). Default false. */
  assumeComplete?: boolean;
  /** The command reading, for the message: `load`, `flatten`, `split`. */
  command: string;
}

/**
 * Passes `items` through without their end markers and, when the input ends, checks that its last item
 * was a marker (a marker followed by more input, as in concatenated files, does not count).
 * @throws NotionStreamError `incomplete_input` (not retryable) at the end of an input without a final
 *   marker, unless `assumeComplete`; a consumer that commits only after the iteration ends commits nothing.
 */
export async function* untilEnd<T>(items: AsyncIterable<T>, isEnd: (item: T) => boolean, options: UntilEndOptions): AsyncGenerator<T> {
  let ended = false;
  for await (const item of items) {
    if (isEnd(item)) {
      ended = true;
      continue;
    }
    ended = false;
    yield item;
  }
  if (!ended && !options.assumeComplete) {
    throw new NotionStreamError(
      'incomplete_input',
      `The input of \`${options.command}\` ended without notion-stream's end marker: the stage before it failed or was stopped, so nothing was written. Fix that stage and run the pipe again; for input from another Singer tap or a file without the marker, add --no-end-marker.`,
      false,
    );
  }
}

/** `items`, then `end` once they all came. */
export async function* withEnd<T, E>(items: AsyncIterable<T>, end: E): AsyncGenerator<T | E> {
  yield* items;
  yield end;
}

/** Singer `messages`, then the end marker carrying the last STATE value, once they all came. */
export async function* withSingerEnd(messages: AsyncIterable<SingerMessage>): AsyncGenerator<SingerMessage> {
  let lastState: unknown = null;
  for await (const message of messages) {
    if (message.type === 'STATE') lastState = message.value;
    yield message;
  }
  yield singerEnd(lastState);
}
