/** The ready-made scale workspace: many plain pages, fast (no blocks, no comments). */
import type { Workspace } from '../workspace.js';
import { generateWorkspace } from './build.js';
import type { DatabaseSpec } from './spec.js';

/** Options of `scaleWorkspace`. */
export interface ScaleOptions {
  /** Databases ("Scale 1", "Scale 2", ...) of one data source each; a positive integer. */
  dataSources: number;
  /** Pages of each data source; a non-negative integer. */
  pagesEach: number;
  /** Default 1. */
  seed?: number;
  /** Default 'simple' (title, number, select, date, checkbox, rich text; no unique_id). */
  kind?: 'all-types' | 'simple';
  /** How many pages share a created_time minute; default 3. A bulk import puts thousands in one. */
  pagesPerMinute?: number;
  /** True: every page is last edited in its created minute (an import nobody has edited since). Default false. */
  unedited?: boolean;
  /** 'simple' only: true keeps the title property alone. Default false. */
  titleOnly?: boolean;
}

/**
 * `dataSources` databases of one data source each, `pagesEach` pages, 'simple' by default, no blocks
 * or comments (see `ScaleOptions`).
 */
export function scaleWorkspace(opts: ScaleOptions): Workspace {
  if (!Number.isInteger(opts.dataSources) || opts.dataSources < 1) throw new Error('scaleWorkspace: "dataSources" must be a positive integer');
  if (!Number.isInteger(opts.pagesEach) || opts.pagesEach < 0) throw new Error('scaleWorkspace: "pagesEach" must be a non-negative integer');
  const databases: DatabaseSpec[] = [];
  for (let i = 1; i <= opts.dataSources; i++) {
    databases.push({
      title: `Scale ${i}`,
      dataSources: [
        {
          title: `Scale ${i}`,
          pages: opts.pagesEach,
          kind: opts.kind ?? 'simple',
          content: false,
          ...(opts.pagesPerMinute ? { pagesPerMinute: opts.pagesPerMinute } : {}),
          ...(opts.unedited ? { edited: 'created' as const } : {}),
          ...(opts.titleOnly ? { titleOnly: true } : {}),
        },
      ],
    });
  }
  return generateWorkspace({ seed: opts.seed ?? 1, databases });
}
