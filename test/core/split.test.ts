import { describe, expect, it } from 'vitest';
import { MessageSplitter, splitRecord, splitSchema } from '../../src/core/split.js';
import type { ColumnSchema, RecordMessage, SchemaMessage, SingerMessage } from '../../src/singer/messages.js';

const str: ColumnSchema = { type: ['null', 'string'] };
const obj = (properties: Record<string, ColumnSchema>): ColumnSchema => ({ type: ['null', 'object'], properties });

export const tasksSchema: SchemaMessage = {
  type: 'SCHEMA',
  stream: 'tasks',
  schema: {
    type: 'object',
    description: 'Tasks',
    properties: {
      id: str,
      name: { ...str, description: 'Name' },
      blocked_by: { type: ['null', 'array'], items: obj({ id: str }), description: 'Blocked by' },
      tags: { type: ['null', 'array'], items: obj({ id: str, name: str }), description: 'Tags' },
      assignees: { type: ['null', 'array'], items: obj({ id: str, name: str, email: str }), description: 'Assignees' },
      files: { type: ['null', 'array'], items: obj({ name: str, type: str, url: str }), description: 'Files & media' },
      scores: { type: ['null', 'array'], items: { type: ['null', 'number'] }, description: 'Scores' },
      meta: { 'x-json': true },
    },
  },
  key_properties: ['id'],
};

const record = (r: Record<string, unknown>): RecordMessage => ({ type: 'RECORD', stream: 'tasks', record: r });

describe('splitSchema', () => {
  it('moves list columns to child tables with _parent_id, _idx and the element fields', () => {
    const plan = splitSchema(tasksSchema);
    expect(Object.keys(plan.parent.schema.properties)).toEqual(['id', 'name', 'meta']);
    expect(plan.parent.key_properties).toEqual(['id']);
    expect(plan.children.map((c) => c.table)).toEqual(['tasks__blocked_by', 'tasks__tags', 'tasks__assignees', 'tasks__files', 'tasks__scores']);
    const byTable = Object.fromEntries(plan.children.map((c) => [c.table, c.schema]));
    expect(Object.keys(byTable.tasks__tags!.schema.properties)).toEqual(['_parent_id', '_idx', 'id', 'name']);
    expect(Object.keys(byTable.tasks__assignees!.schema.properties)).toEqual(['_parent_id', '_idx', 'id', 'name', 'email']);
    expect(Object.keys(byTable.tasks__files!.schema.properties)).toEqual(['_parent_id', '_idx', 'name', 'type', 'url']);
    expect(Object.keys(byTable.tasks__blocked_by!.schema.properties)).toEqual(['_parent_id', '_idx', 'id']);
    const scores = byTable.tasks__scores!;
    expect(scores.key_properties).toEqual(['_parent_id', '_idx']);
    expect(scores.schema.properties._idx!.type).toEqual(['null', 'integer']);
    expect(scores.schema.properties._parent_id!.type).toEqual(['null', 'string']);
    expect(scores.schema.properties.value!.type).toEqual(['null', 'number']);
    expect(scores.schema.properties.value!.description).toContain('Scores');
    expect(byTable.tasks__tags!.schema.properties.name!.description).toContain('Tags');
    expect(byTable.tasks__tags!.schema.description).toContain('"tags"');
  });

  it('leaves a table without list columns as it is', () => {
    const s: SchemaMessage = { type: 'SCHEMA', stream: 'x', schema: { type: 'object', properties: { id: str } }, key_properties: ['id'] };
    expect(splitSchema(s)).toMatchObject({ parent: s, children: [] });
  });

  it('links children through the single key property when there is no id column', () => {
    const s: SchemaMessage = { type: 'SCHEMA', stream: 'x', schema: { type: 'object', properties: { key: { type: ['null', 'integer'] }, l: { type: ['null', 'array'], items: str } } }, key_properties: ['key'] };
    const plan = splitSchema(s);
    expect(plan.children[0]!.schema.schema.properties._parent_id!.type).toEqual(['null', 'integer']);
    expect(splitRecord(plan, { type: 'RECORD', stream: 'x', record: { key: 7, l: ['a'] } })[1]!.record).toEqual({ _parent_id: 7, _idx: 0, value: 'a' });
  });

  it('fails clearly when child rows could not be linked to their parent', () => {
    const s: SchemaMessage = { type: 'SCHEMA', stream: 'x', schema: { type: 'object', properties: { l: { type: ['null', 'array'], items: str } } }, key_properties: [] };
    expect(() => splitSchema(s)).toThrow(/no "id" column.*--arrays inline/);
  });
});

describe('MessageSplitter', () => {
  const full = record({
    id: 'p1',
    name: 'Write docs',
    blocked_by: [{ id: 'p2' }, { id: 'p3' }],
    tags: [{ id: 'o1', name: 'urgent' }, { id: 'o2', name: 'docs' }],
    assignees: [{ id: 'u1', name: 'Ada', email: 'ada@example.com' }],
    files: [{ name: 'a.pdf', type: 'file', url: 'https://x/a.pdf' }],
    scores: [1.5, null, 3],
    meta: { any: ['json'] },
  });

  it('emits child schemas after their parent schema and child records after their parent record', () => {
    const splitter = new MessageSplitter();
    const out = [tasksSchema, full, { type: 'STATE', value: { n: 1 } } as SingerMessage].flatMap((m) => splitter.push(m));
    expect(out.map((m) => `${m.type}:${m.type === 'STATE' ? '' : m.stream}`)).toEqual([
      'SCHEMA:tasks', 'SCHEMA:tasks__blocked_by', 'SCHEMA:tasks__tags', 'SCHEMA:tasks__assignees', 'SCHEMA:tasks__files', 'SCHEMA:tasks__scores',
      'RECORD:tasks', 'RECORD:tasks__blocked_by', 'RECORD:tasks__blocked_by', 'RECORD:tasks__tags', 'RECORD:tasks__tags',
      'RECORD:tasks__assignees', 'RECORD:tasks__files', 'RECORD:tasks__scores', 'RECORD:tasks__scores', 'RECORD:tasks__scores',
      'STATE:',
    ]);
    const records = out.filter((m): m is RecordMessage => m.type === 'RECORD');
    expect(records[0]!.record).toEqual({ id: 'p1', name: 'Write docs', meta: { any: ['json'] } });
    expect(records.filter((r) => r.stream === 'tasks__blocked_by').map((r) => r.record)).toEqual([
      { _parent_id: 'p1', _idx: 0, id: 'p2' },
      { _parent_id: 'p1', _idx: 1, id: 'p3' },
    ]);
    expect(records.filter((r) => r.stream === 'tasks__tags').map((r) => r.record)).toEqual([
      { _parent_id: 'p1', _idx: 0, id: 'o1', name: 'urgent' },
      { _parent_id: 'p1', _idx: 1, id: 'o2', name: 'docs' },
    ]);
    expect(records.find((r) => r.stream === 'tasks__assignees')!.record).toEqual({ _parent_id: 'p1', _idx: 0, id: 'u1', name: 'Ada', email: 'ada@example.com' });
    expect(records.find((r) => r.stream === 'tasks__files')!.record).toEqual({ _parent_id: 'p1', _idx: 0, name: 'a.pdf', type: 'file', url: 'https://x/a.pdf' });
    expect(records.filter((r) => r.stream === 'tasks__scores').map((r) => r.record)).toEqual([
      { _parent_id: 'p1', _idx: 0, value: 1.5 },
      { _parent_id: 'p1', _idx: 1, value: null },
      { _parent_id: 'p1', _idx: 2, value: 3 },
    ]);
  });

  it('gives no child rows for empty, null and missing lists, and drops the columns from the parent', () => {
    const splitter = new MessageSplitter();
    splitter.push(tasksSchema);
    const out = splitter.push(record({ id: 'p9', name: null, blocked_by: [], tags: null, files: [] }));
    expect(out).toEqual([record({ id: 'p9', name: null })]);
  });

  it('does not change the input record', () => {
    const splitter = new MessageSplitter();
    splitter.push(tasksSchema);
    const input = structuredClone(full);
    splitter.push(input);
    expect(input).toEqual(full);
  });

  it('keeps only the known fields of an element, null for missing ones', () => {
    const splitter = new MessageSplitter();
    splitter.push(tasksSchema);
    const out = splitter.push(record({ id: 'p1', assignees: [{ id: 'u2', object: 'user' }] }));
    expect(out[1]!).toEqual({ type: 'RECORD', stream: 'tasks__assignees', record: { _parent_id: 'p1', _idx: 0, id: 'u2', name: null, email: null } });
  });

  it('rejects a non-list value in a list column and a RECORD before its SCHEMA', () => {
    const splitter = new MessageSplitter();
    expect(() => splitter.push(full)).toThrow(/before its SCHEMA/);
    splitter.push(tasksSchema);
    expect(() => splitter.push(record({ id: 'p1', tags: 'urgent' }))).toThrow(expect.objectContaining({ code: 'invalid_message', message: expect.stringMatching(/column "tags" should hold a list/) }));
  });

  it('passes every message through untouched in inline mode', () => {
    const splitter = new MessageSplitter({ arrays: 'inline' });
    const input: SingerMessage[] = [tasksSchema, full, { type: 'STATE', value: 1 }];
    const out = input.flatMap((m) => splitter.push(m));
    expect(out).toEqual(input);
    expect(out[0]).toBe(tasksSchema);
  });

  it('rejects an unknown arrays mode', () => {
    expect(() => new MessageSplitter({ arrays: 'nested' as never })).toThrow(/"split" or "inline"/);
  });
});
