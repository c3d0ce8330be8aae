import { describe, expect, it } from 'vitest';
import { columnSchema, type SchemaMessage } from '../../../src/singer/messages.js';
import { RowEncoder } from '../../../src/sinks/bigquery/values.js';

const schema: SchemaMessage = {
  type: 'SCHEMA',
  stream: 'tasks',
  key_properties: ['id'],
  schema: {
    type: 'object',
    properties: {
      id: columnSchema({ kind: 'STRING' }),
      due: columnSchema({ kind: 'TIMESTAMP' }),
      due_date: columnSchema({ kind: 'DATE' }),
      n: columnSchema({ kind: 'INTEGER' }),
      x: columnSchema({ kind: 'NUMBER' }),
      ok: columnSchema({ kind: 'BOOLEAN' }),
      raw: columnSchema({ kind: 'JSON' }),
      tags: columnSchema({ kind: 'LIST', items: { kind: 'STRING' } }),
      title: columnSchema({ kind: 'STRING' }),
    },
  },
};

const encode = (record: Record<string, unknown>) => JSON.parse(new RowEncoder(schema).encode(record));

describe('RowEncoder', () => {
  it('writes each type in the form a load accepts', () => {
    expect(
      encode({ id: 'a', due: '2024-01-02T10:00:00.000Z', due_date: '2024-01-02', n: 42, x: '1.5', ok: false, raw: { a: [1, 'b'] }, tags: ['p', 'q'], title: 7 }),
    ).toEqual({ id: 'a', due: '2024-01-02T10:00:00.000Z', due_date: '2024-01-02', n: 42, x: 1.5, ok: false, raw: { a: [1, 'b'] }, tags: ['p', 'q'], title: '7' });
  });

  it('keeps JSON values raw, never a string holding JSON', () => {
    const line = new RowEncoder(schema).encode({ raw: { a: 1 } });
    expect(line).toBe('{"raw":{"a":1}}');
    expect(encode({ raw: 'text' })).toEqual({ raw: 'text' });
  });

  it('omits null values (SQL NULL), including JSON null', () => {
    expect(encode({ id: 'a', due: null, raw: null, tags: null })).toEqual({ id: 'a' });
  });

  it('sends integers past 2^53 as strings, exact', () => {
    expect(encode({ n: 2 ** 60 })).toEqual({ n: '1152921504606846976' });
    expect(encode({ n: '9007199254740993' })).toEqual({ n: '9007199254740993' });
  });

  it('drops null elements of REPEATED columns and counts them', () => {
    const encoder = new RowEncoder(schema);
    expect(JSON.parse(encoder.encode({ tags: ['a', null, 'b'] }))).toEqual({ tags: ['a', 'b'] });
    expect(encoder.stats.droppedNullElements).toBe(1);
  });

  it('refuses a date-only TIMESTAMP, naming the table, column and row', () => {
    expect(() => encode({ id: 'p1', due: '2024-01-02' })).toThrow(/Table "tasks", column "due", row "p1": the date-only value "2024-01-02" cannot be a TIMESTAMP/);
  });

  it('refuses values of the wrong type and columns the SCHEMA lacks', () => {
    expect(() => encode({ n: 1.5 })).toThrow(/column "n".*expected an integer/);
    expect(() => encode({ due_date: '2024-01-02T00:00:00Z' })).toThrow(/expected a date/);
    expect(() => encode({ ok: 'yes' })).toThrow(/expected true or false/);
    expect(() => encode({ nope: 1 })).toThrow(/has the column "nope", which its SCHEMA does not declare/);
  });

  it('adds extra columns (the merge sequence) after the record', () => {
    expect(JSON.parse(new RowEncoder(schema).encode({ id: 'a' }, { _ns_seq: 3 }))).toEqual({ id: 'a', _ns_seq: 3 });
  });
});
