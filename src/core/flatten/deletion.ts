/** The deletion record of incremental runs: a page that left the data source, as its id and when. */
import type { Json } from '../../notion/types.js';

/** The column of deletion records in incremental runs: when the page was trashed, deleted or unshared. */
export const DELETED_AT = '_deleted_at';

/** The record of a page that left the data source: its id and when, nothing else. */
export function deletionRecord(pageId: string, deletedAt: string): Record<string, Json> {
  return { id: pageId, [DELETED_AT]: deletedAt };
}
