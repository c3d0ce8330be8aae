import { describe, expect, it } from 'vitest';
import { RunPlan } from '../../src/sinks/plan.js';
import type { ParentLink, SchemaMessage } from '../../src/singer/messages.js';

const str = { type: ['null', 'string'] };
function schema(stream: string, key: string[], columns: string[], extra: Partial<SchemaMessage> = {}): SchemaMessage {
  return { type: 'SCHEMA', stream, key_properties: key, schema: { type: 'object', properties: Object.fromEntries(columns.map((c) => [c, str])) }, ...extra };
}
const list = (stream: string): ParentLink => ({ stream, key: 'id', column: '_parent_id', kind: 'list' });

describe('RunPlan', () => {
  it('a list child goes with its parent: replaced whole (refresh) when the parent is, merged when it merges', () => {
    const plan = new RunPlan('merge');
    plan.schema(schema('a', ['id'], ['id'], { load_mode: 'replace' }));
    plan.schema(schema('b', ['id'], ['id', '_deleted_at']));
    expect(plan.schema(schema('x__tags', ['_parent_id', '_idx'], ['_parent_id', '_idx'], { parent: list('a') })).load).toBe('refresh');
    const child = plan.schema(schema('y', ['_parent_id', '_idx'], ['_parent_id', '_idx', '_deleted_at'], { parent: list('b') }));
    expect(child).toMatchObject({ load: 'merge', deletions: false, parent: { kind: 'list', streams: ['b'], key: 'id', column: '_parent_id' } });
    expect(plan.parents('y').map((p) => p.stream)).toEqual(['b']);
    expect(plan.get('b')!.deletions).toBe(true);
  });

  it('follows the explicit link, not the name; without a link a `_parent_id` table finds its parent by name (the longest)', () => {
    const plan = new RunPlan('merge');
    plan.schema(schema('a', ['id'], ['id'], { load_mode: 'replace' }));
    plan.schema(schema('a__b', ['id'], ['id']));
    expect(plan.schema(schema('a__b__c', ['_parent_id', '_idx'], ['_parent_id', '_idx'])).load).toBe('merge');
    expect(plan.parents('a__b__c').map((p) => p.stream)).toEqual(['a__b']);
    expect(plan.link('a__b__c')).toEqual({ kind: 'list', streams: ['a__b'], key: 'id', column: '_parent_id' });
    expect(plan.schema(schema('a__b__d', ['_parent_id', '_idx'], ['_parent_id', '_idx'], { parent: list('a') })).load).toBe('refresh');
    expect(plan.parents('a__b__d').map((p) => p.stream)).toEqual(['a']);
  });

  it('a scoped table keeps its own load, lists the parents of the run, and is finished first', () => {
    const plan = new RunPlan('merge');
    plan.schema(schema('docs', ['id'], ['id'], { load_mode: 'replace' }));
    const scope: ParentLink = { stream: ['docs', 'gone', 'notes'], key: 'id', column: 'page_id', kind: 'scope' };
    expect(plan.schema(schema('notion_blocks', ['id'], ['id', 'page_id'], { parent: scope })).load).toBe('merge');
    plan.schema(schema('notes', ['id'], ['id']));
    expect(plan.parents('notion_blocks').map((p) => p.stream)).toEqual(['docs', 'notes']);
    expect(plan.finishOrder().map((t) => t.stream)).toEqual(['notion_blocks', 'docs', 'notes']);
    expect(new RunPlan('replace').schema(schema('notion_blocks', ['id'], ['id', 'page_id'], { parent: scope })).load).toBe('replace');
  });

  it('checks a merge: a key, and a merged parent for a list child', () => {
    const plan = new RunPlan('merge');
    plan.schema(schema('nokey', [], ['id']));
    expect(() => plan.checkMerge('nokey')).toThrow(/needs a key: table nokey/);
    plan.schema(schema('lost__tags', ['_parent_id', '_idx'], ['_parent_id', '_idx']));
    expect(() => plan.checkMerge('lost__tags')).toThrow(/child table lost__tags has no parent table merged/);
  });

  it('refuses a malformed link in one line naming the stream', () => {
    const plan = new RunPlan('merge');
    const bad = (parent: unknown) => () => plan.schema(schema('t', ['id'], ['id', 'page_id'], { parent: parent as ParentLink }));
    expect(bad('docs')).toThrow(/stream "t" has a "parent" that is not an object/);
    expect(bad({ stream: 3, key: 'id', column: 'page_id', kind: 'scope' })).toThrow(/"parent.stream" must be a stream name/);
    expect(bad({ stream: 'd', key: 'id', column: 'nope', kind: 'scope' })).toThrow(/"parent.column" must name one of its own columns/);
    expect(bad({ stream: 'd', key: 'id', column: 'page_id', kind: 'tree' })).toThrow(/"parent.kind" must be "list" or "scope"/);
    expect(bad({ stream: ['a', 'b'], key: 'id', column: 'page_id', kind: 'list' })).toThrow(/a "list" parent names exactly one stream/);
  });
});
