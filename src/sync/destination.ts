/** Checks of a destination's paths, made before anything is read or changed. */
import { DEFAULT_CSV_DIR, type Destination } from '../sinks/create.js';
import { DEFAULT_DUCKDB_PATH } from '../sinks/duckdb/sink.js';
import { checkWritableOut } from '../util/validate.js';

/**
 * Checks that `out` (or the destination's default path) and, when `writesState`, `state` can be written,
 * so a bad path fails at once with one line. BigQuery and stdout (`-`) need no path. Throws `invalid_option`.
 */
export async function checkDestination(options: { to: Destination; out?: string; state?: string }, writesState: boolean): Promise<void> {
  if (options.out !== undefined && options.out !== '-' && options.to !== 'bigquery') {
    await checkWritableOut('--out', options.out, options.to === 'csv' ? 'dir' : 'file');
  } else if (options.to === 'duckdb') await checkWritableOut('--out', DEFAULT_DUCKDB_PATH, 'file');
  else if (options.to === 'csv') await checkWritableOut('--out', DEFAULT_CSV_DIR, 'dir');
  if (writesState && options.state) await checkWritableOut('--state', options.state, 'file');
}
