#!/usr/bin/env node
/**
 * Pipe benchmark: the stage subcommands joined by real OS pipes,
 *   notion-stream pages | notion-stream flatten | notion-stream split | notion-stream load --to ndjson|duckdb
 * each stage a child process of a build's `bin/notion-stream.js`, reading the emulator (in its own
 * process, no rate limit) holding 1 data source of N generated rows.
 *
 * For each build (this one, and with `--before <dir>` another checkout's built `bin/`, e.g. the main
 * branch as it was before batched writes) it prints:
 * - the wall time of the whole pipe and the CPU time (user + system) of its four processes, best and
 *   median of `--runs` runs without tracing, alternating between the builds;
 * - the write syscalls on stdout (fd 1) of each stage, counted by `strace -f` in a separate run (skipped
 *   when strace is not installed), against the lines the stage wrote;
 * - whether the NDJSON at the end of the pipe is byte-identical between the builds (the `_synced_at`
 *   stamps left out).
 *
 * Usage: npm run bench (or: npm run build && node bench/pipe-bench.mjs [--rows 20000] [--runs 3] [--before /path/to/other/checkout])
 */
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmulatorProcess } from './emulator-process.mjs';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '3' },
    before: { type: 'string' }, // a checkout with a built dist/ to compare against
  },
});
const rows = Number(values.rows);
const runs = Number(values.runs);
const here = fileURLToPath(new URL('..', import.meta.url));
const builds = [...(values.before ? [{ name: 'before', root: resolve(values.before) }] : []), { name: 'now', root: here }];

const hasStrace = (() => {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
const STAGES = ['pages', 'flatten', 'split', 'load'];

/** The shell command of the pipe; `trace(i)` wraps stage i (strace) or not. */
function pipeCommand(root, to, dir, trace) {
  const bin = join(root, 'bin', 'notion-stream.js');
  const args = [
    ['pages', '--rate-limit', '1000', '--quiet'],
    ['flatten', '--quiet'],
    ['split'],
    to === 'ndjson' ? ['load', '--to', 'ndjson', '--quiet'] : ['load', '--to', 'duckdb', '--out', join(dir, 'out.duckdb'), '--quiet'],
  ];
  const stages = args.map((a, i) => {
    const run = `${quote(process.execPath)} ${quote(bin)} ${a.map(quote).join(' ')}`;
    return trace ? `strace -f -qq -e trace=write,writev -o ${quote(join(dir, `strace-${i}`))} ${run}` : run;
  });
  const out = to === 'ndjson' ? join(dir, 'out.ndjson') : '/dev/null';
  return `${stages.join(' | ')} > ${quote(out)}`;
}

/** Runs the pipe; resolves to its wall time and the CPU time (user + system) of its processes, in seconds. */
async function runPipe(cmd, env) {
  const t0 = performance.now();
  // `times` prints the shell's and then its children's user and system time.
  const child = spawn('sh', ['-c', `set -e; ${cmd}; times >&2`], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const [code] = await once(child, 'exit');
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`pipe failed (${code}): ${stderr.trim()}`);
  const m = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s\s*$/.exec(stderr.trim());
  const cpu = m ? Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]) : NaN;
  return { seconds, cpu };
}

/** write/writev calls on fd 1 in an strace log. */
function stdoutWrites(file) {
  return readFileSync(file, 'utf8').split('\n').filter((l) => /^\d+\s+writev?\(1,/.test(l)).length;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n) => n.toLocaleString('en-US');

const emu = await startEmulatorProcess(['--workspace', `scale:1x${rows}`, '--rate-limit', '0']);
const env = { NOTION_TOKEN: emu.url.token, NOTION_BASE_URL: emu.url.baseUrl };
console.error(`pipe bench: ${fmt(rows)} rows, ${runs} timed runs per build and destination${hasStrace ? '' : ' (strace not installed: no syscall counts)'}`);
const results = [];
try {
  for (const to of ['ndjson', 'duckdb']) {
    const dirs = builds.map(() => mkdtempSync(join(tmpdir(), 'pipe-bench-')));
    const timed = builds.map(() => []);
    try {
      // Runs alternate between the builds, so a busy machine weighs on both alike.
      for (let i = 0; i < runs; i++) {
        for (const [b, build] of builds.entries()) {
          rmSync(join(dirs[b], 'out.duckdb'), { force: true });
          timed[b].push(await runPipe(pipeCommand(build.root, to, dirs[b], false), env));
        }
      }
      for (const [b, build] of builds.entries()) {
        const dir = dirs[b];
        const walls = timed[b].map((t) => t.seconds);
        const cpus = timed[b].map((t) => t.cpu);
        const r = { to, build: build.name, best: Math.min(...walls), median: median(walls), cpuBest: Math.min(...cpus), cpuMedian: median(cpus) };
        if (to === 'ndjson') {
          const text = readFileSync(join(dir, 'out.ndjson'), 'utf8');
          r.lines = text.split('\n').filter(Boolean).length;
          r.hash = createHash('sha256').update(text.replace(/"_synced_at":"[^"]*"/g, '').replace(/"_run_id":"[^"]*"/g, '')).digest('hex').slice(0, 16);
        }
        if (hasStrace) {
          rmSync(join(dir, 'out.duckdb'), { force: true });
          await runPipe(pipeCommand(build.root, to, dir, true), env);
          r.writes = STAGES.map((_, i) => stdoutWrites(join(dir, `strace-${i}`)));
        }
        results.push(r);
        console.error(`${to} ${build.name}: wall best ${r.best.toFixed(2)} s, median ${r.median.toFixed(2)} s; CPU best ${r.cpuBest.toFixed(2)} s, median ${r.cpuMedian.toFixed(2)} s${r.writes ? `; stdout writes ${r.writes.join(' / ')}` : ''}`);
      }
    } finally {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    }
  }
} finally {
  await emu.stop();
}

console.log(`\n## Pipe bench: pages | flatten | split | load, ${fmt(rows)} rows, real OS pipes\n`);
console.log(`| destination | build | wall time, best (median) of ${runs} | CPU time of the 4 stages, best (median) | stdout write syscalls: ${STAGES.join(' / ')} |`);
console.log('|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.to} | ${r.build} | ${r.best.toFixed(2)} s (${r.median.toFixed(2)} s) | ${r.cpuBest.toFixed(2)} s (${r.cpuMedian.toFixed(2)} s) | ${r.writes ? r.writes.map(fmt).join(' / ') : 'n/a'} |`);
}
const nd = results.filter((r) => r.to === 'ndjson');
if (nd.length > 0) console.log(`\nNDJSON at the end of the pipe: ${fmt(nd.at(-1).lines)} lines${nd.length > 1 ? (nd.every((r) => r.hash === nd[0].hash) ? ', byte-identical between the builds (run stamps left out)' : ', DIFFERENT between the builds') : ''}.`);
for (const to of ['ndjson', 'duckdb']) {
  const [before, now] = [results.find((r) => r.to === to && r.build === 'before'), results.find((r) => r.to === to && r.build === 'now')];
  if (before && now) {
    console.log(`${to}: before / now: wall time ${(before.best / now.best).toFixed(2)}× (best), ${(before.median / now.median).toFixed(2)}× (median); CPU time ${(before.cpuBest / now.cpuBest).toFixed(2)}× (best), ${(before.cpuMedian / now.cpuMedian).toFixed(2)}× (median).`);
  }
}
if (nd.length > 1 && !nd.every((r) => r.hash === nd[0].hash)) process.exitCode = 1;
