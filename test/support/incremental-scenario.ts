/**
 * A workspace that changes between incremental runs, and the changes themselves: edits, additions,
 * trashes, unshares, a rename, an added property and a retype, applied to the emulator's live workspace
 * the way Notion would show them (an edit moves last_edited_time; a schema change does not; an unshare
 * leaves no trace but the page's absence).
 */
import { at, baseWorkspace, itemPage, mainPage, text, uid } from '../emulator/fixtures.js';
import type { EmuPage, EmuSchemaProperty, Workspace } from '../../src/emulator/workspace.js';
import type { CanonicalTables } from './warehouse-rows.js';

export const MAIN_ROWS = 40;
export const ITEM_ROWS = 30;

/** Main pages relate to items 1..10 only; items 11.. are free to change without moving any rollup. */
export function scenarioWorkspace(): Workspace {
  const ws = baseWorkspace();
  for (let n = 1; n <= ITEM_ROWS; n++) ws.pages.push(itemPage(n, n * 10, n % 3 === 0 ? null : `2024-03-${String((n % 28) + 1).padStart(2, '0')}`));
  const itemIds = (n: number) => Array.from({ length: n % 4 }, (_, i) => uid('f0000000', ((n + i) % 10) + 1));
  for (let n = 1; n <= MAIN_ROWS; n++) ws.pages.push(mainPage(ws, { n, items: itemIds(n), stage: n % 5 === 0 ? null : 'mid' }));
  return ws;
}

export function mainRow(ws: Workspace, n: number): EmuPage {
  return ws.pages.find((p) => p.id === uid('e0000000', n))!;
}

export function itemRow(ws: Workspace, n: number): EmuPage {
  return ws.pages.find((p) => p.id === uid('f0000000', n))!;
}

/** A clock of minutes well after every fixture timestamp. */
export class Minutes {
  constructor(private minute = 100_000) {}
  next(): string {
    return at(++this.minute);
  }
  now(): string {
    return at(this.minute);
  }
}

export function edit(page: EmuPage, when: string, change: (p: EmuPage) => void): void {
  change(page);
  page.last_edited_time = when;
}

export function setTitle(page: EmuPage, title: string): void {
  page.properties.Name!.title = [text(title)];
}

export function setCount(page: EmuPage, count: number): void {
  page.properties.Count!.number = count;
  page.properties.Calc!.formula = { type: 'number', number: count * 2 };
}

export function setTags(page: EmuPage, names: string[]): void {
  page.properties.Tags!.multi_select = names.map((name) => ({ id: `opt-${name}`, name, color: 'blue' }));
}

/** A new main page, created and edited at `when`. */
export function addMain(ws: Workspace, n: number, when: string): EmuPage {
  const page = mainPage(ws, { n, items: [uid('f0000000', 2)] });
  page.created_time = when;
  page.last_edited_time = when;
  ws.pages.push(page);
  return page;
}

export function trash(page: EmuPage, when: string): void {
  page.in_trash = true;
  page.last_edited_time = when;
}

export function unshare(page: EmuPage): void {
  page.shared = false;
}

function dataSourceOf(ws: Workspace, title: string) {
  return ws.dataSources.find((d) => (d.title[0] as { plain_text?: string }).plain_text === title || JSON.stringify(d.title).includes(`"${title}"`))!;
}

/** Renames a property in the schema and in every page (pages key values by name); no page is edited. */
export function renameProperty(ws: Workspace, dataSource: string, from: string, to: string): void {
  const ds = dataSourceOf(ws, dataSource);
  const prop = ds.properties[from]!;
  delete ds.properties[from];
  ds.properties[to] = { ...prop, name: to };
  for (const page of ws.pages) {
    if (page.data_source_id !== ds.id || !(from in page.properties)) continue;
    page.properties[to] = page.properties[from]!;
    delete page.properties[from];
  }
}

/** Adds a property; existing pages get an empty value, as in Notion. */
export function addProperty(ws: Workspace, dataSource: string, property: EmuSchemaProperty, empty: unknown): void {
  const ds = dataSourceOf(ws, dataSource);
  ds.properties[property.name] = property;
  for (const page of ws.pages) {
    if (page.data_source_id === ds.id) page.properties[property.name] = { id: property.id, type: property.type, [property.type]: empty as never };
  }
}

/** Changes a number property to rich_text: every page's value becomes the number's text, as Notion converts it. */
export function retypeNumberToText(ws: Workspace, dataSource: string, name: string): void {
  const ds = dataSourceOf(ws, dataSource);
  const prop = ds.properties[name]!;
  ds.properties[name] = { id: prop.id, name, type: 'rich_text', rich_text: {} };
  for (const page of ws.pages) {
    const v = page.properties[name];
    if (page.data_source_id !== ds.id || !v) continue;
    const n = v.number as number | null;
    page.properties[name] = { id: v.id, type: 'rich_text', rich_text: n === null ? [] : [text(String(n))] };
  }
}

/**
 * The mixed changes both warehouse tests apply between two runs, at minute `when`: two edits (one
 * empties a list, so its child rows must go), an addition, a trashed and an unshared main row, an
 * edited and a trashed item, a renamed property (Notes → Remarks) and an added one set on one row.
 */
export function applyMixedChanges(ws: Workspace, when: string): void {
  edit(mainRow(ws, 3), when, (p) => {
    setCount(p, 333);
    setTags(p, []);
  });
  edit(mainRow(ws, 4), when, (p) => setTags(p, ['b', 'c']));
  addMain(ws, 41, when);
  trash(mainRow(ws, 5), when);
  unshare(mainRow(ws, 6));
  edit(itemRow(ws, 20), when, (p) => setTitle(p, 'Item twenty, renamed'));
  trash(itemRow(ws, 21), when);
  renameProperty(ws, 'Projects', 'Notes', 'Remarks');
  addProperty(ws, 'Projects', { id: 'prio', name: 'Priority', type: 'select', select: { options: [] } }, null);
  edit(mainRow(ws, 7), when, (p) => {
    p.properties.Priority!.select = { id: 'opt-hi', name: 'high', color: 'red' };
  });
}

/** Renames a column in canonical tables (a fresh sync names a renamed property after its new name). */
export function renameColumn(tables: CanonicalTables, table: string, from: string, to: string): CanonicalTables {
  const t = tables[table]!;
  const rename = (k: string) => (k === from ? to : k);
  const columns = Object.fromEntries(Object.entries(t.columns).map(([k, v]) => [rename(k), v]));
  const rows = t.rows
    .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [rename(k), v] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))
    .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));
  const out: CanonicalTables = { ...tables, [table]: { columns, rows } };
  // The catalog says which column each property went to: the kept column, too.
  const props = tables.notion_data_source_properties;
  const source = tables.notion_data_sources?.rows.find((r) => r.table_name === table);
  if (props && source) {
    const moved = props.rows.map((r) => (r.data_source_id === source.id && r.column_name === from ? { ...r, column_name: to } : r));
    out.notion_data_source_properties = { columns: props.columns, rows: moved.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0)) };
  }
  return out;
}
