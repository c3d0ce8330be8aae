/**
 * `list` and `pages` write their NDJSON in batches: far fewer write calls on stdout than lines, every
 * line as the library serialises it, the end marker last.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaleWorkspace } from '../../src/emulator/generate.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { PAGES_END_MARKER } from '../../src/singer/end-marker.js';
import { runCounted } from '../support/counting-cli.js';

let emu: Emulator;
let env: Record<string, string>;
beforeAll(async () => {
  emu = await startEmulator({ workspace: scaleWorkspace({ dataSources: 2, pagesEach: 1000 }), rateLimit: false });
  env = { NOTION_TOKEN: emu.token, NOTION_BASE_URL: emu.url };
});
afterAll(() => emu?.close());

const fast = ['--rate-limit', '1000', '--quiet'];

describe('source commands write in batches', () => {
  it('pages: a few writes for 2,000 pages (not one per line), each line whole, the end marker last', async () => {
    const res = await runCounted(['pages', ...fast], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const objects = res.lines.map((l) => JSON.parse(l));
    expect(objects.filter((o) => o.object === 'page')).toHaveLength(2000);
    expect(res.lines.map((l, i) => `${JSON.stringify(objects[i])}`)).toEqual(res.lines);
    expect(objects.at(-1)).toEqual(PAGES_END_MARKER);
    expect(res.stdout.endsWith('\n')).toBe(true);
    // One query answers 100 pages: about one write per answer, far fewer than one per line.
    expect(res.writes).toBeLessThan(res.lines.length / 20);
  });

  it('list: every data source line', async () => {
    const res = await runCounted(['list', ...fast], env);
    expect(res.code).toBe(0);
    expect(res.lines.map((l) => JSON.parse(l).object)).toEqual(['data_source', 'data_source']);
    expect(res.writes).toBeLessThanOrEqual(2);
  });
});
