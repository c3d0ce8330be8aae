/**
 * Peak-RSS helpers shared by the sink benches: a sampler for the measured child process, a runner that
 * spawns one child per size and reads its JSON result line, and the growth check every sink must pass
 * (peak RSS at the large size within ×1.2 of the small one).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** The largest allowed peak-RSS ratio between the large and the small run of a sink. */
export const MAX_RSS_GROWTH = 1.2;

const MiB = 2 ** 20;

/**
 * Starts sampling this process's memory every `everyMs` ms. `stop()` returns the peak RSS (bytes, the
 * kernel's own high-water mark included) and the peak JavaScript heap in use.
 */
export function sampleMemory(everyMs = 50) {
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return { peakRss: Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024), peakHeap };
    },
  };
}

/**
 * Runs `node <script> ...args` with this process's Node options (so `node --max-semi-space-size=8
 * bench/x.mjs` measures the children with that V8 setting) and returns the JSON of the last line it
 * prints; throws on a non-zero exit.
 */
export async function runChild(script, args) {
  const child = spawn(process.execPath, [...process.execArgv, script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`bench child ${args.join(' ')} exited with ${code}`);
  return JSON.parse(out.trim().split('\n').pop());
}

/**
 * Sets up a measured child process as the `notion-stream` command sets up its own (bin/notion-stream.js):
 * V8's young generation held at 16 MiB once it gets there (`capYoungGeneration`), so the benches measure
 * the sinks as the command runs them. Call it first thing in the child.
 */
export async function likeTheCommand() {
  const { capYoungGeneration } = await import('../dist/util/young-generation.js');
  capYoungGeneration();
}

/** Bytes to MiB, one decimal. */
export const mib = (bytes) => Number((bytes / MiB).toFixed(1));

/**
 * The growth of peak RSS between a sink's small and large run (`{peakRssMiB}` each): the ratio, a
 * printable line, and whether it is within `MAX_RSS_GROWTH`.
 */
export function rssGrowth(sink, small, large, sizes) {
  const ratio = large.peakRssMiB / small.peakRssMiB;
  const ok = ratio <= MAX_RSS_GROWTH;
  const line = `${sink}: peak RSS ${small.peakRssMiB} MiB → ${large.peakRssMiB} MiB (${sizes}): ×${ratio.toFixed(3)} ${ok ? 'within' : 'OVER'} ×${MAX_RSS_GROWTH}`;
  return { ratio: Number(ratio.toFixed(3)), ok, line };
}
