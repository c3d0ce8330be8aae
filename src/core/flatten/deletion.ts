/** The deletion record of incremental runs: a page that left the data source, as its id and when. */
import type { Json } from '../../notion/types.js';

import { DELETED_AT } from '../names.js';

export { DELETED_AT };

/** The record of a page that left the data source: its id and when, nothing else. */
export function deletionRecord(pageId: string, deletedAt: string): Record<string, Json> {
  return { id: pageId, [DELETED_AT]: deletedAt };
}
