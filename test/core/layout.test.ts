/** Columns kept by property id across incremental runs: renames, additions, retypes, decided formulas. */
import { describe, expect, it } from 'vitest';
import { deletionRecord, flattenPage, freezeSpec, retypedProperties, schemaMessage, specLayout, tableSpec } from '../../src/core/flatten.js';
import type { JsonObject, NotionDataSource } from '../../src/notion/types.js';

function source(properties: Record<string, { id: string; type: string } & JsonObject>): NotionDataSource {
  const props: NotionDataSource['properties'] = {};
  for (const [name, p] of Object.entries(properties)) props[name] = { ...p, name, [p.type]: p[p.type] ?? {} };
  return { object: 'data_source', id: 'ds-1', title: [{ plain_text: 'Tiny' }], properties: props };
}

const columns = (ds: NotionDataSource, options = {}) => Object.keys(schemaMessage(tableSpec(ds, options)).schema.properties);

describe('layout (columns kept by property id)', () => {
  const before = source({ Name: { id: 'title', type: 'title' }, Score: { id: 'sc', type: 'number' }, Due: { id: 'du', type: 'date' } });
  const layout = specLayout(tableSpec(before));

  it('a renamed property keeps its column, described by its new name', () => {
    const after = source({ Name: { id: 'title', type: 'title' }, Points: { id: 'sc', type: 'number' }, Due: { id: 'du', type: 'date' } });
    expect(columns(after)).toContain('points'); // a fresh sync names it after the new name
    const schema = schemaMessage(tableSpec(after, { layout })).schema.properties;
    expect(schema.score).toMatchObject({ description: 'Points' });
    expect(schema.points).toBeUndefined();
  });

  it('a new property never takes the column of a removed one', () => {
    const after = source({ Name: { id: 'title', type: 'title' }, Score: { id: 'new', type: 'rich_text' } });
    const cols = columns(after, { layout });
    expect(cols).not.toContain('score');
    expect(cols.some((c) => c.startsWith('score_'))).toBe(true);
    expect(columns(after)).toContain('score');
  });

  it('a formula keeps the type decided from values in an earlier run, even when this run has no value', () => {
    const ds = source({ Name: { id: 'title', type: 'title' }, Calc: { id: 'ca', type: 'formula' } });
    const first = tableSpec(ds);
    flattenPage(first, {
      object: 'page', id: 'p1', created_time: '2024-01-01T00:00:00.000Z', last_edited_time: '2024-01-01T00:00:00.000Z', parent: {},
      properties: { Calc: { id: 'ca', type: 'formula', formula: { type: 'number', number: 3 } } },
    });
    freezeSpec(first);
    const again = tableSpec(ds, { layout: specLayout(first) });
    freezeSpec(again);
    expect(schemaMessage(again).schema.properties.calc).toMatchObject({ type: ['null', 'number'] });
    const fresh = tableSpec(ds);
    freezeSpec(fresh);
    expect(schemaMessage(fresh).schema.properties.calc).toMatchObject({ type: ['null', 'string'] });
  });

  it('retypedProperties reports a type change, and a rollup whose function changes its shape', () => {
    const after = source({ Name: { id: 'title', type: 'title' }, Score: { id: 'sc', type: 'rich_text' }, Due: { id: 'du', type: 'date' } });
    expect(retypedProperties(layout, after)).toEqual([{ name: 'Score', from: 'number', to: 'rich_text' }]);
    expect(retypedProperties(layout, before)).toEqual([]);
    const roll = (fn: string) => source({ R: { id: 'r', type: 'rollup', rollup: { function: fn } } });
    expect(retypedProperties(specLayout(tableSpec(roll('sum'))), roll('average'))).toEqual([]);
    expect(retypedProperties(specLayout(tableSpec(roll('sum'))), roll('show_original'))).toHaveLength(1);
  });

  it('a retyped property keeps its column name when its new columns are free (its table is rebuilt, or the type change reported)', () => {
    const after = source({ Name: { id: 'title', type: 'title' }, Points: { id: 'sc', type: 'rich_text' }, Due: { id: 'du', type: 'date' } });
    const cols = columns(after, { layout });
    expect(cols).toContain('score');
    expect(cols).not.toContain('points');
    expect(schemaMessage(tableSpec(after, { layout })).schema.properties.score).toMatchObject({ type: ['null', 'string'], description: 'Points' });
  });

  it('incremental tables have _deleted_at; a deletion record carries only id and _deleted_at', () => {
    expect(columns(before, { deletions: true })).toContain('_deleted_at');
    expect(columns(before)).not.toContain('_deleted_at');
    expect(deletionRecord('p1', '2024-01-01T00:00:00.000Z')).toEqual({ id: 'p1', _deleted_at: '2024-01-01T00:00:00.000Z' });
  });
});
