import { describe, expect, it } from 'vitest';
import { ColumnNamer, isValidColumnName, RESERVED_PREFIXES, shortHash, snakeName, tableName, type NameRequest } from '../../src/core/names.js';

const SYSTEM = ['id', 'url', 'created_time', 'last_edited_time', 'created_by', 'last_edited_by', 'in_trash', 'data_source_id'];

const TRICKY: NameRequest[] = [
  { id: 'a%3D1', name: 'Status' },
  { id: 'b%3D2', name: 'status' },
  { id: 'c%3D3', name: 'Due date' },
  { id: 'd%3D4', name: 'due_date' },
  { id: 'e%3D5', name: '📅' },
  { id: 'f%3D6', name: '' },
  { id: 'g%3D7', name: 'a.b/c?' },
  { id: 'h%3D8', name: 'x'.repeat(400) },
  { id: 'i%3D9', name: '_TABLE_SUFFIX' },
  { id: 'j%3D0', name: '2024 goals' },
  { id: 'k%3D1', name: '_PARTITIONTIME' },
  { id: 'l%3D2', name: 'ID' },
  { id: 'm%3D3', name: 'Größe & Café' },
  { id: 'n%3D4', name: 'MultiSelectTitle' },
];

function names(requests: NameRequest[]): Map<string, string> {
  return new ColumnNamer(SYSTEM).nameAll(requests);
}

describe('snakeName', () => {
  it('lowercases, splits camelCase, strips accents and drops the rest', () => {
    expect(snakeName('Due date')).toBe('due_date');
    expect(snakeName('MultiSelectTitle')).toBe('multi_select_title');
    expect(snakeName('File&MediaTitle')).toBe('file_media_title');
    expect(snakeName('Größe & Café')).toBe('grosse_cafe');
    expect(snakeName('Ærø Łódź')).toBe('aero_lodz');
    expect(snakeName('名前')).toBe('');
    expect(snakeName('📅')).toBe('');
  });
});

describe('ColumnNamer', () => {
  it('gives every tricky name a valid column name, unique without regard to case, also against the system columns', () => {
    const out = names(TRICKY);
    const all = [...SYSTEM, ...out.values()];
    for (const n of out.values()) expect(isValidColumnName(n), n).toBe(true);
    expect(new Set(all.map((n) => n.toLowerCase())).size).toBe(all.length);
  });

  it('names each case as documented', () => {
    const out = names(TRICKY);
    // The lowest property id keeps the plain name; the other gets a suffix from its own id.
    expect(out.get('a%3D1')).toBe('status');
    expect(out.get('b%3D2')).toBe(`status_${shortHash('b=2')}`);
    expect(out.get('c%3D3')).toBe('due_date');
    expect(out.get('d%3D4')).toBe(`due_date_${shortHash('d=4')}`);
    expect(out.get('e%3D5')).toBe(`col_${shortHash('e=5')}`);
    expect(out.get('f%3D6')).toBe(`col_${shortHash('f=6')}`);
    expect(out.get('g%3D7')).toBe('a_b_c');
    expect(out.get('h%3D8')!.length).toBeLessThanOrEqual(300);
    expect(out.get('h%3D8')).toMatch(/^x+$/);
    expect(out.get('i%3D9')).toBe('table_suffix');
    expect(out.get('j%3D0')).toBe('_2024_goals');
    expect(out.get('k%3D1')).toBe('partitiontime');
    expect(out.get('l%3D2')).toBe('id_property'); // "ID" meets the system column id: a readable suffix, the same in every table
    expect(out.get('m%3D3')).toBe('grosse_cafe');
    expect(out.get('n%3D4')).toBe('multi_select_title');
    for (const n of out.values()) for (const p of RESERVED_PREFIXES) expect(n.toUpperCase().startsWith(p)).toBe(false);
  });

  it('gives the same names whatever the order of the properties', () => {
    const forward = names(TRICKY);
    const backward = names([...TRICKY].reverse());
    const shuffled = names([...TRICKY.slice(7), ...TRICKY.slice(0, 7)]);
    expect([...backward.entries()].sort()).toEqual([...forward.entries()].sort());
    expect([...shuffled.entries()].sort()).toEqual([...forward.entries()].sort());
  });

  it('treats URL-encoded and raw property ids alike', () => {
    const a = new ColumnNamer().nameAll([{ id: 'x', name: 'A' }, { id: '%3CnJT', name: 'a' }]);
    const b = new ColumnNamer().nameAll([{ id: 'x', name: 'A' }, { id: '<nJT', name: 'a' }]);
    expect(a.get('%3CnJT')).toBe(b.get('<nJT'));
  });

  it('keeps derived columns free: a date "Due" (due, due_date, ...) and a property "Due date" do not collide', () => {
    const namer = new ColumnNamer();
    const out = namer.nameAll([
      { id: '1', name: 'Due', suffixes: ['', '_date', '_end'] },
      { id: '2', name: 'Due date' },
    ]);
    expect(out.get('1')).toBe('due');
    expect(out.get('2')).toBe(`due_date_${shortHash('2')}`);
    expect(namer.has('DUE_END')).toBe(true);
  });

  it('keeps a 400-character name with its suffixes within 300 characters', () => {
    const namer = new ColumnNamer();
    const suffixes = ['', '_date_is_datetime'];
    const first = namer.claim({ id: '1', name: 'y'.repeat(400), suffixes });
    const second = namer.claim({ id: '2', name: 'Y'.repeat(400), suffixes });
    for (const base of [first, second]) for (const s of suffixes) expect(isValidColumnName(base + s)).toBe(true);
    expect(second).not.toBe(first);
  });

  it('falls back to a numbered suffix only when even the hashed name is taken', () => {
    const namer = new ColumnNamer();
    namer.reserve([`a_${shortHash('2')}`, 'a']);
    expect(namer.claim({ id: '2', name: 'A' })).toBe(`a_${shortHash('2')}_2`);
  });

  it('a name meeting a system column gets _property, then the hash when that is taken too', () => {
    const namer = new ColumnNamer(['url', 'created_by']);
    expect(namer.claim({ id: '1', name: 'URL' })).toBe('url_property');
    expect(namer.claim({ id: '2', name: 'url' })).toBe(`url_${shortHash('2')}`);
    // A date "Created" does not meet created_by; a user "Created by" (created_by, created_by_name, ...) does.
    expect(namer.claim({ id: '3', name: 'Created by', suffixes: ['', '_name', '_email', '_type'] })).toBe('created_by_property');
    // Two tables name their "URL" alike.
    expect(new ColumnNamer(['url']).claim({ id: 'zz', name: 'URL' })).toBe('url_property');
  });
});

describe('tableName', () => {
  it('is the snake_case title, or a stable hash of the id for an unusable title', () => {
    expect(tableName('Sample table', 'ds-1')).toBe('sample_table');
    expect(tableName('📋', '4f93db51-4e1d-4015-b07f-876e34c3b0b1')).toBe(`table_${shortHash('4f93db514e1d4015b07f876e34c3b0b1')}`);
    expect(tableName('📋', '4f93db514e1d4015b07f876e34c3b0b1')).toBe(tableName('📋', '4f93db51-4e1d-4015-b07f-876e34c3b0b1'));
    expect(tableName('2024 Roadmap', 'x')).toBe('_2024_roadmap');
  });

  it('takes an override keyed by the data source id, dashed or not', () => {
    const overrides = { '4f93db514e1d4015b07f876e34c3b0b1': 'samples' };
    expect(tableName('Sample table', '4f93db51-4e1d-4015-b07f-876e34c3b0b1', overrides)).toBe('samples');
    expect(tableName('Sample table', 'other', overrides)).toBe('sample_table');
  });

  it('rejects an override that is not a valid table name', () => {
    expect(() => tableName('T', 'abc', { abc: 'my table' })).toThrow(/--table abc=my table/);
    expect(() => tableName('T', 'abc', { abc: '_TABLE_x' })).toThrow(/reserved/);
  });
});
