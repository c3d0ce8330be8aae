/**
 * Every command with bad options: exactly one line on stderr naming the cause and the fix, no stack
 * trace, the right exit code, and nothing created.
 */
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let dir: string;
let busy: Server;
let busyPort: number;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notion-stream-bad-'));
  busy = createServer().listen(0, '127.0.0.1');
  await once(busy, 'listening');
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(() => busy.close());

const TOKEN = { NOTION_TOKEN: 'secret_test', NOTION_BASE_URL: 'http://127.0.0.1:1' };
const schema = JSON.stringify({ type: 'SCHEMA', stream: 't', key_properties: ['id'], schema: { type: 'object', properties: { id: { type: ['null', 'string'] } } } });
let nested = '';
for (let i = 0; i < 10_000; i++) nested += '[';
for (let i = 0; i < 10_000; i++) nested += ']';

// [argv, stdin, exit code, what the line must say]
const CASES: [string[], string | undefined, number, RegExp][] = [
  [['sync', '--concurrency', '0'], undefined, 2, /--concurrency takes a whole number of at least 1, got 0/],
  [['sync', '--concurrency', 'many'], undefined, 2, /--concurrency takes a whole number .*not a number/],
  [['sync', '--timeout', '0'], undefined, 2, /--timeout takes a positive number of seconds, got 0/],
  [['sync', '--retries', '-1'], undefined, 2, /--retries takes a whole number of at least 0, got -1/],
  [['sync', '--rate-limit', '0'], undefined, 2, /--rate-limit takes a positive number/],
  [['sync', '--table', '0123456789abcdef0123456789abcdef=bad-name'], undefined, 2, /--table 0123456789abcdef0123456789abcdef=bad-name: a table name must be letters/],
  [['sync', '--table', 'oops'], undefined, 2, /--table takes <data source id or title>=<table name>/],
  [['sync', '--out', '/proc/x'], undefined, 2, /--out \/proc\/x cannot be written: E[A-Z]+/],
  [['sync', '--to', 'csv', '--out', '/proc/x/y'], undefined, 2, /--out \/proc\/x\/y cannot be written/],
  [['sync', '--to', 'nowhere'], undefined, 2, /Invalid values.*Run `notion-stream --help`/],
  [['sync', '--incremental', '--to', 'ndjson', '--out', 'OUT/x.ndjson', '--state', '/proc/state.json'], undefined, 2, /--state \/proc\/state.json cannot be written/],
  [['sync', '--bogus'], undefined, 2, /unknown argument "bogus"/],
  [['list', '--concurrency', '0'], undefined, 2, /--concurrency/],
  [['pages', '--timeout', '0'], undefined, 2, /--timeout/],
  [['pages', '--retries', '1.5'], undefined, 2, /--retries takes a whole number/],
  [['demo', '--rate-limit', '0'], undefined, 2, /--rate-limit takes a positive number of requests per second, got 0/],
  [['demo', '--out', '/proc/demo.duckdb'], undefined, 2, /--out \/proc\/demo.duckdb cannot be written/],
  [['emulate', '--port', 'BUSY'], undefined, 1, /EADDRINUSE .*port is already in use.*--port/],
  [['emulate', '--port', '70000'], undefined, 2, /--port takes a port number from 0 to 65535/],
  [['emulate', '--rate-limit', '-1'], undefined, 2, /--rate-limit takes a number of requests per second \(0: no limit\)/],
  [['emulate', '--workspace', '/nonexistent.json'], undefined, 2, /Cannot read workspace seed file \/nonexistent.json/],
  [['flatten', '--table', 'x=bad-name'], '', 2, /--table x=bad-name: a table name must be/],
  [['flatten'], '{"object":"page"\n', 1, /line 1: not valid JSON/],
  [['flatten'], '{"object":"page"', 1, /ended without the end marker/], // a last line cut short: the stage before was stopped
  [['split', '--arrays', 'sideways'], '', 2, /Invalid values/],
  [['split'], '', 1, /The input is empty/],
  [['load', '--to', 'csv', '--out', '/proc/x'], schema, 2, /--out \/proc\/x cannot be written/],
  [['load', '--to', 'ndjson', '--out', 'OUT'], schema, 2, /--out .* is a directory; give a file path/],
  [['load', '--to', 'ndjson', '--out', 'OUT/f.ndjson'], '', 1, /The input is empty/],
  [['load', '--to', 'duckdb', '--out', 'OUT/n.duckdb'], schema, 1, /ended without the end marker/],
  [['load', '--to', 'duckdb', '--out', 'OUT/n.duckdb', '--mode', 'merge', '--state', '/proc/s.json'], schema, 2, /--state \/proc\/s.json cannot be written/],
  [['load', '--to', 'duckdb', '--out', 'OUT/n.duckdb', '--assume-complete'], `${schema}\n{"type":"RECORD","stream":"t","record":{"id":${nested}}}\n`, 1, /nested too deeply/],
  [['load', '--to', 'csv', '--mode', 'merge', '--out', 'OUT/c'], schema, 2, /--mode merge is available for --to duckdb and --to bigquery/],
];

describe('every command with bad options or input prints one line, no stack trace, the right exit code', () => {
  for (const [argv, stdin, code, pattern] of CASES) {
    it(`${argv.join(' ')}${stdin === undefined ? '' : ` (stdin ${stdin.length > 40 ? `${stdin.slice(0, 30)}…` : JSON.stringify(stdin)})`}`, async () => {
      const out = await mkdtemp(join(dir, 'out-'));
      const args = argv.map((a) => a.replace(/^OUT/, out).replace(/^BUSY$/, String(busyPort)));
      const res = await runCli(args, TOKEN, AbortSignal.timeout(60_000), stdin);
      const lines = res.stderr.split('\n').filter(Boolean);
      expect(lines, res.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^notion-stream: /);
      expect(lines[0]).toMatch(pattern);
      expect(lines[0]).not.toMatch(/unexpected error|\bat .*:\d+:\d+/);
      expect(res.code).toBe(code);
      expect(await readdir(out), 'nothing created').toEqual([]);
    });
  }

  it('a state row that is not JSON', async () => {
    const db = join(await mkdtemp(join(dir, 'state-')), 'n.duckdb');
    const instance = await DuckDBInstance.create(db);
    const c = await instance.connect();
    await c.run("CREATE TABLE _notion_stream_state (value VARCHAR, committed_at TIMESTAMPTZ); INSERT INTO _notion_stream_state VALUES ('not json{', now())");
    c.closeSync();
    instance.closeSync();
    const res = await runCli(['sync', '--incremental', '--out', db], TOKEN);
    expect(res.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^notion-stream: The table _notion_stream_state in .* holds a state that is not JSON\. Drop that table/)]);
    expect(res.code).toBe(1);
  });
});
