/**
 * The completion protocol of the shell pipe (`pages | flatten | split | load`, `sync --to ndjson | load`).
 *
 * A stage of this tool ends its output with an end marker only when it succeeded and its own input was
 * complete; `load` commits only after reading it. A stage killed or failing half-way therefore never
 * writes one, and every later stage sees an input that ended without it and fails instead of treating a
 * truncated stream as the whole data.
 *
 * The marker is a line every reader of the format can take:
 * - in `pages` output (raw Notion JSON): `{"object":"notion_stream_end","notion_stream_end":true}`
 *   (a `jq 'select(.object != "page" …)'` filter lets it through);
 * - in Singer output: a STATE message, `{"type":"STATE","value":<the last state of the stream, or {}>,
 *   "notion_stream_end":true}`. Singer targets that are not this tool take it as an ordinary STATE message
 *   repeating the last bookmark (extra keys are ignored), so it changes nothing for them.
 *
 * Input from other Singer taps has no marker: `--assume-complete` treats its end of input as complete.
 */
import { NotionStreamError } from '../errors.js';
import type { StateMessage } from './messages.js';

/** The key that marks an end-marker line, in both formats. */
export const END_KEY = 'notion_stream_end';

/** The end marker of `pages` output. */
export const PAGES_END_MARKER = Object.freeze({ object: END_KEY, [END_KEY]: true });

/** A Singer STATE message that also ends the stream. */
export interface EndMarkerMessage extends StateMessage {
  notion_stream_end: true;
}

/** The end marker of Singer output, carrying `lastState` (the stream's last STATE value) or `{}`. */
export function singerEndMarker(lastState: unknown = {}): EndMarkerMessage {
  return { type: 'STATE', value: lastState === undefined ? {} : lastState, [END_KEY]: true };
}

/** True for a parsed line that is an end marker (either format). */
export function isEndMarker(obj: Record<string, unknown>): boolean {
  return obj[END_KEY] === true;
}

/** The error of an input that ended without its marker: what ran before failed or was stopped. */
export function missingEndError(what: 'pages' | 'singer', empty: boolean): NotionStreamError {
  if (empty) {
    return new NotionStreamError('incomplete_input', 'The input is empty: nothing was read, so nothing was changed. Check the command before the pipe.', false);
  }
  const producer = what === 'pages' ? '`notion-stream pages`' : 'the stage before it (`notion-stream flatten`, `split` or `sync --to ndjson`)';
  return new NotionStreamError(
    'incomplete_input',
    `The input ended without the end marker of ${producer}: that stage failed or was stopped, so the data is incomplete and nothing was changed. Fix the earlier stage and run the pipe again (input from another Singer tap: add --assume-complete).`,
    false,
  );
}

/** Tracks the end marker while reading lines: nothing may follow it, and the input must end with it. */
export class EndTracker {
  private ended = false;
  private seen = 0;

  constructor(
    private readonly what: 'pages' | 'singer',
    /** Treat the end of input as complete when it carries no marker (input from other taps). */
    private readonly assumeComplete = false,
  ) {}

  /** Call for each parsed line; true when it is the marker (not to be passed on). */
  take(line: number, obj: Record<string, unknown>): boolean {
    if (this.ended) {
      throw new NotionStreamError('invalid_message', `line ${line}: data after the end marker of an earlier run; each run's output must be loaded on its own.`, false);
    }
    if (isEndMarker(obj)) {
      this.ended = true;
      return true;
    }
    this.seen++;
    return false;
  }

  /** Call at the end of input: throws unless the input was complete. */
  finish(): void {
    if (this.ended) return;
    if (this.assumeComplete && this.seen > 0) return;
    throw missingEndError(this.what, this.seen === 0);
  }
}

/** Passes `messages` on and, once they all came, the end marker carrying the last STATE value seen. */
export async function* withSingerEnd<T extends { type: string; value?: unknown }>(messages: AsyncIterable<T>): AsyncGenerator<T | EndMarkerMessage> {
  let last: unknown;
  for await (const message of messages) {
    if (message.type === 'STATE') last = message.value;
    yield message;
  }
  yield singerEndMarker(last);
}
