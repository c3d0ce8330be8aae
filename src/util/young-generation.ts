import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

const MiB = 2 ** 20;

/** The size of V8's young generation ("new space") now, bytes; undefined where V8 reports none. */
export function youngGenerationBytes(): number | undefined {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size;
}

/** Options of `capYoungGeneration`. */
export interface YoungGenerationCapOptions {
  /** The size at which the young generation stops growing, MiB (default 16: half of V8's own largest, 32 on 64-bit Node 20). */
  maxMiB?: number;
}

/**
 * Holds V8's young generation at `maxMiB` once it has grown to that size, so a long run's peak RSS stays
 * where a short run's is.
 *
 * Why: V8 doubles the young generation whenever the bytes that survived its collections since the last
 * doubling add up to its size. A pipeline keeps a few hundred KiB in flight at every collection, so a long
 * run crosses that sum and the young generation steps from 16 to 32 MiB (measured: BigQuery sink peak RSS
 * +16 MiB between 20,000 and 200,000 rows, at the same speed either way). Node reads
 * `--max-semi-space-size` only at start; the growth factor is read at each doubling, so this sets
 * `--semi-space-growth-factor=1` once the size is reached. The size is checked after each garbage
 * collection, as Node reports it (asynchronously): a doubling that comes before the report is handled can
 * still take it one step past `maxMiB`.
 *
 * Measured on Node 20 (V8 11.3). Recent V8 versions raise the factor back to at least 2, and there this
 * changes nothing.
 *
 * Process-wide: the `notion-stream` command calls it once at start; a script that wants the same flat
 * memory may call it too. Keeps nothing alive. Throws nothing.
 *
 * @returns a function that stops checking; a cap already set stays set.
 */
export function capYoungGeneration(options: YoungGenerationCapOptions = {}): () => void {
  const { maxMiB = 16 } = options;
  const reached = (): boolean => {
    const bytes = youngGenerationBytes();
    if (bytes === undefined) return true; // nothing to watch
    if (bytes < maxMiB * MiB) return false;
    setFlagsFromString('--semi-space-growth-factor=1');
    return true;
  };
  if (reached()) return () => undefined;
  const observer = new PerformanceObserver(() => {
    if (reached()) observer.disconnect();
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
