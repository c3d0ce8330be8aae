/** The "tables" step of a run: pages in, Singer messages of typed tables out (flattener, then splitter). */
import type { ArraysMode } from '../core/split.js';
import type { SingerMessage } from '../singer/messages.js';
import { flattenStream, type FlattenStreamOptions } from '../stages/flatten.js';
import type { PageStreamItem } from '../stages/read-pages.js';
import { splitStream } from '../stages/split.js';

/** What the flattener and splitter of a run take. */
export interface TablesOptions extends Partial<FlattenStreamOptions> {
  /** `split` (default) or `inline`. */
  arrays?: ArraysMode;
  signal?: AbortSignal;
}

/** Flattener then splitter, as one step: pages in, Singer messages of typed tables out. */
export function toTables(items: AsyncIterable<PageStreamItem>, options: TablesOptions): AsyncGenerator<SingerMessage> {
  const { arrays, ...flatten } = options;
  return splitStream(flattenStream(items, flatten), { arrays, signal: options.signal });
}
