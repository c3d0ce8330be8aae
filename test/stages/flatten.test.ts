import { readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { FlattenError } from '../../src/core/flatten.js';
import { shortHash } from '../../src/core/names.js';
import { allTypesWorkspace } from '../../src/emulator/generate.js';
import { WorkspaceLookup } from '../../src/emulator/lookup.js';
import { Renderer } from '../../src/emulator/render.js';
import type { Workspace } from '../../src/emulator/workspace.js';
import type { Json, NotionDataSource, NotionPage, PropertyValue } from '../../src/notion/types.js';
import type { SchemaMessage, SingerMessage } from '../../src/singer/messages.js';
import { createFlattener, flattenStream } from '../../src/stages/flatten.js';
import { splitStream } from '../../src/stages/split.js';
import type { PageStreamItem } from '../../src/stages/read-pages.js';

const FIXTURES = new URL('../fixtures/notion-recorded/', import.meta.url);
const fixture = (name: string): any => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

function recordedItems(): PageStreamItem[] {
  const ds = fixture('retrieve_data_source_data_source.json') as NotionDataSource;
  const pages = ['query_data_source_limit_2.json', 'query_data_source_next_2.json', 'query_data_source_last_2.json'].flatMap((f) => fixture(f).results as NotionPage[]);
  return [ds, ...pages];
}

/** What `notion-stream pages` prints for the shared data sources of a workspace. */
function workspaceItems(ws: Workspace): PageStreamItem[] {
  const r = new Renderer(new WorkspaceLookup(ws));
  const out: PageStreamItem[] = [];
  for (const ds of ws.dataSources.filter((d) => d.shared)) {
    out.push(r.dataSource(ds) as unknown as NotionDataSource);
    for (const p of ws.pages.filter((x) => x.data_source_id === ds.id && !x.in_trash)) {
      const page = r.page(p) as unknown as NotionPage;
      for (const [name, v] of Object.entries(p.properties)) page.properties[name] = r.propertyValue(p, name, v, false, 0) as PropertyValue;
      out.push(page);
    }
  }
  return out;
}

async function collect(source: AsyncIterable<SingerMessage>): Promise<SingerMessage[]> {
  const out: SingerMessage[] = [];
  for await (const m of source) out.push(m);
  return out;
}

/** Checks the Singer order: every RECORD after a SCHEMA of its stream, with only columns of that SCHEMA. */
function checkOrder(messages: SingerMessage[]): Map<string, SchemaMessage[]> {
  const schemas = new Map<string, SchemaMessage[]>();
  for (const m of messages) {
    if (m.type === 'SCHEMA') schemas.set(m.stream, [...(schemas.get(m.stream) ?? []), m]);
    else if (m.type === 'RECORD') {
      const current = schemas.get(m.stream)?.at(-1);
      expect(current, `RECORD of ${m.stream} before its SCHEMA`).toBeDefined();
      for (const k of Object.keys(m.record)) expect(current!.schema.properties, `${m.stream}.${k}`).toHaveProperty(k);
    }
  }
  return schemas;
}

function tiny(id: string, title: string, properties: NotionDataSource['properties'] = {}): NotionDataSource {
  return { object: 'data_source', id, title: [{ plain_text: title }], properties };
}

function page(id: string, dsId: string, properties: Record<string, PropertyValue> = {}): NotionPage {
  return {
    object: 'page',
    id,
    created_time: '2024-01-01T00:00:00.000Z',
    last_edited_time: '2024-01-01T00:00:00.000Z',
    parent: { type: 'data_source_id', data_source_id: dsId },
    properties,
  };
}

const formulaSchema = { Score: { id: 's', name: 'Score', type: 'formula', formula: { expression: 'x' } } };
const score = (v: Json): Record<string, PropertyValue> => ({ Score: { id: 's', type: 'formula', formula: v } });

describe('flatten stage', () => {
  it('over Readable.from(fixtures) emits SCHEMA before RECORDs for each table, one SCHEMA per table', async () => {
    const items = [...recordedItems(), ...workspaceItems(allTypesWorkspace())];
    const messages: SingerMessage[] = [];
    const warnings: string[] = [];
    await pipeline(
      Readable.from(items),
      createFlattener({ onWarning: (m) => warnings.push(m) }),
      new Writable({ objectMode: true, highWaterMark: 4, write(m, _e, cb) { messages.push(m); cb(); } }),
    );
    const schemas = checkOrder(messages);
    expect([...schemas.keys()]).toEqual(['sample_table', 'projects', 'tasks', 'archive']);
    for (const list of schemas.values()) expect(list).toHaveLength(1);
    const pages = items.filter((i) => i.object === 'page');
    const records = messages.filter((m) => m.type === 'RECORD');
    expect(records.map((r) => r.record.id)).toEqual(pages.map((p) => p.id));
    // The tasks' formulas were typed by their values before the SCHEMA went out.
    const tasks = schemas.get('tasks')![0]!.schema.properties;
    expect(tasks.budget_per_hour!.type).toEqual(['null', 'number']);
    expect(tasks.over_budget!.type).toEqual(['null', 'boolean']);
    expect(tasks.review_date!.format).toBe('date');
    expect(warnings).toHaveLength(1); // the recorded page property missing from the recorded schema
  });

  it('describes the fields of option, people and file lists, so the splitter gives them one column per field', async () => {
    const messages = await collect(splitStream(flattenStream(workspaceItems(allTypesWorkspace()))));
    const schema = (stream: string) => (messages.find((m) => m.type === 'SCHEMA' && m.stream === stream) as SchemaMessage).schema.properties;
    expect(Object.keys(schema('projects__tags'))).toEqual(['_parent_id', '_idx', 'id', 'name']);
    expect(Object.keys(schema('projects__owners'))).toEqual(['_parent_id', '_idx', 'id', 'name', 'email', 'type']);
    expect(Object.keys(schema('projects__attachments'))).toEqual(['_parent_id', '_idx', 'name', 'type', 'url', 'expiry_time']);
    expect(Object.keys(schema('projects__tasks'))).toEqual(['_parent_id', '_idx', 'value']);
    const sixtyOwners = messages.filter((m) => m.type === 'RECORD' && m.stream === 'projects__owners');
    expect(sixtyOwners.length).toBeGreaterThan(30);
  });

  it('holds records until a formula has a value, then sends its SCHEMA with the decided type', async () => {
    const items: PageStreamItem[] = [
      tiny('ds1', 'T', formulaSchema),
      page('p1', 'ds1', score({ type: 'number', number: null })),
      page('p2', 'ds1', score({ type: 'number', number: 7 })),
      page('p3', 'ds1', score({ type: 'number', number: 8 })),
    ];
    const messages = await collect(flattenStream(items));
    expect(messages.map((m) => (m.type === 'RECORD' ? m.record.id : m.type))).toEqual(['SCHEMA', 'p1', 'p2', 'p3']);
    expect((messages[0] as SchemaMessage).schema.properties.score).toEqual({ type: ['null', 'number'], description: 'Score' });
  });

  it('buffers at most decideWithin pages, then types a still-empty formula as STRING', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<PageStreamItem> {
      yield tiny('ds1', 'T', formulaSchema);
      for (let i = 0; i < 10; i++) {
        pulled++;
        yield page(`p${i}`, 'ds1', {}); // no formula value at all: nothing tells the result type
      }
    }
    const warnings: string[] = [];
    const gen = flattenStream(source(), { decideWithin: 3, onWarning: (m) => warnings.push(m) });
    const first = (await gen.next()).value as SchemaMessage;
    expect(first.type).toBe('SCHEMA');
    expect(pulled).toBe(3);
    expect(first.schema.properties.score).toEqual({ type: ['null', 'string'], description: 'Score' });
    expect(warnings.join('\n')).toMatch(/"Score"/);
    const rest = await collect(gen);
    expect(rest.filter((m) => m.type === 'RECORD')).toHaveLength(10);
  });

  it('fails naming the table and column when a formula changes type', async () => {
    const items: PageStreamItem[] = [
      tiny('ds1', 'Scores', formulaSchema),
      page('p1', 'ds1', score({ type: 'number', number: 1 })),
      page('p2', 'ds1', score({ type: 'string', string: 'one' })),
    ];
    const err = await collect(flattenStream(items)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlattenError);
    expect((err as FlattenError).message).toMatch(/Table "scores", column "score"/);
  });

  it('sends an extended SCHEMA before a record that brings a property the schema lacks', async () => {
    const items: PageStreamItem[] = [
      tiny('ds1', 'T', { Name: { id: 'title', name: 'Name', type: 'title', title: {} } }),
      page('p1', 'ds1', { Name: { id: 'title', type: 'title', title: [{ plain_text: 'a' }] } }),
      page('p2', 'ds1', { Name: { id: 'title', type: 'title', title: [] }, Late: { id: 'z', type: 'number', number: 5 } }),
    ];
    const warnings: string[] = [];
    const messages = await collect(flattenStream(items, { onWarning: (m) => warnings.push(m) }));
    expect(messages.map((m) => (m.type === 'RECORD' ? m.record.id : m.type))).toEqual(['SCHEMA', 'p1', 'SCHEMA', 'p2']);
    checkOrder(messages);
    expect((messages[2] as SchemaMessage).schema.properties.late).toEqual({ type: ['null', 'object', 'array', 'string', 'number', 'boolean'], 'x-json': true, description: 'Late' });
    expect(messages[3]).toMatchObject({ record: { late: 5 } });
    expect(warnings).toHaveLength(1);
  });

  it('emits the SCHEMA of a data source without pages, and keeps table names unique', async () => {
    const warnings: string[] = [];
    const messages = await collect(
      flattenStream([tiny('aaaa', 'Tasks'), tiny('bbbb', 'Tasks'), tiny('cccc', 'Other'), page('p', 'cccc')], {
        onWarning: (m) => warnings.push(m),
        tableNames: { cccc: 'renamed' },
      }),
    );
    expect(messages.map((m) => m.type === 'SCHEMA' && m.stream)).toEqual(['tasks', `tasks_${shortHash('bbbb')}`, 'renamed', false]);
    expect(messages[3]).toMatchObject({ type: 'RECORD', stream: 'renamed', record: { id: 'p', data_source_id: 'cccc' } });
    expect(warnings).toEqual([expect.stringContaining('--table bbbb=<name>')]);
  });

  it('rejects input that is not what `pages` prints', async () => {
    await expect(collect(flattenStream([page('p', 'x')]))).rejects.toMatchObject({ code: 'invalid_message', message: expect.stringMatching(/before any data source/) });
    await expect(collect(flattenStream([{ object: 'block' } as never]))).rejects.toMatchObject({ code: 'invalid_message' });
    await expect(collect(flattenStream([tiny('a', 'A'), tiny('a', 'B')]))).rejects.toMatchObject({ code: 'invalid_message' });
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    async function* endless(): AsyncGenerator<PageStreamItem> {
      yield tiny('ds1', 'T');
      for (let i = 0; ; i++) {
        if (i === 50) controller.abort();
        yield page(`p${i}`, 'ds1');
      }
    }
    await expect(collect(flattenStream(endless(), { signal: controller.signal }))).rejects.toMatchObject({ code: 'aborted' });
  });
});
