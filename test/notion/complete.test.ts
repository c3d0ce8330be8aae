import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleProperty, sameId, truncatedProperties } from '../../src/notion/complete.js';
import type { JsonObject, NotionPage, PropertyValue, SchemaProperty } from '../../src/notion/types.js';

const recorded = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/notion-recorded/${name}`, import.meta.url), 'utf8'));

function page(properties: Record<string, PropertyValue>): NotionPage {
  return { object: 'page', id: 'p1', created_time: '2024-01-01T00:00:00.000Z', last_edited_time: '2024-01-01T00:00:00.000Z', parent: {}, properties };
}
const mention = { type: 'mention', mention: { type: 'user', user: { id: 'u' } }, plain_text: '@u', href: null };
const text = { type: 'text', text: { content: 'x', link: null }, plain_text: 'x', href: null };

describe('truncatedProperties', () => {
  const schema: Record<string, SchemaProperty> = {
    Total: { id: 'tot', name: 'Total', type: 'rollup', rollup: { function: 'sum', relation_property_id: '<nJT', rollup_property_id: 'x' } },
  };

  it('asks only where Notion can have truncated', () => {
    const p = page({
      Rel: { id: '%3CnJT', type: 'relation', relation: [{ id: 'a' }], has_more: true },
      RelShort: { id: 'r2', type: 'relation', relation: [{ id: 'a' }], has_more: false },
      People25: { id: 'pp', type: 'people', people: Array.from({ length: 25 }, (_, i) => ({ object: 'user', id: `u${i}` })) },
      People24: { id: 'pq', type: 'people', people: Array.from({ length: 24 }, (_, i) => ({ object: 'user', id: `u${i}` })) },
      Notes: { id: 'n', type: 'rich_text', rich_text: [...Array(25).fill(mention), text] },
      Fewer: { id: 'f', type: 'rich_text', rich_text: [...Array(24).fill(mention), ...Array(40).fill(text)] },
      Total: { id: 'tot', type: 'rollup', rollup: { type: 'number', number: 3, function: 'sum' } },
      Count: { id: 'cnt', type: 'number', number: 25 },
    });
    expect(truncatedProperties(p, schema).sort()).toEqual(['Notes', 'People25', 'Rel', 'Total']);
  });

  it('does not ask for a rollup whose relation is complete', () => {
    const p = page({
      Rel: { id: '%3CnJT', type: 'relation', relation: [], has_more: false },
      Total: { id: 'tot', type: 'rollup', rollup: { type: 'number', number: 0, function: 'sum' } },
    });
    expect(truncatedProperties(p, schema)).toEqual([]);
  });

  it('finds the truncated relation in the recorded page', () => {
    const p = recorded('retrieve_page_with_many_relations.json') as NotionPage;
    const names = truncatedProperties(p, undefined);
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(p.properties[n]!.type).toBe('relation');
  });
});

describe('assembleProperty', () => {
  it('rebuilds the recorded 26-item relation from its property items', () => {
    const list = recorded('retrieve_property_relation_with_many_relations.json');
    const prop: PropertyValue = { id: list.property_item.id, type: 'relation', relation: [], has_more: true };
    const full = assembleProperty(prop, list.results, list.property_item);
    expect(full.has_more).toBe(false);
    expect(full.relation).toHaveLength(26);
    expect((full.relation as JsonObject[])[0]).toEqual(list.results[0].relation);
  });

  it('rebuilds rich text from the recorded paginated items', () => {
    const list = recorded('retrieve_property_rich_text_limit_5.json');
    const full = assembleProperty({ id: 'x', type: 'rich_text', rich_text: [] }, list.results, list.property_item);
    expect(full.rich_text).toEqual(list.results.map((r: JsonObject) => r.rich_text));
  });

  it('turns an array rollup\'s property items into typed values', () => {
    const list = recorded('retrieve_property_rollup.json');
    const full = assembleProperty({ id: 'STe_', type: 'rollup', rollup: { type: 'array', array: [], function: 'show_original' } }, list.results, list.property_item);
    expect(full.rollup).toEqual({ type: 'array', function: 'show_original', array: [{ type: 'multi_select', multi_select: list.results[0].multi_select }] });
  });

  it('takes a calculated rollup from the last page, and refuses an incomplete one', () => {
    const prop: PropertyValue = { id: 'r', type: 'rollup', rollup: { type: 'number', number: 1, function: 'sum' } };
    expect(assembleProperty(prop, [], { rollup: { type: 'number', number: 99, function: 'sum' } }).rollup).toEqual({ type: 'number', number: 99, function: 'sum' });
    expect(() => assembleProperty(prop, [], { rollup: { type: 'incomplete', incomplete: {} } })).toThrow(/final value/);
  });
});

describe('sameId', () => {
  it('matches raw schema ids with URL-encoded page ids', () => {
    expect(sameId('<nJT', '%3CnJT')).toBe(true);
    expect(sameId('abc', 'abd')).toBe(false);
  });
});

describe('truncatedProperties on wide pages', () => {
  it('reads each property a bounded number of times, not once per rollup (linear in columns)', () => {
    const n = 200;
    const props: Record<string, PropertyValue> = {};
    const schema: Record<string, SchemaProperty> = {};
    for (let i = 0; i < n; i++) {
      props[`Rel ${i}`] = { id: `r%3C${i}`, type: 'relation', relation: [], has_more: i === 7 };
      props[`Roll ${i}`] = { id: `o${i}`, type: 'rollup', rollup: { type: 'number', number: 1, function: 'sum' } };
      schema[`Roll ${i}`] = { id: `o${i}`, name: `Roll ${i}`, type: 'rollup', rollup: { function: 'sum', relation_property_id: `r<${i}`, rollup_property_id: 'x' } };
    }
    let reads = 0;
    const counted = new Proxy(props, {
      get(target, key, receiver) {
        reads++;
        return Reflect.get(target, key, receiver);
      },
    });
    const names = truncatedProperties(page(counted), schema);
    expect(names).toEqual(['Rel 7', 'Roll 7']);
    expect(reads).toBeLessThanOrEqual(4 * 2 * n);
  });
});
