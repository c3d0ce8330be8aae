/** The ready-made all-types workspace: every property type plus the edge cases. */
import type { Workspace } from '../workspace.js';
import { findDatabase, findDataSource, findPageByTitle, relationOf, workspaceWithEdgeCases, type EdgeCaseTitles } from './edge-cases.js';
import { ALL_TYPES_PROPERTIES } from './schemas.js';
import type { GenerateOptions } from './spec.js';

/** Titles of the edge-case pages of `allTypesWorkspace()` (all in the "Projects" data source). */
export const ALL_TYPES_TITLES: EdgeCaseTitles = {
  relationMany: 'Relation overflow (60 tasks)',
  relation25: 'Exactly 25 tasks',
  people30: 'Big team (30 owners)',
  people25: 'Exactly 25 owners',
  mentions30: 'Mentions galore (30 mentions)',
  trashed: 'Trashed project',
};

/**
 * The spec of `allTypesWorkspace` (edge cases aside): "Projects" (40 'all-types' pages), "Tasks"
 * (data sources "Tasks", 90 'all-types' pages, and "Archive", 20 'simple'), and "Secret" (unshared,
 * 8 'simple' pages). `seed` default 1.
 */
export function allTypesSpec(seed = 1): GenerateOptions {
  return {
    seed,
    databases: [
      { title: 'Projects', dataSources: [{ title: 'Projects', pages: 40, kind: 'all-types' }] },
      {
        title: 'Tasks',
        dataSources: [
          { title: 'Tasks', pages: 90, kind: 'all-types' },
          { title: 'Archive', pages: 20, kind: 'simple' },
        ],
      },
      { title: 'Secret', shared: false, dataSources: [{ title: 'Secret', pages: 8, kind: 'simple' }] },
    ],
  };
}

/**
 * The completeness workspace: "Projects" (40 'all-types' pages, relation "Tasks" to the Tasks data
 * source with a sum rollup "Total estimate" and a show_original rollup), "Tasks" (a database with two
 * data sources, "Tasks" ('all-types', 90 pages, relation "Projects") and "Archive" ('simple', 20)),
 * and "Secret" (unshared, 8 'simple' pages). Edge cases in Projects: see `ALL_TYPES_TITLES` and
 * `allTypesIds()`.
 */
export function allTypesWorkspace(opts?: { seed?: number }): Workspace {
  return workspaceWithEdgeCases(allTypesSpec(opts?.seed ?? 1), ALL_TYPES_TITLES, 60);
}

/** The ids and property names of the special objects of an `allTypesWorkspace()` (see `allTypesIds`). */
export interface AllTypesIds {
  /** The "Projects" database and its one data source. */
  projectsDatabaseId: string;
  /** The data source of the "Projects" database (every edge-case page is in it). */
  projectsDataSourceId: string;
  /** The "Tasks" database, its "Tasks" data source and its "Archive" data source. */
  tasksDatabaseId: string;
  /** The "Tasks" data source of the "Tasks" database. */
  tasksDataSourceId: string;
  /** The "Archive" data source of the "Tasks" database ('simple' schema). */
  archiveDataSourceId: string;
  /** The unshared "Secret" database and its data source (404 for the integration). */
  secretDatabaseId: string;
  /** The data source of the unshared "Secret" database. */
  secretDataSourceId: string;
  /** Projects page whose relation holds 60 task ids. */
  relation60PageId: string;
  /** Projects page whose relation holds exactly 25 task ids. */
  relation25PageId: string;
  /** Projects page whose people property holds 30 users. */
  people30PageId: string;
  /** Projects page whose people property holds exactly 25 users. */
  people25PageId: string;
  /** Projects page whose rich_text property holds 30 mention items. */
  mentions30PageId: string;
  /** Projects page with in_trash: true. */
  trashedPageId: string;
  /** Property names on Projects. */
  relationProperty: string;
  /** The sum rollup over the relation ("Total estimate"). */
  rollupSumProperty: string;
  /** The show_original rollup over the relation ("Related priorities"). */
  rollupShowProperty: string;
  /** The people property holding 30 and 25 users on the edge-case pages ("Owners"). */
  peopleProperty: string;
  /** The rich_text property holding 30 mentions on the edge-case page ("Summary"). */
  mentionsProperty: string;
}

/** Finds the special objects of a workspace built by `allTypesWorkspace()` (any seed, also after a seed-file round trip). */
export function allTypesIds(ws: Workspace): AllTypesIds {
  const projectsDb = findDatabase(ws, 'Projects');
  const tasksDb = findDatabase(ws, 'Tasks');
  const secretDb = findDatabase(ws, 'Secret');
  const projects = findDataSource(ws, projectsDb, 'Projects');
  const page = (title: string): string => findPageByTitle(ws, projects.id, title).id;
  return {
    projectsDatabaseId: projectsDb.id,
    projectsDataSourceId: projects.id,
    tasksDatabaseId: tasksDb.id,
    tasksDataSourceId: findDataSource(ws, tasksDb, 'Tasks').id,
    archiveDataSourceId: findDataSource(ws, tasksDb, 'Archive').id,
    secretDatabaseId: secretDb.id,
    secretDataSourceId: findDataSource(ws, secretDb, 'Secret').id,
    relation60PageId: page(ALL_TYPES_TITLES.relationMany),
    relation25PageId: page(ALL_TYPES_TITLES.relation25),
    people30PageId: page(ALL_TYPES_TITLES.people30),
    people25PageId: page(ALL_TYPES_TITLES.people25),
    mentions30PageId: page(ALL_TYPES_TITLES.mentions30),
    trashedPageId: page(ALL_TYPES_TITLES.trashed),
    relationProperty: relationOf(projects),
    rollupSumProperty: ALL_TYPES_PROPERTIES.rollupSum,
    rollupShowProperty: ALL_TYPES_PROPERTIES.rollupShow,
    peopleProperty: ALL_TYPES_PROPERTIES.owners,
    mentionsProperty: ALL_TYPES_PROPERTIES.summary,
  };
}
