import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FlattenError, flattenPage, freezeSpec, schemaMessage, tableColumns, tableSpec, toInstant, undecidedProperties, type TableSpec } from '../../src/core/flatten.js';
import { isValidColumnName } from '../../src/core/names.js';
import { ALL_PROPERTY_TYPES, allTypesIds, allTypesWorkspace } from '../../src/emulator/generate.js';
import { WorkspaceLookup } from '../../src/emulator/lookup.js';
import { Renderer } from '../../src/emulator/render.js';
import type { Workspace } from '../../src/emulator/workspace.js';
import { assembleProperty } from '../../src/notion/complete.js';
import { plainText, type Json, type JsonObject, type NotionDataSource, type NotionPage, type PropertyValue } from '../../src/notion/types.js';
import { columnType, type ColumnType } from '../../src/singer/messages.js';

const FIXTURES = new URL('../fixtures/notion-recorded/', import.meta.url);
const fixture = (name: string): any => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

/** A data source and its pages as `notion-stream pages` prints them: complete values, no trashed pages. */
function pagesOf(ws: Workspace, dataSourceId: string): { ds: NotionDataSource; pages: NotionPage[] } {
  const r = new Renderer(new WorkspaceLookup(ws));
  const ds = r.dataSource(ws.dataSources.find((d) => d.id === dataSourceId)!) as unknown as NotionDataSource;
  const pages = ws.pages
    .filter((p) => p.data_source_id === dataSourceId && !p.in_trash)
    .map((p) => {
      const page = r.page(p) as unknown as NotionPage;
      for (const [name, v] of Object.entries(p.properties)) page.properties[name] = r.propertyValue(p, name, v, false, 0) as PropertyValue;
      return page;
    });
  return { ds, pages };
}

function flattenAll(ds: NotionDataSource, pages: NotionPage[], warnings: string[] = []): { spec: TableSpec; rows: Record<string, Json>[] } {
  const spec = tableSpec(ds, { onWarning: (m) => warnings.push(m) });
  const rows = pages.map((p) => flattenPage(spec, p));
  return { spec, rows };
}

const base = (spec: TableSpec, name: string): string => spec.properties.find((p) => p.name === name)!.base;
const typeOf = (spec: TableSpec, column: string): ColumnType => columnType(schemaMessage(spec).schema.properties[column]!);
const obj = (v: Json | undefined): JsonObject => v as JsonObject;

/** The six date columns a Notion date value should give, worked out independently. */
function expectedDate(d: JsonObject | null): Json[] {
  if (d === null) return [null, null, null, null, null, null];
  const start = d.start as string;
  const end = d.end as string | null;
  const isDateTime = start.length > 10;
  const instant = (s: string | null) => (s === null || s.length === 10 ? null : new Date(s).toISOString());
  return [instant(start), start.slice(0, 10), instant(end), end === null ? null : end.slice(0, 10), d.time_zone ?? null, isDateTime];
}

/** The date columns in the order [start instant, start date, end instant, end date, time zone, is datetime]. */
function dateColumns(row: Record<string, Json>, b: string): (Json | undefined)[] {
  return [row[`${b}_at`], row[b], row[`${b}_end_at`], row[`${b}_end`], row[`${b}_time_zone`], row[`${b}_is_datetime`]];
}

describe('flattenPage over the all-types workspace', () => {
  const ws = allTypesWorkspace();
  const ids = allTypesIds(ws);

  for (const which of ['projectsDataSourceId', 'tasksDataSourceId'] as const) {
    it(`flattens every property type of ${which} with the right column type and value`, () => {
      const { ds, pages } = pagesOf(ws, ids[which]);
      const warnings: string[] = [];
      const { spec, rows } = flattenAll(ds, pages, warnings);
      expect(warnings).toEqual([]);
      expect(new Set(Object.values(ds.properties).map((p) => p.type))).toEqual(new Set(ALL_PROPERTY_TYPES));
      const schema = schemaMessage(spec);
      expect(schema.stream).toBe(spec.table);
      expect(schema.key_properties).toEqual(['id']);
      expect(schema.schema.description).toBe(plainText(ds.title));
      for (const c of Object.keys(schema.schema.properties)) expect(isValidColumnName(c), c).toBe(true);
      const seenTypes = new Set<string>();

      pages.forEach((page, i) => {
        const row = rows[i]!;
        expect(row.id).toBe(page.id);
        expect(row.url).toBe(page.url);
        expect(row.created_time).toBe(page.created_time);
        expect(row.last_edited_time).toBe(page.last_edited_time);
        expect(row.created_by).toBe(obj(page.created_by as Json).id);
        expect(row.in_trash).toBe(false);
        expect(row.data_source_id).toBe(ds.id);
        for (const [name, pv] of Object.entries(page.properties)) {
          const b = base(spec, name);
          const v = pv[pv.type] ?? null;
          seenTypes.add(pv.type);
          const col = (suffix = '') => typeOf(spec, b + suffix);
          switch (pv.type) {
            case 'title':
            case 'rich_text':
              expect(col()).toEqual({ kind: 'STRING' });
              expect(row[b]).toBe((v as JsonObject[]).length === 0 ? null : (v as JsonObject[]).map((t) => t.plain_text).join(''));
              break;
            case 'number':
              expect(col()).toEqual({ kind: 'NUMBER' });
              expect(row[b]).toBe(v);
              break;
            case 'select':
            case 'status':
              expect([col(), col('_id')]).toEqual([{ kind: 'STRING' }, { kind: 'STRING' }]);
              expect(row[b]).toBe(v === null ? null : obj(v).name);
              expect(row[`${b}_id`]).toBe(v === null ? null : obj(v).id);
              break;
            case 'multi_select':
              expect(col()).toEqual({ kind: 'LIST', items: { kind: 'JSON' } });
              expect(Object.keys(schema.schema.properties[b]!.items!.properties as object)).toEqual(['id', 'name']);
              expect(row[b]).toEqual((v as JsonObject[]).map((o) => ({ id: o.id, name: o.name })));
              break;
            case 'date':
              expect(DATE_TYPES.map((_, k) => col(DATE_SUFFIXES[k]))).toEqual(DATE_TYPES);
              expect(dateColumns(row, b)).toEqual(expectedDate(v as JsonObject | null));
              break;
            case 'people':
              expect(col()).toEqual({ kind: 'LIST', items: { kind: 'JSON' } });
              expect(row[b]).toEqual(
                (v as JsonObject[]).map((u) => ({
                  id: u.id,
                  name: u.name ?? null,
                  email: (u.person as JsonObject | undefined)?.email ?? null,
                  type: u.object === 'group' ? 'group' : (u.type ?? null),
                })),
              );
              break;
            case 'files':
              expect(col()).toEqual({ kind: 'LIST', items: { kind: 'JSON' } });
              expect(row[b]).toEqual(
                (v as JsonObject[]).map((f) => ({ name: f.name, type: f.type, url: obj(f[f.type as string]).url, expiry_time: obj(f[f.type as string]).expiry_time ?? null })),
              );
              break;
            case 'checkbox':
              expect(col()).toEqual({ kind: 'BOOLEAN' });
              expect(row[b]).toBe(v);
              break;
            case 'url':
            case 'email':
            case 'phone_number':
              expect(col()).toEqual({ kind: 'STRING' });
              expect(row[b]).toBe(v);
              break;
            case 'formula': {
              const f = obj(v);
              const inner = f[f.type as string] ?? null;
              if (f.type === 'date') {
                expect(DATE_TYPES.map((_, k) => col(DATE_SUFFIXES[k]))).toEqual(DATE_TYPES);
                // Until a first value decides its type, a formula writes no columns (null).
                expect(dateColumns(row, b).map((x) => x ?? null)).toEqual(expectedDate(inner as JsonObject | null));
              } else {
                expect(col()).toEqual({ kind: { string: 'STRING', number: 'NUMBER', boolean: 'BOOLEAN' }[f.type as string] });
                expect(row[b] ?? null).toBe(inner);
              }
              break;
            }
            case 'relation':
              expect(col()).toEqual({ kind: 'LIST', items: { kind: 'STRING' } });
              expect(row[b]).toEqual((v as JsonObject[]).map((r) => r.id));
              break;
            case 'rollup': {
              const r = obj(v);
              if (r.function === 'sum') {
                expect(col()).toEqual({ kind: 'NUMBER' });
                expect(row[b]).toBe(r.number);
              } else {
                expect(r.function).toBe('show_original');
                expect(col()).toEqual({ kind: 'LIST', items: { kind: 'JSON' } });
                expect(Object.keys(schema.schema.properties[b]!.items!.properties as object)).toEqual(['type', 'value', 'json']);
                // Show original of a select: the option names, plain.
                expect(row[b]).toEqual((r.array as JsonObject[]).map((x) => ({ type: 'select', value: x.select === null ? null : obj(x.select).name, json: null })));
              }
              break;
            }
            case 'created_time':
            case 'last_edited_time':
              expect(col()).toEqual({ kind: 'TIMESTAMP' });
              expect(row[b]).toBe(v);
              break;
            case 'created_by':
            case 'last_edited_by':
              expect([col(), col('_name'), col('_email'), col('_type')]).toEqual([{ kind: 'STRING' }, { kind: 'STRING' }, { kind: 'STRING' }, { kind: 'STRING' }]);
              expect([row[b], row[`${b}_name`], row[`${b}_email`], row[`${b}_type`]]).toEqual([obj(v).id, obj(v).name, (obj(v).person as JsonObject | undefined)?.email ?? null, obj(v).type]);
              break;
            case 'unique_id':
              expect([col(), col('_number')]).toEqual([{ kind: 'STRING' }, { kind: 'INTEGER' }]);
              expect(row[b]).toBe(`${obj(v).prefix}-${obj(v).number}`);
              expect(row[`${b}_number`]).toBe(obj(v).number);
              break;
            case 'verification': {
              const x = obj(v);
              expect([col('_state'), col('_verified_by')]).toEqual([{ kind: 'STRING' }, { kind: 'STRING' }]);
              expect(DATE_TYPES.map((_, k) => col(`_date${DATE_SUFFIXES[k]}`))).toEqual(DATE_TYPES);
              expect(row[`${b}_state`]).toBe(x.state);
              expect(row[`${b}_verified_by`]).toBe(x.verified_by === null ? null : obj(x.verified_by).id);
              expect(row[`${b}_verified_by_type`]).toBe(x.verified_by === null ? null : obj(x.verified_by).type);
              expect(dateColumns(row, `${b}_date`)).toEqual(expectedDate((x.date ?? null) as JsonObject | null));
              break;
            }
            case 'place': {
              expect([col('_lat'), col('_lon'), col('_name'), col('_address'), col('_google_place_id'), col('_aws_place_id')].map((t) => t.kind)).toEqual([
                'NUMBER', 'NUMBER', 'STRING', 'STRING', 'STRING', 'STRING',
              ]);
              const p = v === null ? {} : obj(v);
              expect([row[`${b}_lat`], row[`${b}_lon`], row[`${b}_name`], row[`${b}_address`], row[`${b}_google_place_id`], row[`${b}_aws_place_id`]]).toEqual(
                [p.lat, p.lon, p.name, p.address, p.google_place_id, p.aws_place_id].map((x) => x ?? null),
              );
              break;
            }
            case 'button':
              expect(spec.properties.find((p) => p.name === name)!.columns).toEqual([]);
              expect(Object.keys(row).filter((k) => k === b || k.startsWith(`${b}_`))).toEqual([]);
              break;
            default:
              throw new Error(`test does not cover ${pv.type}`);
          }
        }
      });
      expect(seenTypes).toEqual(new Set(ALL_PROPERTY_TYPES));
      // Every column of the schema appears in the records, and no record has a column the schema lacks.
      const columns = new Set(tableColumns(spec).map((c) => c.name));
      for (const row of rows) for (const k of Object.keys(row)) expect(columns.has(k), k).toBe(true);
      for (const c of tableColumns(spec)) if (c.type.kind !== 'JSON') expect(rows[rows.length - 1]!).toHaveProperty(c.name);
    });
  }

  it('keeps the 60-id relation and the 30 people of the edge-case pages complete', () => {
    const { ds, pages } = pagesOf(ws, ids.projectsDataSourceId);
    const { spec, rows } = flattenAll(ds, pages);
    const row60 = rows[pages.findIndex((p) => p.id === ids.relation60PageId)]!;
    expect(row60[base(spec, ids.relationProperty)]).toHaveLength(60);
    const row30 = rows[pages.findIndex((p) => p.id === ids.people30PageId)]!;
    expect(row30[base(spec, ids.peopleProperty)]).toHaveLength(30);
  });

  it('types a column from the schema, not from the first page', () => {
    const { ds, pages } = pagesOf(ws, ids.projectsDataSourceId);
    const withoutValues = pages.map((p) => ({ ...p, properties: {} }));
    const { spec } = flattenAll(ds, withoutValues);
    expect(typeOf(spec, base(spec, 'Estimate (h)'))).toEqual({ kind: 'NUMBER' });
    expect(typeOf(spec, base(spec, 'Due date'))).toEqual({ kind: 'DATE' });
    expect(typeOf(spec, base(spec, 'Total estimate'))).toEqual({ kind: 'NUMBER' });
    // Formulas wait for a value; freezing decides them as STRING.
    expect(undecidedProperties(spec).map((p) => p.name).sort()).toEqual(['Budget per hour', 'Label', 'Over budget', 'Review date']);
    freezeSpec(spec);
    expect(typeOf(spec, base(spec, 'Label'))).toEqual({ kind: 'STRING' });
  });

  it('gives the same columns whatever the key order of the schema', () => {
    const { ds } = pagesOf(ws, ids.projectsDataSourceId);
    const reversed = { ...ds, properties: Object.fromEntries(Object.entries(ds.properties).reverse()) };
    expect(schemaMessage(tableSpec(reversed))).toEqual(schemaMessage(tableSpec(ds)));
  });
});

const DATE_SUFFIXES = ['_at', '', '_end_at', '_end', '_time_zone', '_is_datetime'];
const DATE_TYPES: ColumnType[] = [{ kind: 'TIMESTAMP' }, { kind: 'DATE' }, { kind: 'TIMESTAMP' }, { kind: 'DATE' }, { kind: 'STRING' }, { kind: 'BOOLEAN' }];

function tinySource(properties: Record<string, { id: string; type: string } & JsonObject>): NotionDataSource {
  const props: NotionDataSource['properties'] = {};
  for (const [name, p] of Object.entries(properties)) props[name] = { ...p, name, [p.type]: p[p.type] ?? {} };
  return { object: 'data_source', id: 'ds-1', title: [{ plain_text: 'Tiny' }], properties: props };
}

function tinyPage(id: string, properties: Record<string, PropertyValue>): NotionPage {
  return {
    object: 'page',
    id,
    created_time: '2024-01-01T00:00:00.000Z',
    last_edited_time: '2024-01-01T00:00:00.000Z',
    parent: { type: 'data_source_id', data_source_id: 'ds-1' },
    properties,
  };
}

describe('dates', () => {
  const ds = tinySource({ When: { id: 'w', type: 'date' } });
  const flat = (date: Json) => {
    const spec = tableSpec(ds);
    return dateColumns(flattenPage(spec, tinyPage('p', { When: { id: 'w', type: 'date', date } })), 'when');
  };

  it('keeps a date-only value as a DATE, never as a midnight-UTC TIMESTAMP', () => {
    expect(flat({ start: '2024-05-01', end: null, time_zone: null })).toEqual([null, '2024-05-01', null, null, null, false]);
    expect(flat({ start: '2022-02-11', end: '2022-02-12', time_zone: null })).toEqual([null, '2022-02-11', null, '2022-02-12', null, false]);
  });

  it('keeps the instant of a datetime with an offset, and its calendar date as written', () => {
    // 01:23 in Tokyo is still the previous day in UTC.
    expect(flat({ start: '2022-02-25T01:23:00.000+09:00', end: null, time_zone: null })).toEqual(['2022-02-24T16:23:00.000Z', '2022-02-25', null, null, null, true]);
  });

  it('keeps the end and the time zone', () => {
    expect(flat({ start: '2024-03-10T09:00:00.000-05:00', end: '2024-03-10T12:30:00.000-04:00', time_zone: 'America/New_York' })).toEqual([
      '2024-03-10T14:00:00.000Z',
      '2024-03-10',
      '2024-03-10T16:30:00.000Z',
      '2024-03-10',
      'America/New_York',
      true,
    ]);
  });

  it('reads a datetime without offset as a wall clock in its time zone', () => {
    expect(toInstant('2024-07-01T09:00:00.000', 'Europe/Berlin')).toBe('2024-07-01T07:00:00.000Z');
    expect(toInstant('2024-01-15T09:00:00.000', 'Europe/Berlin')).toBe('2024-01-15T08:00:00.000Z');
    expect(toInstant('2024-01-15T09:00:00.000')).toBe('2024-01-15T09:00:00.000Z');
    expect(toInstant('2024-01-15')).toBeUndefined();
  });

  it('a null date gives nulls in every date column', () => {
    expect(flat(null)).toEqual([null, null, null, null, null, null]);
  });
});

describe('formulas and rollups', () => {
  const ds = tinySource({
    Score: { id: 's', type: 'formula', formula: { expression: 'x' } },
    Latest: { id: 'l', type: 'rollup', rollup: { function: 'latest_date', relation_property_id: 'r', rollup_property_id: 'd' } },
    Odd: { id: 'o', type: 'rollup', rollup: { function: 'count_per_group', relation_property_id: 'r', rollup_property_id: 'd' } },
  });
  const page = (id: string, score: Json, extra: Record<string, PropertyValue> = {}) =>
    tinyPage(id, { Score: { id: 's', type: 'formula', formula: score }, ...extra });

  it('lets the first value with a result type decide, and names the column when a later value has another type', () => {
    const spec = tableSpec(ds);
    expect(flattenPage(spec, tinyPage('p0', {}))).not.toHaveProperty('score'); // no value: nothing decides
    expect(spec.version).toBe(0);
    expect(flattenPage(spec, page('p1', { type: 'number', number: null })).score).toBeNull(); // an empty number still says "number"
    expect(spec.version).toBe(1);
    expect(typeOf(spec, 'score')).toEqual({ kind: 'NUMBER' });
    expect(flattenPage(spec, page('p2', { type: 'number', number: 4.5 })).score).toBe(4.5);
    expect(spec.version).toBe(1);
    expect(flattenPage(spec, page('p3', { type: 'string', string: null })).score).toBeNull(); // a null carries nothing to convert
    let err: unknown;
    try {
      flattenPage(spec, page('p4', { type: 'string', string: '4.5' }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FlattenError);
    expect((err as FlattenError).column).toBe('score');
    expect((err as FlattenError).table).toBe('tiny');
    expect((err as Error).message).toMatch(/Table "tiny", column "score" \(Notion property "Score", formula\), page p4/);
  });

  it('an empty rollup of an unknown function is typed by the result type Notion names', () => {
    const spec = tableSpec(ds);
    const row = flattenPage(spec, page('p', null, { Odd: { id: 'o', type: 'rollup', rollup: { type: 'number', number: null, function: 'count_per_group' } } }));
    expect(row.odd).toBeNull();
    expect(typeOf(spec, 'odd')).toEqual({ kind: 'NUMBER' });
    expect(flattenPage(spec, page('q', null, { Odd: { id: 'o', type: 'rollup', rollup: { type: 'number', number: 7, function: 'count_per_group' } } })).odd).toBe(7);
    expect(() => flattenPage(spec, page('r', null, { Odd: { id: 'o', type: 'rollup', rollup: { type: 'string', string: 'x', function: 'count_per_group' } } }))).toThrow(
      /column "odd" \(Notion property "Odd", rollup\)/,
    );
  });

  it('a date formula gets the date columns', () => {
    const spec = tableSpec(ds);
    const row = flattenPage(spec, page('p', { type: 'date', date: { start: '2025-09-08T03:52:00.000+00:00', end: null, time_zone: null } }));
    expect(dateColumns(row, 'score')).toEqual(['2025-09-08T03:52:00.000Z', '2025-09-08', null, null, null, true]);
    expect(typeOf(spec, 'score')).toEqual({ kind: 'DATE' });
  });

  it('types a rollup by its function, and an unknown function by its first value', () => {
    const spec = tableSpec(ds);
    expect(typeOf(spec, 'latest')).toEqual({ kind: 'DATE' });
    expect(undecidedProperties(spec).map((p) => p.name).sort()).toEqual(['Odd', 'Score']);
    const row = flattenPage(
      spec,
      page('p', null, {
        Latest: { id: 'l', type: 'rollup', rollup: { type: 'date', date: { start: '2024-01-02', end: null, time_zone: null }, function: 'latest_date' } },
        Odd: { id: 'o', type: 'rollup', rollup: { type: 'array', array: [{ type: 'number', number: 1 }], function: 'count_per_group' } },
      }),
    );
    expect(dateColumns(row, 'latest')).toEqual([null, '2024-01-02', null, null, null, false]);
    expect(row.odd).toEqual([{ type: 'number', value: '1', json: null }]);
    expect(typeOf(spec, 'odd')).toEqual({ kind: 'LIST', items: { kind: 'JSON' } });
    expect(() =>
      flattenPage(spec, page('q', null, { Latest: { id: 'l', type: 'rollup', rollup: { type: 'number', number: 3, function: 'latest_date' } } })),
    ).toThrow(/column "latest"/);
  });

  it('after freezing, an undecided formula is STRING and a number is an error', () => {
    const spec = tableSpec(ds);
    const warnings: string[] = [];
    spec.onWarning = (m) => warnings.push(m);
    freezeSpec(spec);
    expect(typeOf(spec, 'score')).toEqual({ kind: 'STRING' });
    expect(warnings.some((w) => w.includes('"Score"'))).toBe(true);
    expect(() => flattenPage(spec, page('p', { type: 'number', number: 1 }))).toThrow(FlattenError);
  });
});

describe('unknown property types', () => {
  it('keeps the raw value in a JSON column and warns once per table', () => {
    const ds = tinySource({ Mood: { id: 'm', type: 'sentiment', sentiment: { scale: 5 } } });
    const warnings: string[] = [];
    const spec = tableSpec(ds, { onWarning: (m) => warnings.push(m) });
    const value = { score: 4, label: 'good', nested: [1, { a: null }] };
    const rows = [1, 2, 3].map((n) => flattenPage(spec, tinyPage(`p${n}`, { Mood: { id: 'm', type: 'sentiment', sentiment: value } })));
    expect(schemaMessage(spec).schema.properties.mood).toEqual({ type: ['null', 'object', 'array', 'string', 'number', 'boolean'], 'x-json': true, description: 'Mood' });
    for (const row of rows) expect(row.mood).toEqual(value);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/"Mood".*"sentiment"/);
    // A null value is SQL NULL: the key is left out.
    expect(flattenPage(spec, tinyPage('p4', { Mood: { id: 'm', type: 'sentiment', sentiment: null } }))).not.toHaveProperty('mood');
  });
});

describe('recorded Notion pages', () => {
  const ds = fixture('retrieve_data_source_data_source.json') as NotionDataSource;
  const pages = ['query_data_source_limit_2.json', 'query_data_source_next_2.json', 'query_data_source_last_2.json'].flatMap(
    (f) => fixture(f).results as NotionPage[],
  );

  it('flatten without loss: every property present as a column, values as recorded', () => {
    const warnings: string[] = [];
    const { spec, rows } = flattenAll(ds, pages, warnings);
    expect(rows).toHaveLength(5);
    const columns = new Set(tableColumns(spec).map((c) => c.name));
    for (const page of pages) {
      for (const [name, pv] of Object.entries(page.properties)) {
        const prop = spec.properties.find((p) => p.name === name);
        expect(prop, name).toBeDefined();
        if (pv.type !== 'button') expect(prop!.columns.length, name).toBeGreaterThan(0);
        for (const c of prop!.columns) expect(columns.has(c.name)).toBe(true);
      }
    }
    // The page property the schema lacks is kept as raw JSON, with one warning.
    const extra = spec.properties.find((p) => p.name === 'Related to New database title (Relation) 1')!;
    expect(extra.inSchema).toBe(false);
    expect(extra.columns.map((c) => c.type)).toEqual([{ kind: 'JSON' }]);
    expect(warnings.filter((w) => w.includes('Related to New database title (Relation) 1'))).toHaveLength(1);
    expect(warnings).toHaveLength(1);

    const abc = rows[pages.findIndex((p) => plainText(p.properties.Title!.title as Json[]) === 'ABC')]!;
    expect(abc.title).toBe('ABC');
    expect(abc.number_title).toBe(1.41421356);
    expect(abc.select_title).toBe('Select 3');
    expect(abc.status_title).toBe('In progress');
    expect(abc.multi_select_title).toEqual([
      { id: '5f554552-b77a-474b-b5c7-4ae819966e32', name: 'Multi Select 2' },
      { id: '2a0eeeee-b3fd-4072-96a9-865f67cfa6ff', name: 'Multi Select 1' },
    ]);
    expect(dateColumns(abc, 'date_title')).toEqual(['2022-02-24T16:23:00.000Z', '2022-02-25', null, null, null, true]);
    expect(abc.relation_title).toEqual(['860753bb-6d1f-48de-9621-1fa6e0e31f82']);
    expect(abc.rollup_title).toEqual([{ type: 'multi_select', value: 'Tag 1', json: null }]);
    expect([abc.formula_title, abc.formula_title_at]).toEqual(['2025-09-08', '2025-09-08T04:53:00.000Z']);
    expect(abc.user_title).toEqual([{ id: '2200a911-6a96-44bb-bd38-6bfb1e01b9f6', name: 'Hiroyuki KOBAYASHI', email: expect.any(String), type: 'person' }]);
    expect(abc.file_media_title).toEqual([
      { name: 'https://img.icons8.com/ios-filled/250/000000/mac-os.png', type: 'external', url: 'https://img.icons8.com/ios-filled/250/000000/mac-os.png', expiry_time: null },
    ]);
    expect(abc.tel_title).toBe('xx-xxxx-xxxx');
    expect(abc.checkbox_title).toBe(true);
    // "ID" meets the system column id, so it gets a readable suffix, the same in every table.
    const uid = base(spec, 'ID');
    expect(uid).toBe('id_property');
    expect(abc[uid]).toBe('ST-3');
    expect(abc[`${uid}_number`]).toBe(3);
    expect(abc.id).toBe('dcdc805c-85fa-4155-a55c-20fc28771af7');
    const dateOnly = rows[pages.findIndex((p) => plainText(p.properties.Title!.title as Json[]) === 'DEF')]!;
    expect(dateColumns(dateOnly, 'date_title')).toEqual([null, '2022-02-11', null, '2022-02-12', null, false]);
  });

  it('keeps the 26-item relation, once assembled into a page, as 26 ids', () => {
    const page = fixture('retrieve_page_with_many_relations.json') as NotionPage;
    const list = fixture('retrieve_property_relation_with_many_relations.json');
    const [name, truncated] = Object.entries(page.properties).find(([, v]) => v.type === 'relation')!;
    expect(truncated.relation).toHaveLength(25);
    const full = assembleProperty(truncated, list.results, list.property_item);
    const complete: NotionPage = { ...page, properties: { ...page.properties, [name]: full } };
    const schema: NotionDataSource = {
      object: 'data_source',
      id: 'ds',
      title: [],
      properties: Object.fromEntries(Object.entries(page.properties).map(([n, v]) => [n, { id: v.id, name: n, type: v.type, [v.type]: {} }])),
    };
    const spec = tableSpec(schema);
    const row = flattenPage(spec, complete);
    const ids = row[base(spec, name)] as string[];
    expect(ids).toHaveLength(26);
    expect(ids).toEqual(list.results.map((r: any) => r.relation.id));
    expect(new Set(ids).size).toBe(26);
    expect(row.in_trash).toBe(page.in_trash ?? page.archived);
  });

  it('reads in_trash first and falls back to archived', () => {
    const spec = tableSpec(tinySource({}));
    expect(flattenPage(spec, { ...tinyPage('a', {}), archived: true }).in_trash).toBe(true);
    expect(flattenPage(spec, { ...tinyPage('a', {}), archived: true, in_trash: false }).in_trash).toBe(false);
  });
});
