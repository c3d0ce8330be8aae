/** Builds a workspace from a declarative spec in three passes: containers and schemas, relations, pages. */
import { minuteIso, type EmuDatabase, type EmuDataSource, type EmuPage, type Workspace } from '../workspace.js';
import { allTypesPage, simplePage } from './pages.js';
import type { Ctx, Plan, TitleOverrides } from './plan.js';
import { Rng, subSeed } from './rng.js';
import { addRelation, allTypesSchema, simpleSchema, sortedById, uniquePrefix } from './schemas.js';
import { DAY, DEFAULT_START, DEFAULT_TOKEN, MINUTE, type GenerateOptions } from './spec.js';
import { makeUsers } from './users.js';
import { containerIso, textItem, titleText } from './values.js';
import { ADJECTIVES, EMOJI, FLAVOURS, NOUNS, VERBS } from './words.js';

function randomTitle(rng: Rng): string {
  return `${rng.pick(VERBS)} ${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS)}${rng.pick(FLAVOURS)}`;
}

function checkSpec(opts: GenerateOptions): void {
  if (!Array.isArray(opts.databases)) throw new Error('generateWorkspace: "databases" must be an array');
  for (const db of opts.databases) {
    if (typeof db.title !== 'string') throw new Error('generateWorkspace: every database needs a string "title"');
    if (!Array.isArray(db.dataSources) || db.dataSources.length === 0) {
      throw new Error(`generateWorkspace: database "${db.title}" needs at least one data source`);
    }
    for (const ds of db.dataSources) {
      if (!Number.isInteger(ds.pages) || ds.pages < 0) {
        throw new Error(`generateWorkspace: data source "${ds.title}" needs a non-negative integer "pages"`);
      }
      if (ds.pagesPerMinute !== undefined && !(ds.pagesPerMinute > 0)) {
        throw new Error(`generateWorkspace: data source "${ds.title}" needs "pagesPerMinute" > 0`);
      }
    }
  }
  if (opts.users !== undefined && (!Number.isInteger(opts.users) || opts.users < 1)) {
    throw new Error('generateWorkspace: "users" must be a positive integer');
  }
  if (opts.start !== undefined && Number.isNaN(Date.parse(opts.start))) {
    throw new Error(`generateWorkspace: "start" is not a valid ISO date: ${opts.start}`);
  }
}

/** Builds a workspace from a declarative spec. Deterministic: same options, byte-identical JSON. */
export function generateWorkspace(opts: GenerateOptions): Workspace {
  return buildWorkspace(opts, {});
}

/** `generateWorkspace` with some page titles fixed (`titleOverrides`), for the edge-case pages. */
export function buildWorkspace(opts: GenerateOptions, titleOverrides: TitleOverrides): Workspace {
  checkSpec(opts);
  const seed = (opts.seed ?? 1) >>> 0;
  const startMs = Math.floor(Date.parse(opts.start ?? DEFAULT_START) / MINUTE) * MINUTE;
  const personsCount = opts.users ?? 40;

  const users = makeUsers(new Rng(subSeed(seed, 'users')), personsCount, personsCount >= 20 ? 2 : 1);
  const persons = users.filter((u) => u.type === 'person');
  const bots = users.filter((u) => u.type === 'bot');

  // Pass 1: containers, data sources, schemas (without relations), page ids and titles.
  const idRng = new Rng(subSeed(seed, 'ids'));
  const databases: EmuDatabase[] = [];
  const dataSources: EmuDataSource[] = [];
  const plans: Plan[] = [];
  const prefixes = new Set<string>();
  const allPages: Array<[string, string]> = [];
  let dsIndex = 0;
  opts.databases.forEach((dbSpec, dbIndex) => {
    const dbRng = new Rng(subSeed(seed, `db:${dbIndex}`));
    const dbShared = dbSpec.shared ?? true;
    // Containers exist a few days before their first row.
    const dbCreatedMs = startMs - (dbIndex + 1) * 3 * DAY + dbRng.int(0, 12 * 3_600_000) + dbRng.int(0, 59_999);
    const db: EmuDatabase = {
      id: idRng.uuid(),
      title: titleText(dbSpec.title),
      description: dbRng.chance(0.5) ? [textItem(`Everything about ${dbSpec.title.toLowerCase()}.`)] : [],
      created_time: containerIso(dbCreatedMs),
      last_edited_time: containerIso(dbCreatedMs),
      is_inline: dbRng.chance(0.3),
      in_trash: false,
      icon: { type: 'emoji', emoji: dbRng.pick(EMOJI) },
      cover: null,
      parent: { type: 'workspace', workspace: true },
      data_source_ids: [],
      shared: dbShared,
    };
    databases.push(db);
    let dbLastEdited = dbCreatedMs;
    for (const spec of dbSpec.dataSources) {
      const index = dsIndex++;
      const rng = new Rng(subSeed(seed, `ds:${index}`));
      const kind = spec.kind ?? 'all-types';
      const prefix = uniquePrefix(spec.title, prefixes);
      const schema = kind === 'simple' ? simpleSchema(rng, prefix, spec.titleOnly === true) : allTypesSchema(rng, prefix);
      const ppm = spec.pagesPerMinute ?? 3;
      const overrides = titleOverrides[spec.title] ?? {};
      const pageIds: string[] = new Array<string>(spec.pages);
      const titles: string[] = new Array<string>(spec.pages);
      for (let i = 0; i < spec.pages; i++) {
        pageIds[i] = idRng.uuid();
        titles[i] = overrides[i] ?? (kind === 'simple' ? `${spec.title} #${i + 1}` : rng.chance(0.02) ? '' : randomTitle(rng));
        if (kind !== 'simple') allPages.push([pageIds[i]!, titles[i]!]);
      }
      const lastPageMs = startMs + Math.floor(Math.max(0, spec.pages - 1) / ppm) * MINUTE;
      const dsEditedMs = lastPageMs + rng.int(0, 5) * DAY + rng.int(0, 1439) * MINUTE;
      dbLastEdited = Math.max(dbLastEdited, dsEditedMs + rng.int(0, 59_999));
      const ds: EmuDataSource = {
        id: idRng.uuid(),
        database_id: db.id,
        title: titleText(spec.title),
        description: [],
        properties: {},
        created_time: minuteIso(dbCreatedMs),
        last_edited_time: minuteIso(dsEditedMs),
        in_trash: false,
        icon: db.icon,
        cover: null,
        shared: dbShared && (spec.shared ?? true),
      };
      db.data_source_ids.push(ds.id);
      dataSources.push(ds);
      plans.push({
        index,
        spec,
        kind,
        shared: ds.shared,
        content: kind === 'all-types' && (spec.content ?? true),
        db,
        ds,
        schema,
        pageIds,
        titles,
        baseMs: startMs,
        ppm,
      });
    }
    db.last_edited_time = containerIso(dbLastEdited);
  });

  // Pass 2: relation targets and final schemas.
  for (const plan of plans) {
    if (plan.kind !== 'all-types') continue;
    let target: Plan | undefined;
    if (plan.spec.relatesTo !== undefined) {
      target = plans.find((p) => p.spec.title === plan.spec.relatesTo);
      if (!target) throw new Error(`generateWorkspace: "${plan.spec.title}" relates to unknown data source "${plan.spec.relatesTo}"`);
    } else {
      target = plans.find((p) => p !== plan) ?? plan;
    }
    plan.target = target;
  }
  for (const plan of plans) if (plan.target) addRelation(plan.schema, plan, plan.target);
  for (const plan of plans) plan.ds.properties = sortedById(plan.schema);

  // Pass 3: pages.
  const ctx: Ctx = { seed, users, persons, bots, plans, allPages, blocks: {}, comments: {} };
  let total = 0;
  for (const p of plans) total += p.pageIds.length;
  const pages: EmuPage[] = new Array<EmuPage>(total);
  let k = 0;
  for (const plan of plans) {
    const rng = new Rng(subSeed(seed, `pages:${plan.index}`));
    for (let i = 0; i < plan.pageIds.length; i++) {
      pages[k++] = plan.kind === 'simple' ? simplePage(ctx, plan, rng, i) : allTypesPage(ctx, plan, rng, i);
    }
  }

  return {
    token: opts.token ?? DEFAULT_TOKEN,
    users,
    databases,
    dataSources,
    pages,
    blocks: ctx.blocks,
    comments: ctx.comments,
  };
}
