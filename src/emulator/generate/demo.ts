/** The ready-made demo workspace: a few thousand rows over several related databases. */
import { addSampleContent, addStandalonePages } from '../content.js';
import type { Workspace } from '../workspace.js';
import { workspaceWithEdgeCases, type EdgeCaseTitles } from './edge-cases.js';
import type { GenerateOptions } from './spec.js';

/** Titles of the edge-case pages of `demoWorkspace()` (all in the "Projects" data source). */
export const DEMO_TITLES: EdgeCaseTitles = {
  relationMany: 'Platform rewrite (130 tasks)',
  relation25: 'Website refresh (25 tasks)',
  people30: 'Company offsite (30 owners)',
  people25: 'Hiring push (25 owners)',
  mentions30: 'Weekly digest (30 mentions)',
  trashed: 'Cancelled initiative',
};

/**
 * The spec of `demoWorkspace` (edge cases and sample content aside): 60 users; "Projects" (120
 * 'all-types' pages, relation to Tasks), "Tasks" (data sources "Tasks", 1,500 'all-types' pages related
 * to Projects, and "Backlog", 400 'simple'), "Meetings" (300 'all-types', relation to the people
 * directory), "People directory" (150 'simple') and the unshared "HR notes" (20 'simple'). `seed` default 1.
 */
export function demoSpec(seed = 1): GenerateOptions {
  return {
    seed,
    users: 60,
    databases: [
      { title: 'Projects', dataSources: [{ title: 'Projects', pages: 120, kind: 'all-types', relatesTo: 'Tasks' }] },
      {
        title: 'Tasks',
        dataSources: [
          { title: 'Tasks', pages: 1500, kind: 'all-types', relatesTo: 'Projects', pagesPerMinute: 2 },
          { title: 'Backlog', pages: 400, kind: 'simple' },
        ],
      },
      { title: 'Meetings', dataSources: [{ title: 'Meetings', pages: 300, kind: 'all-types', relatesTo: 'People directory' }] },
      { title: 'People directory', dataSources: [{ title: 'People directory', pages: 150, kind: 'simple', pagesPerMinute: 1 }] },
      { title: 'HR notes', shared: false, dataSources: [{ title: 'HR notes', pages: 20, kind: 'simple' }] },
    ],
  };
}

/**
 * A few thousand rows over related databases: Projects ↔ Tasks (+ a "Backlog" data source in the
 * Tasks database), Meetings → People directory, and an unshared "HR notes". Edge cases in Projects:
 * see `DEMO_TITLES` (a 130-id relation, 25 ids, 30 and 25 people, 30 mentions, a trashed page).
 */
export function demoWorkspace(opts?: { seed?: number }): Workspace {
  const ws = workspaceWithEdgeCases(demoSpec(opts?.seed ?? 1), DEMO_TITLES, 130);
  addSampleContent(ws, { dataSourceTitle: 'Projects', pages: 10 }); // rich documents and discussions
  addStandalonePages(ws); // a small wiki outside the databases
  return ws;
}
