/** The ready-made scale workspace: many plain pages, fast (no blocks, no comments). */
import type { Workspace } from '../workspace.js';
import { generateWorkspace } from './build.js';
import type { DatabaseSpec } from './spec.js';

/**
 * `dataSources` databases ("Scale 1", "Scale 2", ...) of one data source each, `pagesEach` pages, 'simple' by default, no blocks or comments.
 * `pagesPerMinute` (default 3) sets how many pages share a created_time minute: a bulk import puts thousands in one.
 */
export function scaleWorkspace(opts: { dataSources: number; pagesEach: number; seed?: number; kind?: 'all-types' | 'simple'; pagesPerMinute?: number }): Workspace {
  if (!Number.isInteger(opts.dataSources) || opts.dataSources < 1) throw new Error('scaleWorkspace: "dataSources" must be a positive integer');
  if (!Number.isInteger(opts.pagesEach) || opts.pagesEach < 0) throw new Error('scaleWorkspace: "pagesEach" must be a non-negative integer');
  const databases: DatabaseSpec[] = [];
  for (let i = 1; i <= opts.dataSources; i++) {
    databases.push({
      title: `Scale ${i}`,
      dataSources: [{ title: `Scale ${i}`, pages: opts.pagesEach, kind: opts.kind ?? 'simple', content: false, ...(opts.pagesPerMinute ? { pagesPerMinute: opts.pagesPerMinute } : {}) }],
    });
  }
  return generateWorkspace({ seed: opts.seed ?? 1, databases });
}
