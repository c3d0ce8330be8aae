/**
 * The HTTP policy under every fault the emulator can inject: the output must be identical to a
 * fault-free run, and waits, retries and page-size changes must happen as specified.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTypesWorkspace, scaleWorkspace } from '../../src/emulator/generate.js';
import { startEmulator, type Emulator, type FaultSpec } from '../../src/emulator/server.js';
import type { Workspace } from '../../src/emulator/workspace.js';
import { runCli } from '../support/cli.js';

// Fast retries and a short timeout keep the suite quick; the policy is the same.
const FLAGS = ['pages', '--rate-limit', '1000', '--timeout', '1'];

interface Fixture {
  ws: Workspace;
  emu: Emulator;
  baseline: string;
}

async function fixture(ws: Workspace): Promise<Fixture> {
  const emu = await startEmulator({ workspace: ws, rateLimit: false });
  const res = await runCli(FLAGS, { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url });
  expect(res.code).toBe(0);
  return { ws, emu, baseline: res.stdout };
}

async function runWith(f: Fixture, fault: FaultSpec, extra: string[] = []) {
  f.emu.clearFaults();
  f.emu.resetLog();
  f.emu.inject(fault);
  const res = await runCli([...FLAGS, ...extra], { NOTION_TOKEN: f.emu.token, NOTION_BASE_URL: f.emu.url });
  f.emu.clearFaults();
  return res;
}

let paged: Fixture; // 3 data sources x 250 rows: queries with cursors
let typed: Fixture; // truncated values: property endpoint calls
beforeAll(async () => {
  paged = await fixture(scaleWorkspace({ dataSources: 3, pagesEach: 250 }));
  typed = await fixture(allTypesWorkspace());
});
afterAll(async () => {
  await paged?.emu.close();
  await typed?.emu.close();
});

const QUERY_FAULTS: FaultSpec['kind'][] = ['rate_limited', 'service_overload', 'internal_server_error', 'service_unavailable', 'bad_gateway_html', 'gateway_timeout', 'hang', 'reset', 'expired_cursor'];

describe('each injected fault yields output identical to the fault-free run', () => {
  for (const kind of QUERY_FAULTS) {
    it(`${kind} on a query with a cursor`, async () => {
      const res = await runWith(paged, { endpoint: 'data_sources.query', kind, after: 1, count: 1, retryAfterSeconds: 1 });
      expect(res.stderr).not.toMatch(/notion-stream:/);
      expect(res.code).toBe(0);
      expect(paged.emu.log.some((l) => l.fault === kind), 'the fault fired').toBe(true);
      expect(res.stdout).toBe(paged.baseline);
    });
  }

  for (const kind of ['internal_server_error', 'bad_gateway_html', 'reset', 'rate_limited'] as const) {
    it(`${kind} on the property endpoint`, async () => {
      const res = await runWith(typed, { endpoint: 'pages.properties.retrieve', kind, count: 2, retryAfterSeconds: 1 });
      expect(res.code).toBe(0);
      expect(typed.emu.log.filter((l) => l.fault === kind)).toHaveLength(2);
      expect(res.stdout).toBe(typed.baseline);
    });
  }

  it('faults on search and on data source retrieval', async () => {
    for (const endpoint of ['search', 'data_sources.retrieve'] as const) {
      const res = await runWith(typed, { endpoint, kind: 'service_unavailable', count: 2 });
      expect(res.code).toBe(0);
      expect(res.stdout).toBe(typed.baseline);
    }
  });

  it('faults by probability still give the same output', async () => {
    const res = await runWith(paged, { endpoint: 'data_sources.query', kind: 'internal_server_error', probability: 0.3, count: Infinity });
    expect(res.code).toBe(0);
    expect(paged.emu.log.filter((l) => l.fault).length).toBeGreaterThan(0);
    expect(res.stdout).toBe(paged.baseline);
  });
});

describe('the policy', () => {
  it('a 429 pauses every worker for Retry-After and says so once on stderr', async () => {
    const res = await runWith(paged, { endpoint: 'data_sources.query', kind: 'rate_limited', after: 3, count: 1, retryAfterSeconds: 2 });
    expect(res.code).toBe(0);
    const log = paged.emu.log;
    const hit = log.findIndex((l) => l.status === 429);
    expect(hit).toBeGreaterThanOrEqual(0);
    // The two other data sources' requests may already be in flight when the 429 comes back; after
    // them, nothing from any worker until Retry-After has passed (unpaused, 1000/s would send hundreds).
    const t = log[hit]!.time;
    const during = log.filter((l) => l.time > t && l.time < t + 1950);
    expect(during.length).toBeLessThanOrEqual(2);
    expect(log.some((l) => l.time >= t + 1950)).toBe(true);
    const lines = res.stderr.split('\n').filter((l) => /pausing all requests/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/2 s/);
  });

  it('a 504 on a query halves page_size for the retry and restores it after a success', async () => {
    const res = await runWith(paged, { endpoint: 'data_sources.query', kind: 'gateway_timeout', after: 1, count: 2 });
    expect(res.code).toBe(0);
    // Data sources are read concurrently: follow each one's queries on its own.
    const queries = paged.emu.log.filter((l) => l.endpoint === 'data_sources.query');
    const faulted = new Set(queries.filter((l) => l.fault).map((l) => l.path));
    expect(faulted.size).toBeGreaterThan(0);
    let halvings = 0;
    for (const path of faulted) {
      const seq = queries.filter((l) => l.path === path).map((l) => ({ size: (l.body as { page_size: number }).page_size, fault: !!l.fault }));
      for (let i = 0; i + 1 < seq.length; i++) {
        if (seq[i]!.fault) halvings++;
        expect(seq[i + 1]!.size).toBe(seq[i]!.fault ? Math.max(10, seq[i]!.size / 2) : 100);
      }
    }
    expect(halvings).toBe(2);
    expect(res.stdout).toBe(paged.baseline);
  });

  it('retries do not multiply: one failure costs exactly one extra request', async () => {
    paged.emu.resetLog();
    await runCli(FLAGS, { NOTION_TOKEN: paged.emu.token, NOTION_BASE_URL: paged.emu.url });
    const clean = paged.emu.log.length;
    await runWith(paged, { endpoint: 'data_sources.query', kind: 'service_unavailable', after: 2, count: 1 });
    expect(paged.emu.log.length).toBe(clean + 1);
  });

  it('gives up with a clear message when the failure does not stop', async () => {
    const res = await runWith(typed, { endpoint: 'search', kind: 'internal_server_error', count: Infinity }, ['--retries', '2']);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/kept failing .*500.* after 2 retries/);
    expect(typed.emu.log.filter((l) => l.endpoint === 'search')).toHaveLength(3);
  });

  it('public_api_request_blocked stops the run at once with a clear error', async () => {
    const res = await runWith(typed, { endpoint: 'search', kind: 'rate_limited', rateLimitReason: 'public_api_request_blocked', retryAfterSeconds: 600 });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/blocked API requests .*retrying will not help/);
    expect(res.stderr).not.toMatch(/pausing/);
    expect(typed.emu.log).toHaveLength(1);
  });

  it('Ctrl-C stops the CLI within a second, without a stack trace', async () => {
    const slow = await startEmulator({ workspace: scaleWorkspace({ dataSources: 2, pagesEach: 3000 }), rateLimit: false });
    try {
      const bin = fileURLToPath(new URL('../../bin/notion-stream.js', import.meta.url));
      const child = spawn(process.execPath, [bin, 'pages', '--rate-limit', '5'], {
        env: { ...process.env, NOTION_TOKEN: slow.token, NOTION_BASE_URL: slow.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      // Interrupt once the run is under way (its first page printed), however slow the machine starts it.
      await once(child.stdout, 'data');
      child.stdout.resume();
      await new Promise((r) => setTimeout(r, 500));
      const t0 = Date.now();
      child.kill('SIGINT');
      const [code] = await once(child, 'exit');
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(code).toBe(130);
      expect(stderr).toMatch(/interrupted/);
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      await slow.close();
    }
  });
});
