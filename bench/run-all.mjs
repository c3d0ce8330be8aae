// Runs every bench in turn, each in its own Node process, and exits non-zero when any failed: a bench that
// misses its target (the memory benches fail past ×1.2) does not keep the benches after it from running.
import { spawnSync } from 'node:child_process';

const BENCHES = ['read', 'latency', 'tables', 'bigquery', 'sinks-memory', 'incremental', 'state', 'content', 'pipe'];
const failed = [];
for (const name of BENCHES) {
  console.log(`\n=== bench/${name}-bench.mjs`);
  const { status, signal } = spawnSync(process.execPath, [`bench/${name}-bench.mjs`], { stdio: 'inherit' });
  if (status !== 0) failed.push(`${name} (${signal ?? `exit ${status}`})`);
}
console.log(failed.length === 0 ? '\nEvery bench met its targets.' : `\nBenches that failed or missed a target: ${failed.join(', ')}.`);
process.exitCode = failed.length === 0 ? 0 : 1;
