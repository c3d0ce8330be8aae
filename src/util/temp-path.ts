import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/**
 * A temporary file name next to `path`, unique to this process and call: `.<name>.<pid>.<8 hex>.tmp`
 * in the same directory, so a rename over `path` stays on one file system. Killed runs' leftovers of
 * this shape are swept by sinks/file-commit.ts `sweepTemporaries`.
 */
export function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}
