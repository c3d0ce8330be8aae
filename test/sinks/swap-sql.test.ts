import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quoteIdent } from '../../src/sinks/duckdb/staging.js';
import { swapStatements, type Dialect, type SwapTable } from '../../src/sinks/swap-sql.js';
import type { WriteMode } from '../../src/sinks/destinations.js';

// The statements run against real DuckDB tables: targets `t` (parent) and `c` (child), staging tables
// `s` and `cs` whose `seq` column numbers the staged rows across both, in the order they were read.
const dialect: Dialect = { ident: quoteIdent, order: quoteIdent('seq') };

let instance: DuckDBInstance;
let db: DuckDBConnection;
let seq = 0;

beforeEach(async () => {
  instance = await DuckDBInstance.create(':memory:');
  db = await instance.connect();
  seq = 0;
  await db.run(`
    CREATE TABLE t (id VARCHAR, name VARCHAR, kept VARCHAR);
    CREATE TABLE c (_parent_id VARCHAR, _idx INTEGER, value VARCHAR);
    CREATE TABLE s (id VARCHAR, name VARCHAR, _deleted_at TIMESTAMPTZ, seq BIGINT);
    CREATE TABLE cs (_parent_id VARCHAR, _idx INTEGER, value VARCHAR, seq BIGINT);
    INSERT INTO t VALUES ('a', 'old a', 'ka'), ('b', 'old b', 'kb'), ('z', 'old z', 'kz');
    INSERT INTO c VALUES ('a', 0, 'a0'), ('a', 1, 'a1'), ('b', 0, 'b0'), ('z', 0, 'z0');
  `);
});

afterEach(() => {
  db.closeSync();
  instance.closeSync();
});

/** Stages a page as the splitter emits it: its parent row, then one child row per list element. */
async function page(id: string, name: string | null, values: string[] = []): Promise<void> {
  await db.run(`INSERT INTO s VALUES ($id, $name, NULL, $seq)`, { id, name, seq: ++seq });
  for (const [idx, value] of values.entries()) await db.run(`INSERT INTO cs VALUES ($id, $idx, $value, $seq)`, { id, idx, value, seq: ++seq });
}

async function deletion(id: string, at = '2025-01-02T03:04:05Z'): Promise<void> {
  await db.run(`INSERT INTO s (id, _deleted_at, seq) VALUES ($id, $at::TIMESTAMPTZ, $seq)`, { id, at, seq: ++seq });
}

async function swap(mode: WriteMode, ...tables: SwapTable[]): Promise<void> {
  await db.run('BEGIN TRANSACTION');
  for (const table of tables) for (const statement of swapStatements(dialect, mode, table)) await db.run(statement);
  await db.run('COMMIT');
}

async function rows(sql: string): Promise<unknown[][]> {
  return (await db.runAndReadAll(sql)).getRowsJson() as unknown[][];
}

const parents = () => rows(`SELECT id, name, kept FROM t ORDER BY id`);
const children = () => rows(`SELECT _parent_id, _idx, value FROM c ORDER BY _parent_id, _idx`);
const parent = (extra: Partial<SwapTable> = {}): SwapTable => ({ target: 't', stage: 's', columns: ['id', 'name'], key: ['id'], ...extra });
const child = (extra: Partial<NonNullable<SwapTable['parent']>> = {}): SwapTable => ({
  target: 'c',
  stage: 'cs',
  columns: ['_parent_id', '_idx', 'value'],
  parent: { stage: 's', key: 'id', ...extra },
});

describe('swap SQL on DuckDB', () => {
  it('replace: empties the target and inserts the staged rows, leaving out hard deletions', async () => {
    await page('n', 'new');
    await deletion('a');
    await swap('replace', parent({ deletions: 'hard' }));
    expect(await parents()).toEqual([['n', 'new', null]]);
  });

  it('append: adds the staged rows, with soft deletions kept as rows', async () => {
    await db.run(`ALTER TABLE t ADD COLUMN _deleted_at TIMESTAMPTZ`);
    await page('n', 'new');
    await deletion('a');
    await swap('append', parent({ columns: ['id', 'name', '_deleted_at'], deletions: 'soft' }));
    expect(await rows(`SELECT id, name, _deleted_at IS NOT NULL FROM t ORDER BY id, name NULLS FIRST`)).toEqual([
      ['a', null, true],
      ['a', 'old a', false],
      ['b', 'old b', false],
      ['n', 'new', false],
      ['z', 'old z', false],
    ]);
  });

  it('merge: updates and inserts by key, the last staged row of a key wins, columns not written are kept', async () => {
    await page('a', 'first a');
    await page('n', 'new');
    await page('a', 'last a');
    await swap('merge', parent());
    expect(await parents()).toEqual([
      ['a', 'last a', 'ka'],
      ['b', 'old b', 'kb'],
      ['n', 'new', null],
      ['z', 'old z', 'kz'],
    ]);
  });

  it('merge: merges by a composite key', async () => {
    await db.run(`INSERT INTO s VALUES ('a', 'x', NULL, 1), ('a', 'y', NULL, 2), ('a', 'x', NULL, 3)`);
    await swap('merge', { target: 't', stage: 's', columns: ['id', 'name'], key: ['id', 'name'] });
    expect(await rows(`SELECT id, name FROM t ORDER BY id, name NULLS FIRST`)).toEqual([
      ['a', 'old a'],
      ['a', 'x'],
      ['a', 'y'],
      ['b', 'old b'],
      ['z', 'old z'],
    ]);
  });

  it('merge: replaces the child rows of every staged page and leaves the others', async () => {
    await page('a', 'a', ['A0']); // shorter list
    await page('b', 'b', []); // emptied list
    await page('n', 'n', ['N0', 'N1']); // new page
    await swap('merge', parent(), child());
    expect(await children()).toEqual([
      ['a', 0, 'A0'],
      ['n', 0, 'N0'],
      ['n', 1, 'N1'],
      ['z', 0, 'z0'],
    ]);
  });

  it('merge: a page staged twice keeps the child rows of its last staged row only', async () => {
    await page('a', 'first', ['x0', 'x1', 'x2']);
    await page('b', 'first', ['y0']);
    await page('a', 'last', ['L0']);
    await page('b', 'last', []);
    await swap('merge', parent(), child());
    expect(await parents()).toEqual([
      ['a', 'last', 'ka'],
      ['b', 'last', 'kb'],
      ['z', 'old z', 'kz'],
    ]);
    expect(await children()).toEqual([
      ['a', 0, 'L0'],
      ['z', 0, 'z0'],
    ]);
  });

  it('merge, hard deletions: deletes the row and its child rows, never inserts a deletion', async () => {
    await deletion('a');
    await deletion('unknown');
    await page('n', 'n', ['N0']);
    await page('z', 'gone soon', ['Z9']);
    await deletion('z'); // staged live, then deleted: none of its rows stay
    await swap('merge', parent({ deletions: 'hard' }), child({ deletions: 'hard' }));
    expect(await parents()).toEqual([
      ['b', 'old b', 'kb'],
      ['n', 'n', null],
    ]);
    expect(await children()).toEqual([
      ['b', 0, 'b0'],
      ['n', 0, 'N0'],
    ]);
  });

  it('merge, hard deletions: a page deleted then restored in the same run keeps its restored rows', async () => {
    await deletion('a');
    await page('a', 'restored', ['R0', 'R1']);
    await swap('merge', parent({ deletions: 'hard' }), child({ deletions: 'hard' }));
    expect(await parents()).toContainEqual(['a', 'restored', 'ka']);
    expect((await children()).filter((r) => r[0] === 'a')).toEqual([
      ['a', 0, 'R0'],
      ['a', 1, 'R1'],
    ]);
  });

  it('merge, soft deletions: sets _deleted_at keeping the values and child rows; a live row clears it', async () => {
    await db.run(`ALTER TABLE t ADD COLUMN _deleted_at TIMESTAMPTZ`);
    const soft = () => [parent({ columns: ['id', 'name', '_deleted_at'], deletions: 'soft' }), child({ deletions: 'soft' })];
    await deletion('a', '2025-05-06T07:08:09Z');
    await deletion('unknown');
    await page('z', 'edited z', ['Z9']);
    await deletion('z'); // the deletion is the page's last row: its values and child rows stay as they were
    await swap('merge', ...soft());
    const state = () => rows(`SELECT id, name, kept, CAST(_deleted_at AS VARCHAR) FROM t ORDER BY id`);
    expect(await state()).toEqual([
      ['a', 'old a', 'ka', '2025-05-06 07:08:09+00'],
      ['b', 'old b', 'kb', null],
      ['z', 'old z', 'kz', '2025-01-02 03:04:05+00'],
    ]);
    expect(await children()).toEqual([
      ['a', 0, 'a0'],
      ['a', 1, 'a1'],
      ['b', 0, 'b0'],
      ['z', 0, 'z0'],
    ]);

    await db.run(`DELETE FROM s; DELETE FROM cs`);
    await page('a', 'restored', ['R0']);
    await swap('merge', ...soft());
    expect((await state())[0]).toEqual(['a', 'restored', 'ka', null]);
    expect((await children()).filter((r) => r[0] === 'a')).toEqual([['a', 0, 'R0']]);
  });
});
