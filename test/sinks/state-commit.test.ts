/**
 * Data and state file in one commit: `sync --incremental --to csv|ndjson --state` and `load --state`
 * killed (SIGKILL of a real child process) at every step of the commit leave, once the next run has
 * recovered, the old data with the old state or the new data with the new state, never a mix.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { runCli } from '../support/cli.js';
import { edit, mainRow, Minutes, scenarioWorkspace, setCount } from '../support/incremental-scenario.js';
import { BIN } from '../support/pipe.js';

let emu: Emulator;
let env: Record<string, string>;
const minutes = new Minutes();
beforeAll(async () => {
  emu = await startEmulator({ workspace: scenarioWorkspace(), rateLimit: false });
  env = { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url };
});
afterAll(async () => {
  await emu?.close();
});

const fast = ['--rate-limit', '1000', '--quiet', '--no-users', '--no-catalog'];
const tmp = () => mkdtemp(join(tmpdir(), 'notion-stream-commit-'));

/** Every file of a CSV directory, or the text of an NDJSON file. */
async function data(out: string, to: string): Promise<unknown> {
  if (to === 'ndjson') return readFile(out, 'utf8');
  const files: Record<string, string> = {};
  for (const f of (await readdir(out)).sort()) files[f] = await readFile(join(out, f), 'utf8');
  return files;
}

/** Runs the CLI as a child process killed by the test fault at commit step `step`; resolves once it died of SIGKILL. */
async function killedAt(step: number, args: string[], stdin?: string): Promise<void> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env, NOTION_STREAM_FAULT: `commit:${step}` }, stdio: [stdin === undefined ? 'ignore' : 'pipe', 'ignore', 'ignore'] });
  if (stdin !== undefined) child.stdin!.end(stdin);
  const [code, signal] = await once(child, 'exit');
  expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' });
}

const projectsWatermark = (state: any) => Object.values<any>(state.bookmarks).find((b) => b.table === 'projects')!.watermark;

// Steps: CSV renames the old directory aside, the staging directory in (the commit point), then the
// state; NDJSON renames the file in (the commit point), then the state. Step k: killed after k renames.
const cases = [
  { to: 'csv', steps: 3, point: 1 },
  { to: 'ndjson', steps: 2, point: 0 },
];

describe('sync --incremental: data and state file change together, whatever step a kill hits', () => {
  for (const { to, steps, point } of cases) {
    for (let step = 0; step <= steps; step++) {
      it(`--to ${to}, killed after ${step} rename${step === 1 ? '' : 's'}: ${step > point ? 'new data and new state' : 'old data and old state'}`, async () => {
        const dir = await tmp();
        const out = join(dir, to === 'csv' ? 'csv' : 'out.ndjson');
        const state = join(dir, 'state.json');
        const args = ['sync', '--incremental', '--to', to, '--out', out, '--state', state, ...fast];
        expect((await runCli(args, env)).code).toBe(0);
        const before = { data: await data(out, to), state: await readFile(state, 'utf8') };

        const t = minutes.next();
        edit(mainRow(emu.workspace, 3), t, (p) => setCount(p, step + 100));
        await killedAt(step, args);

        // The next run recovers the commit before it reads the state (then fails here at once: bad token).
        const next = await runCli(args, { ...env, NOTION_TOKEN: 'wrong-token' });
        expect(next.code).toBe(1);
        const after = { data: await data(out, to), state: await readFile(state, 'utf8') };
        expect((await readdir(dir)).sort()).toEqual([to === 'csv' ? 'csv' : 'out.ndjson', 'state.json']); // no record, staging, old or temporary file left
        if (step <= point) {
          expect(after).toEqual(before);
          return;
        }
        const saved = JSON.parse(after.state);
        expect(projectsWatermark(saved)).toBe(t);
        expect(after.data).not.toEqual(before.data);
        if (to === 'ndjson') {
          const lines = (after.data as string).trim().split('\n').map((l) => JSON.parse(l));
          expect(lines.at(-1).value).toEqual(saved); // the output's own last state is the state file's
        } else {
          const rows = (after.data as Record<string, string>)['projects.csv']!.trim().split('\n').slice(1);
          expect(rows.some((r) => r.startsWith(`${mainRow(emu.workspace, 3).id},`))).toBe(true);
        }
      });
    }
  }
});

describe('load --state: the state file commits with the CSV or NDJSON output', () => {
  for (const { to, steps, point } of cases) {
    for (let step = 0; step <= steps; step++) {
      it(`load --to ${to}, killed after ${step} rename${step === 1 ? '' : 's'}`, async () => {
        const dir = await tmp();
        const first = await runCli(['sync', '--incremental', '--to', 'ndjson', ...fast], env);
        expect(first.code).toBe(0);
        const outName = to === 'csv' ? 'csv' : 'out.ndjson';
        const load = (d: string) => ['load', '--to', to, '--out', join(d, outName), '--state', join(d, 'state.json'), '--quiet'];
        expect((await runCli(load(dir), {}, undefined, first.stdout)).code).toBe(0);
        const before = { data: await data(join(dir, outName), to), state: await readFile(join(dir, 'state.json'), 'utf8') };

        edit(mainRow(emu.workspace, 3), minutes.next(), (p) => setCount(p, step + 200));
        const second = await runCli(['sync', '--incremental', '--to', 'ndjson', ...fast], env); // no --state: reads everything again
        expect(second.code).toBe(0);
        // What an uninterrupted load of the same input gives.
        const reference = await tmp();
        expect((await runCli(load(reference), {}, undefined, second.stdout)).code).toBe(0);
        const loaded = { data: await data(join(reference, outName), to), state: await readFile(join(reference, 'state.json'), 'utf8') };
        expect(loaded).not.toEqual(before);

        await killedAt(step, load(dir), second.stdout);
        // The next load recovers first (then refuses its empty input).
        expect((await runCli(load(dir), {}, undefined, '')).code).toBe(1);
        expect((await readdir(dir)).sort()).toEqual([outName, 'state.json']);
        const after = { data: await data(join(dir, outName), to), state: await readFile(join(dir, 'state.json'), 'utf8') };
        expect(after).toEqual(step > point ? loaded : before);
      });
    }
  }
});
