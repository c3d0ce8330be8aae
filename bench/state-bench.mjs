#!/usr/bin/env node
/**
 * State benchmark: what the incremental state costs with 2,000,000 page ids, before (format 1: every
 * id a dashed string in an array, the whole set rebuilt from a JS Set and sorted each run) and now
 * (files: one base64 string of sorted 16-byte ids merged in one pass; warehouses: no ids, the table
 * answers). Each measurement runs in its own child process, so its peak RSS is its own.
 *
 *   file     one incremental run's state work for a file destination: read the state file, parse it,
 *            the next state (1,000 pages read, 990 of them held already and 10 new; 5 deleted), write
 *            it (to a temporary file, flushed, renamed). "before" runs the format-1 code as it was
 *            (parseState, nextState), "now" the library's.
 *   size     the state a warehouse keeps in `_notion_stream_state`, before (with the ids) and now.
 *   duckdb   the destination's answers on a DuckDB table of 2,000,000 rows: the trash check (100
 *            trashed pages, half of them held, plus the rows of the watermark's minute) and the
 *            reconciliation diff (every id listed but 5), both through src/sinks/duckdb/held-ids.ts;
 *            beside them, the same diff for a file destination (IdSet.minus).
 *
 * Usage: npm run build && node bench/state-bench.mjs [--ids 2000000]
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { ids: { type: 'string', default: '2000000' }, child: { type: 'string' }, dir: { type: 'string' } } });
const N = Number(values.ids);
const MiB = 2 ** 20;
const READ = 1000;
const NEW = 10;
const DELETED = 5;

/**
 * This process's peak RSS in MiB: VmHWM from /proc (Linux), which starts afresh with the process image;
 * getrusage's maxRSS can carry the spawning parent's peak across fork and exec. Elsewhere maxRSS.
 */
function peakMiB() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {}
  return (process.resourceUsage().maxRSS * 1024) / MiB;
}

/** The format-1 code as it was (src/state/state.ts before format 2): parse checks, next state rebuilt from a Set. */
function parseStateFormat1(value) {
  const bookmarks = {};
  for (const [id, b] of Object.entries(value.bookmarks)) {
    if (typeof b.table !== 'string' || !Array.isArray(b.ids)) throw new Error('bad bookmark');
    bookmarks[id.replace(/-/g, '').toLowerCase()] = b;
  }
  return { notion_stream: 1, bookmarks };
}
function nextStateFormat1(previous, key, run) {
  const out = { notion_stream: 1, bookmarks: { ...previous.bookmarks } };
  const before = previous.bookmarks[key];
  const ids = new Set(before.ids);
  for (const id of run.read) ids.add(id);
  for (const id of run.deleted) ids.delete(id);
  out.bookmarks[key] = { ...before, watermark: run.latestEdit, checkedAt: run.startedAt, ids: [...ids].sort() };
  return out;
}

/** The pages one run read (990 held, 10 new) and deleted (5 held), from the held ids. */
function runOf(held) {
  const read = [];
  for (let i = 0; i < READ - NEW; i++) read.push(held[(i * 1997) % held.length]);
  for (let i = 0; i < NEW; i++) read.push(randomUUID());
  const deleted = [];
  for (let i = 0; i < DELETED; i++) deleted.push(held[(i * 7919 + 13) % held.length]);
  return { read, deleted: deleted.filter((d) => !read.includes(d)), latestEdit: '2026-03-01T10:05:00.000Z', startedAt: new Date().toISOString() };
}

const KEY = '0123456789abcdef0123456789abcdef';

async function child(kind, dir) {
  const { readStateFile, writeStateTemp } = await import('../dist/state/file.js');
  const path = join(dir, `${kind}.json`);
  if (kind === 'idle') {
    await import('../dist/state/state.js');
    process.stdout.write(JSON.stringify({ kind, peakMiB: peakMiB() }) + '\n');
    return;
  }
  if (kind === 'file-before' || kind === 'file-now') {
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    const { parseState, nextState } = await import('../dist/state/state.js');
    const t0 = performance.now();
    const value = await readStateFile(path);
    let next;
    let count;
    if (kind === 'file-before') {
      next = nextStateFormat1(parseStateFormat1(value), KEY, run);
      count = next.bookmarks[KEY].ids.length;
    } else {
      const state = parseState(value, path);
      const b = state.bookmarks[KEY];
      next = nextState(state, new Map([[KEY, { table: b.table, properties: b.properties, full: false, read: run.read, latestEdit: run.latestEdit, deleted: run.deleted, startedAt: run.startedAt }]]));
      count = next.bookmarks[KEY].ids.size;
    }
    const tmp = await writeStateTemp(path, next);
    renameSync(tmp, path);
    const seconds = (performance.now() - t0) / 1000;
    process.stdout.write(JSON.stringify({ kind, seconds, peakMiB: peakMiB(), bytes: statSync(path).size, detail: `${count.toLocaleString('en-US')} ids after` }) + '\n');
    return;
  }
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const { DuckDbHeldIds } = await import('../dist/sinks/duckdb/held-ids.js');
  const { IdSetBuilder } = await import('../dist/state/id-set.js');
  const db = join(dir, 'w.duckdb');
  // Not timed: the trashed pages (50 of the table's ids), or the listing of every id but 5 as
  // reconciliation builds it (listAllIdSet: 16 bytes per id, no string kept), and for a file
  // destination the state's ids (all of them).
  const instance = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  const trashed = [];
  const listing = new IdSetBuilder();
  const all = new IdSetBuilder();
  const result = await connection.stream(kind === 'duckdb-trash' ? 'SELECT id FROM t LIMIT 50' : 'SELECT id FROM t');
  let seen = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    for (const value of chunk.getColumnValues(0)) {
      const id = String(value);
      if (kind === 'duckdb-trash') trashed.push(id);
      else {
        if (seen++ >= DELETED) listing.add(id);
        if (kind === 'file-reconcile') all.add(id);
      }
    }
  }
  connection.closeSync();
  instance.closeSync();
  const listed = listing.build();
  const stateIds = all.build();
  let detail;
  const start = performance.now();
  if (kind === 'duckdb-trash') {
    const candidates = [...trashed, ...Array.from({ length: 50 }, () => randomUUID())];
    const held = new DuckDbHeldIds(db);
    const found = await held.held('t', { ids: candidates, editedSince: '2026-03-01T09:06:39.000Z' });
    await held.close();
    detail = `${found.size} held: 50 of the 100 trashed pages, plus the rows of the watermark's minute`;
  } else if (kind === 'duckdb-reconcile') {
    const held = new DuckDbHeldIds(db);
    const gone = await held.notListed('t', listed);
    await held.close();
    detail = `${gone.length} gone of ${(listed.size + DELETED).toLocaleString('en-US')}`;
  } else {
    const gone = [...stateIds.minus(listed)];
    detail = `${gone.length} gone of ${stateIds.size.toLocaleString('en-US')}`;
  }
  process.stdout.write(JSON.stringify({ kind, seconds: (performance.now() - start) / 1000, peakMiB: peakMiB(), detail }) + '\n');
}

function runChild(kind, dir) {
  const res = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', kind, '--dir', dir, '--ids', String(N)], { encoding: 'utf8', maxBuffer: 64 * MiB });
  if (res.status !== 0) throw new Error(`${kind} failed: ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').at(-1));
}

async function parent() {
  const { IdSet } = await import('../dist/state/id-set.js');
  const dir = mkdtempSync(join(tmpdir(), 'ns-state-bench-'));
  try {
    console.log(`State bench: ${N.toLocaleString('en-US')} page ids in one data source; each figure from its own child process.`);
    const ids = Array.from({ length: N }, () => randomUUID()).sort();
    const bookmark = { table: 'projects', watermark: '2026-03-01T10:00:00.000Z', checkedAt: '2026-03-01T10:00:00.000Z', properties: { title: { name: 'Name', type: 'title', column: 'name' } } };
    const format1 = JSON.stringify({ notion_stream: 1, bookmarks: { [KEY]: { ...bookmark, ids } } });
    const format2File = JSON.stringify({ notion_stream: 2, bookmarks: { [KEY]: { ...bookmark, ids: IdSet.of(ids) } } });
    const format2Warehouse = JSON.stringify({ notion_stream: 2, bookmarks: { [KEY]: bookmark } });
    writeFileSync(join(dir, 'file-before.json'), format1);
    writeFileSync(join(dir, 'file-now.json'), format2File);
    writeFileSync(join(dir, 'run.json'), JSON.stringify(runOf(ids)));
    console.log(`  a child process that only loads the state module peaks at ${runChild('idle', dir).peakMiB.toFixed(0)} MiB`);

    console.log('\nFile destination: one incremental run\'s state work (read, parse, next state, write):');
    for (const kind of ['file-before', 'file-now']) {
      const r = runChild(kind, dir);
      console.log(`  ${kind === 'file-before' ? 'before (format 1)' : 'now (format 2)   '}  ${r.seconds.toFixed(2)} s, peak RSS ${r.peakMiB.toFixed(0)} MiB, state file ${(r.bytes / MiB).toFixed(1)} MiB (${(r.bytes / N).toFixed(1)} bytes per id), ${r.detail}`);
    }

    console.log('\nWarehouse destination: the state row of _notion_stream_state:');
    console.log(`  before (format 1, with ids)  ${Buffer.byteLength(format1).toLocaleString('en-US')} bytes`);
    console.log(`  now (format 2, no ids)      ${Buffer.byteLength(format2Warehouse).toLocaleString('en-US')} bytes`);

    console.log(`\nThe destination answers instead (DuckDB table of ${N.toLocaleString('en-US')} rows):`);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(join(dir, 'w.duckdb'));
    const c = await instance.connect();
    await c.run(`CREATE TABLE t AS SELECT uuid()::VARCHAR AS id, TIMESTAMPTZ '2026-03-01 09:00:00+00' + (i % 400) * INTERVAL 1 SECOND AS last_edited_time, NULL::TIMESTAMPTZ AS _deleted_at, 'Row ' || i AS name FROM range(${N}) r(i)`);
    c.closeSync();
    instance.closeSync();
    for (const kind of ['duckdb-trash', 'duckdb-reconcile', 'file-reconcile']) {
      const r = runChild(kind, dir);
      const label = { 'duckdb-trash': 'trash check (DuckDB)         ', 'duckdb-reconcile': 'reconciliation diff (DuckDB) ', 'file-reconcile': 'reconciliation diff (file)   ' }[kind];
      console.log(`  ${label} ${r.seconds.toFixed(2)} s, peak RSS ${r.peakMiB.toFixed(0)} MiB: ${r.detail}`);
    }
    console.log('\n(The reconciliation itself lists every id from Notion first: one request per 100 rows, 20,000 requests for 2,000,000 rows.)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values.child) await child(values.child, values.dir);
else await parent();
