/** Edge cases written onto chosen pages after generation, and look-ups of objects by title. */
import type { EmuDatabase, EmuDataSource, EmuPage, Json, JsonObject, Workspace } from '../workspace.js';
import { buildWorkspace } from './build.js';
import type { TitleOverrides } from './plan.js';
import { Rng, subSeed } from './rng.js';
import { ALL_TYPES_PROPERTIES } from './schemas.js';
import type { GenerateOptions } from './spec.js';
import { dateMention, fullUser, pageMention, textItem, userMention } from './values.js';

function plainTitle(rich: Json): string {
  return Array.isArray(rich) ? rich.map((t) => String((t as JsonObject)['plain_text'] ?? '')).join('') : '';
}

function titleOf(page: EmuPage): string {
  const t = Object.values(page.properties).find((p) => p.type === 'title');
  return t ? plainTitle(t['title'] ?? []) : '';
}

function pagesOf(ws: Workspace, dataSourceId: string): EmuPage[] {
  return ws.pages.filter((p) => p.data_source_id === dataSourceId);
}

function relationPropName(ws: Workspace, page: EmuPage): string {
  const ds = ws.dataSources.find((d) => d.id === page.data_source_id);
  const rel = ds && Object.values(ds.properties).find((p) => p.type === 'relation');
  if (!rel) throw new Error(`internal: data source of page ${page.id} has no relation`);
  return rel.name;
}

function setRelationCount(ws: Workspace, rng: Rng, page: EmuPage, count: number): void {
  const name = relationPropName(ws, page);
  const prop = page.properties[name]!;
  const cfg = ws.dataSources.find((d) => d.id === page.data_source_id)!.properties[name]!['relation'] as JsonObject;
  const targetIds = pagesOf(ws, String(cfg['data_source_id'])).map((p) => p.id).filter((id) => id !== page.id);
  if (targetIds.length < count) throw new Error(`internal: target has only ${targetIds.length} pages, need ${count}`);
  prop['relation'] = rng.sample(targetIds, count).map((id) => ({ id }));
  prop['has_more'] = false;
}

function setPeopleCount(ws: Workspace, rng: Rng, page: EmuPage, count: number): void {
  const persons = ws.users.filter((u) => u.type === 'person');
  if (persons.length < count) throw new Error(`internal: need ${count} persons, have ${persons.length}`);
  page.properties[ALL_TYPES_PROPERTIES.owners]!['people'] = rng.sample(persons, count).map(fullUser);
}

function setMentionCount(ws: Workspace, rng: Rng, page: EmuPage, count: number): void {
  const persons = ws.users.filter((u) => u.type === 'person');
  const others = ws.pages.filter((p) => p.data_source_id === page.data_source_id && p.id !== page.id).slice(0, 50);
  const items: JsonObject[] = [textItem('Mentions: ')];
  for (let k = 0; k < count; k++) {
    if (k > 0) items.push(textItem(', '));
    const kind = k % 3;
    if (kind === 0 || others.length === 0) items.push(userMention(rng.pick(persons)));
    else if (kind === 1) {
      const other = rng.pick(others);
      items.push(pageMention(other.id, titleOf(other)));
    } else items.push(dateMention({ start: `2024-0${1 + (k % 9)}-1${k % 10}`, end: null, time_zone: null }));
  }
  page.properties[ALL_TYPES_PROPERTIES.summary]!['rich_text'] = items;
}

/** Titles of the edge-case pages of a ready-made workspace. */
export interface EdgeCaseTitles {
  /** The page whose relation holds many ids (60 in all-types, 130 in demo): past the 25 a page response shows. */
  relationMany: string;
  /** The page whose relation holds exactly 25 ids. */
  relation25: string;
  /** The page whose people property holds 30 users. */
  people30: string;
  /** The page whose people property holds exactly 25 users. */
  people25: string;
  /** The page whose rich text holds 30 mentions. */
  mentions30: string;
  /** The page in the trash. */
  trashed: string;
}

/** Page index of each edge case in its data source. */
const EDGE_CASE_INDEX: Record<keyof EdgeCaseTitles, number> = {
  relationMany: 1,
  relation25: 2,
  people30: 3,
  people25: 4,
  mentions30: 5,
  trashed: 6,
};

function edgeCaseTitles(dataSourceTitle: string, titles: EdgeCaseTitles): TitleOverrides {
  const byIndex: Record<number, string> = {};
  for (const [k, i] of Object.entries(EDGE_CASE_INDEX)) byIndex[i] = titles[k as keyof EdgeCaseTitles];
  return { [dataSourceTitle]: byIndex };
}

/** Writes the edge cases onto the pages that `edgeCaseTitles` named. */
function applyEdgeCases(ws: Workspace, seed: number, dataSourceId: string, titles: EdgeCaseTitles, relationMany: number): void {
  const rng = new Rng(subSeed(seed, `edge:${dataSourceId}`));
  const pages = pagesOf(ws, dataSourceId);
  const at = (k: keyof EdgeCaseTitles): EmuPage => {
    const p = pages[EDGE_CASE_INDEX[k]];
    if (!p || titleOf(p) !== titles[k]) throw new Error(`internal: data source ${dataSourceId} lacks the "${titles[k]}" page`);
    return p;
  };
  setRelationCount(ws, rng, at('relationMany'), relationMany);
  setRelationCount(ws, rng, at('relation25'), 25);
  setPeopleCount(ws, rng, at('people30'), 30);
  setPeopleCount(ws, rng, at('people25'), 25);
  setMentionCount(ws, rng, at('mentions30'), 30);
  at('trashed').in_trash = true;
}

/** The database titled `title`; throws a plain Error when there is none. */
export function findDatabase(ws: Workspace, title: string): EmuDatabase {
  const db = ws.databases.find((d) => plainTitle(d.title) === title);
  if (!db) throw new Error(`workspace has no database titled "${title}"`);
  return db;
}

/** The data source of `db` titled `title`; throws a plain Error when there is none. */
export function findDataSource(ws: Workspace, db: EmuDatabase, title: string): EmuDataSource {
  const ds = ws.dataSources.find((d) => d.database_id === db.id && plainTitle(d.title) === title);
  if (!ds) throw new Error(`database "${plainTitle(db.title)}" has no data source titled "${title}"`);
  return ds;
}

/** The name of the data source's relation property; throws a plain Error when it has none. */
export function relationOf(ds: EmuDataSource): string {
  const rel = Object.values(ds.properties).find((p) => p.type === 'relation');
  if (!rel) throw new Error(`data source ${ds.id} has no relation property`);
  return rel.name;
}

/** The page of a data source titled `title`; throws a plain Error when there is none. */
export function findPageByTitle(ws: Workspace, dataSourceId: string, title: string): EmuPage {
  const page = ws.pages.find((p) => p.data_source_id === dataSourceId && titleOf(p) === title);
  if (!page) throw new Error(`data source ${dataSourceId} has no page titled "${title}"`);
  return page;
}

/** Builds a workspace whose "Projects" data source carries the edge-case pages named by `titles`. */
export function workspaceWithEdgeCases(spec: GenerateOptions, titles: EdgeCaseTitles, relationCount: number): Workspace {
  const ws = buildWorkspace(spec, edgeCaseTitles('Projects', titles));
  const db = findDatabase(ws, 'Projects');
  applyEdgeCases(ws, spec.seed ?? 1, findDataSource(ws, db, 'Projects').id, titles, relationCount);
  return ws;
}
