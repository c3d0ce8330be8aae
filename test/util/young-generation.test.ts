/** capYoungGeneration, in child processes (a V8 flag is process-wide): the young generation stops growing at the cap. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const MODULE = new URL('../../dist/util/young-generation.js', import.meta.url).href;

/**
 * A child that allocates ~1.5 GB in rounds while keeping a few thousand objects alive (as a pipeline keeps
 * rows in flight), yielding to the event loop between rounds; prints the largest young generation seen, MiB.
 */
function script(capMiB: number | undefined): string {
  return `
import { capYoungGeneration, youngGenerationBytes } from ${JSON.stringify(MODULE)};
${capMiB === undefined ? '' : `capYoungGeneration({ maxMiB: ${capMiB} });`}
let keep = [];
let largest = 0;
for (let round = 0; round < 300; round++) {
  for (let i = 0; i < 100000; i++) {
    const o = { a: i, b: 'x' + i };
    if (i % 50 === 0) { keep.push(o); if (keep.length > 2000) keep = []; }
  }
  largest = Math.max(largest, youngGenerationBytes() / 2 ** 20);
  await new Promise((r) => setImmediate(r));
}
console.log(largest);`;
}

async function largestYoungGeneration(capMiB: number | undefined): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script(capMiB)], { timeout: 60_000 });
  return Number(stdout.trim());
}

describe('capYoungGeneration', () => {
  it('stops the young generation growing past the cap (one doubling at most), where it grows to 16 MiB or more without', async () => {
    const [free, capped] = await Promise.all([largestYoungGeneration(undefined), largestYoungGeneration(4)]);
    expect(free).toBeGreaterThanOrEqual(16);
    expect(capped).toBeGreaterThanOrEqual(4);
    expect(capped).toBeLessThanOrEqual(8);
  });
});
