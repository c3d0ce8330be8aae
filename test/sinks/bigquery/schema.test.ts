import { describe, expect, it } from 'vitest';
import { columnSchema, type SchemaMessage } from '../../../src/singer/messages.js';
import { bigQuerySchema, diffSchema } from '../../../src/sinks/bigquery/schema.js';
import { swapScript } from '../../../src/sinks/bigquery/sql.js';

function message(properties: SchemaMessage['schema']['properties'], stream = 't'): SchemaMessage {
  return { type: 'SCHEMA', stream, key_properties: ['id'], schema: { type: 'object', properties } };
}

describe('bigQuerySchema', () => {
  it('maps every warehouse type, with the original name as the description', () => {
    const fields = bigQuerySchema(
      message({
        id: columnSchema({ kind: 'STRING' }, 'ID'),
        at: columnSchema({ kind: 'TIMESTAMP' }),
        d: columnSchema({ kind: 'DATE' }),
        n: columnSchema({ kind: 'INTEGER' }),
        x: columnSchema({ kind: 'NUMBER' }),
        b: columnSchema({ kind: 'BOOLEAN' }),
        j: columnSchema({ kind: 'JSON' }),
        tags: columnSchema({ kind: 'LIST', items: { kind: 'STRING' } }, 'Tags 🏷'),
        nested: columnSchema({ kind: 'LIST', items: { kind: 'LIST', items: { kind: 'STRING' } } }),
      }),
    );
    expect(fields).toEqual([
      { name: 'id', type: 'STRING', mode: 'NULLABLE', description: 'ID' },
      { name: 'at', type: 'TIMESTAMP', mode: 'NULLABLE' },
      { name: 'd', type: 'DATE', mode: 'NULLABLE' },
      { name: 'n', type: 'INTEGER', mode: 'NULLABLE' },
      { name: 'x', type: 'FLOAT', mode: 'NULLABLE' },
      { name: 'b', type: 'BOOLEAN', mode: 'NULLABLE' },
      { name: 'j', type: 'JSON', mode: 'NULLABLE' },
      { name: 'tags', type: 'STRING', mode: 'REPEATED', description: 'Tags 🏷' },
      { name: 'nested', type: 'JSON', mode: 'NULLABLE' },
    ]);
  });

  it('cuts descriptions to 1,024 characters', () => {
    const [field] = bigQuerySchema(message({ a: columnSchema({ kind: 'STRING' }, 'x'.repeat(2000)) }));
    expect(field!.description).toHaveLength(1024);
  });

  it('refuses names BigQuery refuses, before any job', () => {
    expect(() => bigQuerySchema(message({ Status: {}, status: {} }))).toThrow(/"Status" and "status".*ignores case/);
    expect(() => bigQuerySchema(message({ _PARTITIONTIME: {} }))).toThrow(/prefix _PARTITION is reserved/);
    expect(() => bigQuerySchema(message({ 'a.b': {} }))).toThrow(/cannot be a BigQuery column name/);
    expect(() => bigQuerySchema(message({ a: {} }, 'my-table'))).toThrow(/cannot be a BigQuery table name/);
  });
});

describe('diffSchema', () => {
  it('finds added columns and type changes, and keeps removed columns', () => {
    const existing = [
      { name: 'id', type: 'STRING', mode: 'NULLABLE' as const },
      { name: 'n', type: 'INT64', mode: 'NULLABLE' as const },
      { name: 'gone', type: 'STRING', mode: 'NULLABLE' as const },
      { name: 'x', type: 'STRING', mode: 'NULLABLE' as const },
    ];
    const wanted = [
      { name: 'id', type: 'STRING', mode: 'NULLABLE' as const },
      { name: 'n', type: 'INTEGER', mode: 'NULLABLE' as const },
      { name: 'x', type: 'FLOAT', mode: 'NULLABLE' as const },
      { name: 'new', type: 'BOOLEAN', mode: 'NULLABLE' as const },
    ];
    const diff = diffSchema(existing, wanted);
    expect(diff.added.map((f) => f.name)).toEqual(['new']);
    expect(diff.changed).toEqual([{ name: 'x', from: 'STRING', to: 'FLOAT' }]);
    expect(diff.merged.map((f) => f.name)).toEqual(['id', 'n', 'gone', 'x', 'new']);
  });

  it('a kept column takes the new description (a renamed Notion property)', () => {
    const existing = [{ name: 'notes', type: 'STRING', mode: 'NULLABLE' as const, description: 'Notes' }];
    const diff = diffSchema(existing, [{ name: 'notes', type: 'STRING', mode: 'NULLABLE' as const, description: 'Remarks' }]);
    expect(diff.redescribed).toEqual(['notes']);
    expect(diff.merged).toEqual([{ name: 'notes', type: 'STRING', mode: 'NULLABLE', description: 'Remarks' }]);
    expect(diffSchema(existing, existing).redescribed).toEqual([]);
  });
});

describe('swapScript', () => {
  const ref = (tableId: string) => ({ projectId: 'p', datasetId: 'd', tableId });
  it('wraps every table of the run in one transaction', () => {
    const script = swapScript('replace', [
      { target: ref('a'), stage: ref('s_a'), columns: ['id', 'x'] },
      { target: ref('b'), stage: ref('s_b'), columns: ['id'] },
    ]);
    expect(script.split('\n')).toEqual([
      'BEGIN TRANSACTION;',
      'DELETE FROM `p.d.a` WHERE TRUE;',
      'INSERT INTO `p.d.a` (`id`, `x`) SELECT `id`, `x` FROM `p.d.s_a`;',
      'DELETE FROM `p.d.b` WHERE TRUE;',
      'INSERT INTO `p.d.b` (`id`) SELECT `id` FROM `p.d.s_b`;',
      'COMMIT TRANSACTION;',
    ]);
  });
});
