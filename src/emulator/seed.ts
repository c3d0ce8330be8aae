/**
 * Workspace seed files (plain JSON of a `Workspace`) and workspace specs for the command line.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { allTypesWorkspace, demoWorkspace, scaleWorkspace } from './generate.js';
import type { Workspace } from './workspace.js';

/** The specs `workspaceFromSpec` understands, for messages and help texts. */
export const WORKSPACE_SPECS = [
  'all-types',
  'demo',
  'scale:<dataSources>x<pagesEach>',
  'scale:<dataSources>x<pagesEach>:all-types',
  'scale:<dataSources>x<pagesEach>/<pagesPerMinute>',
  'scale:<dataSources>x<pagesEach>/<pagesPerMinute>:unedited',
  'scale:<dataSources>x<pagesEach>/<pagesPerMinute>:unedited:title-only',
] as const;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`.slice(0, 60);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks that a parsed seed file has the shape of a `Workspace`. Throws an Error naming the file and the
 * first problem found.
 */
export function validateWorkspace(value: unknown, source = 'workspace'): Workspace {
  const fail = (what: string): never => {
    throw new Error(`Invalid workspace seed ${source}: ${what}`);
  };
  if (!isObject(value)) return fail(`expected a JSON object at the top level, got ${describe(value)}`);
  if (typeof value['token'] !== 'string' || value['token'] === '') fail(`"token" must be a non-empty string, got ${describe(value['token'])}`);
  for (const key of ['users', 'databases', 'dataSources', 'pages'] as const) {
    if (!Array.isArray(value[key])) fail(`"${key}" must be an array, got ${describe(value[key])}`);
  }
  for (const key of ['blocks', 'comments'] as const) {
    if (!isObject(value[key])) fail(`"${key}" must be an object keyed by block or page id, got ${describe(value[key])}`);
    for (const [id, list] of Object.entries(value[key] as Record<string, unknown>)) {
      if (!Array.isArray(list)) fail(`"${key}.${id}" must be an array, got ${describe(list)}`);
    }
  }
  const checkItems = (key: string, required: Record<string, 'string' | 'object' | 'array' | 'boolean'>): Set<string> => {
    const ids = new Set<string>();
    (value[key] as unknown[]).forEach((item, i) => {
      if (!isObject(item)) fail(`"${key}[${i}]" must be an object, got ${describe(item)}`);
      const obj = item as Record<string, unknown>;
      for (const [field, type] of Object.entries(required)) {
        const v = obj[field];
        const ok = type === 'array' ? Array.isArray(v) : type === 'object' ? isObject(v) : typeof v === type;
        if (!ok) fail(`"${key}[${i}].${field}" must be ${type === 'array' || type === 'object' ? `an ${type}` : `a ${type}`}, got ${describe(v)}`);
      }
      const id = obj['id'] as string;
      if (ids.has(id)) fail(`"${key}[${i}].id" ${id} appears twice`);
      ids.add(id);
    });
    return ids;
  };
  checkItems('users', { id: 'string', type: 'string' });
  const dbIds = checkItems('databases', { id: 'string', title: 'array', data_source_ids: 'array', shared: 'boolean' });
  const dsIds = checkItems('dataSources', { id: 'string', database_id: 'string', title: 'array', properties: 'object', shared: 'boolean' });
  checkItems('pages', { id: 'string', data_source_id: 'string', created_time: 'string', last_edited_time: 'string', properties: 'object', shared: 'boolean' });
  (value['dataSources'] as Array<Record<string, unknown>>).forEach((ds, i) => {
    if (!dbIds.has(ds['database_id'] as string)) fail(`"dataSources[${i}].database_id" ${String(ds['database_id'])} is not a database of this workspace`);
  });
  (value['databases'] as Array<Record<string, unknown>>).forEach((db, i) => {
    for (const id of db['data_source_ids'] as unknown[]) {
      if (!dsIds.has(id as string)) fail(`"databases[${i}].data_source_ids" lists ${String(id)}, which is not a data source of this workspace`);
    }
  });
  (value['pages'] as Array<Record<string, unknown>>).forEach((p, i) => {
    const standalone = p['data_source_id'] === '' && p['parent'] !== null && typeof p['parent'] === 'object';
    if (!standalone && !dsIds.has(p['data_source_id'] as string)) fail(`"pages[${i}].data_source_id" ${String(p['data_source_id'])} is not a data source of this workspace`);
  });
  return value as unknown as Workspace;
}

/** Reads and validates a seed file written by `saveWorkspace` (or by hand). */
export async function loadWorkspace(path: string): Promise<Workspace> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`Cannot read workspace seed file ${path}: ${code === 'ENOENT' ? 'no such file' : err instanceof Error ? err.message : String(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new Error(`Workspace seed file ${path} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  return validateWorkspace(parsed, `file ${path}`);
}

/** Writes a workspace as a seed file (creating the directory if needed). */
export async function saveWorkspace(path: string, ws: Workspace): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(ws), 'utf8');
}

/**
 * Builds a workspace from a command-line spec: `all-types`, `demo`, `scale:3x10000`,
 * `scale:3x10000:all-types`, or `scale:1x25000/25000` (25,000 pages created in one minute, as a bulk
 * import does; the number after `/` is pages per created_time minute). A scale spec may end in
 * `:unedited` (every page last edited in its created minute: `scale:1x25000/25000:unedited` puts
 * 25,000 rows in one (created, edited) minute pair, with a number and a date column but no ID
 * property) and then `:title-only` (the title column alone). Each may end in `@<seed>` (e.g.
 * `demo@7`). Unknown specs throw an Error listing the valid ones.
 */
export function workspaceFromSpec(spec: string): Workspace {
  const trimmed = spec.trim();
  const at = trimmed.lastIndexOf('@');
  let body = trimmed;
  let seed: number | undefined;
  if (at > 0) {
    const s = trimmed.slice(at + 1);
    if (!/^\d+$/.test(s)) throw invalidSpec(spec, `the seed after "@" must be a non-negative integer, got "${s}"`);
    seed = Number(s);
    body = trimmed.slice(0, at);
  }
  if (body === 'all-types') return allTypesWorkspace({ seed });
  if (body === 'demo') return demoWorkspace({ seed });
  const m = /^scale:(\d+)x(\d+)(?::(simple|all-types))?(?:\/(\d+))?(:unedited)?(:title-only)?$/.exec(body);
  if (m) {
    const dataSources = Number(m[1]);
    const pagesEach = Number(m[2]);
    const pagesPerMinute = m[4] === undefined ? undefined : Number(m[4]);
    if (dataSources < 1) throw invalidSpec(spec, 'a scale workspace needs at least one data source');
    if (pagesPerMinute === 0) throw invalidSpec(spec, 'pages per minute must be at least 1');
    const kind = (m[3] as 'simple' | 'all-types' | undefined) ?? 'simple';
    const titleOnly = m[6] !== undefined;
    if (titleOnly && kind !== 'simple') throw invalidSpec(spec, '":title-only" applies to simple data sources, not all-types');
    return scaleWorkspace({ dataSources, pagesEach, seed, kind, pagesPerMinute, unedited: m[5] !== undefined, titleOnly });
  }
  throw invalidSpec(spec);
}

function invalidSpec(spec: string, why?: string): Error {
  return new Error(
    `Unknown workspace "${spec}"${why ? ` (${why})` : ''}. Valid workspaces: ${WORKSPACE_SPECS.join(', ')} (optionally followed by @<seed>), or a path to a .json seed file.`,
  );
}

/** A spec or a path: paths ending in `.json` are loaded as seed files, anything else is a spec. */
export async function openWorkspace(specOrPath: string): Promise<Workspace> {
  return specOrPath.endsWith('.json') ? loadWorkspace(specOrPath) : workspaceFromSpec(specOrPath);
}
