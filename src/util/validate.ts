/**
 * Checks of option values made before any request is sent or any file touched, each failing with a
 * `NotionStreamError` of code `invalid_option` (exit code 2 on the command line) whose one line names the
 * option, the value and what it takes.
 */
import { randomBytes } from 'node:crypto';
import { open, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { NotionStreamError } from '../errors.js';
import { describeNodeError } from './node-errors.js';

/** A usage mistake: code `invalid_option`, not retryable. */
function usage(message: string): NotionStreamError {
  return new NotionStreamError('invalid_option', message, false);
}

/** `--<name>` must be a whole number ≥ `min` (when given). */
export function checkInteger(name: string, value: number | undefined, min: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min) {
    throw usage(`--${name} takes a whole number of at least ${min}, got ${Number.isNaN(value) ? 'a value that is not a number' : value}.`);
  }
}

/** `--<name>` must be a finite number > 0 (when given). */
export function checkPositive(name: string, value: number | undefined, unit: string): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value <= 0) {
    throw usage(`--${name} takes a positive number of ${unit}, got ${Number.isNaN(value) ? 'a value that is not a number' : value}.`);
  }
}

/** The options every Notion-reading command shares: rate limit, concurrency, timeout, retries. */
export function checkSourceOptions(options: { rateLimit?: number; concurrency?: number; timeout?: number; retries?: number }): void {
  checkPositive('rate-limit', options.rateLimit, 'requests per second');
  checkInteger('concurrency', options.concurrency, 1);
  checkPositive('timeout', options.timeout, 'seconds');
  checkInteger('retries', options.retries, 0);
}

/** The nearest existing directory at or above `path`. */
async function existingAncestor(path: string): Promise<string> {
  let dir = resolve(path);
  for (;;) {
    const info = await stat(dir).catch(() => undefined);
    if (info?.isDirectory()) return dir;
    const parent = dirname(dir);
    if (parent === dir) return dir;
    dir = parent;
  }
}

/**
 * Checks that `--out` can be written before anything is read: for a file (`kind: 'file'`), that it is not
 * a directory and that its directory exists and takes a new file; for a directory (`kind: 'dir'`), that
 * it is not a file and that it, or the nearest existing directory above it, takes a new file. The probe
 * file is removed at once; nothing else is created.
 */
export async function checkWritableOut(option: string, path: string, kind: 'file' | 'dir'): Promise<void> {
  const target = resolve(path);
  const info = await stat(target).catch(() => undefined);
  if (kind === 'file' && info?.isDirectory()) throw usage(`${option} ${path} is a directory; give a file path.`);
  if (kind === 'dir' && info && !info.isDirectory()) throw usage(`${option} ${path} is a file; give a directory path (it is created when missing).`);
  let dir: string;
  if (kind === 'dir') dir = await existingAncestor(target);
  else {
    dir = dirname(target);
    const parent = await stat(dir).catch(() => undefined);
    if (!parent?.isDirectory()) throw usage(`${option} ${path}: the directory ${dir} does not exist; create it or choose another path.`);
  }
  const probe = join(dir, `.notion-stream-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const handle = await open(probe, 'wx');
    await handle.close();
  } catch (err) {
    throw usage(`${option} ${path} cannot be written: ${describeNodeError(err)}`);
  } finally {
    await rm(probe, { force: true }).catch(() => {});
  }
}
