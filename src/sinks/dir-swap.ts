/**
 * All-or-nothing replacement of a directory's files: a run writes into a staging directory next to the
 * target, then swaps it in with two renames (target → `.<name>.ns-old-<id>`, staging → target). Files of
 * the target the run does not write are carried over as hard links, so they stay.
 *
 * A process killed between the two renames leaves the old directory under its `-old` name and no
 * target; `recoverDir` (called at the start of every run) puts it back, and removes staging directories
 * and finished swaps' leftovers of killed runs. So a reader sees the old files or the new ones, never a mix.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

const STAGING = '.ns-new-';
const OLD = '.ns-old-';

/** Temporary files of killed runs (`.<file>.<pid>.<hex>.tmp`): swept, never carried over. */
const isLeftover = (name: string) => /^\..+\.tmp$/.test(name);

const exists = (path: string) => stat(path).then(() => true, () => false);

/** Puts back a directory a killed swap left renamed, and removes what killed runs left next to `dir`. */
export async function recoverDir(dir: string): Promise<void> {
  const target = resolve(dir);
  const parent = dirname(target);
  const prefix = `.${basename(target)}`;
  const entries = await readdir(parent).catch(() => [] as string[]);
  const old = entries.filter((e) => e.startsWith(`${prefix}${OLD}`));
  const staging = entries.filter((e) => e.startsWith(`${prefix}${STAGING}`));
  if (old.length > 0 && !(await exists(target))) await rename(join(parent, old[0]!), target); // roll back
  await Promise.all([...old, ...staging].map((e) => rm(join(parent, e), { recursive: true, force: true })));
}

/** A staging directory for `dir` (created, with its parents when missing). Returns its path. */
export async function stagingDir(dir: string): Promise<string> {
  const target = resolve(dir);
  const path = join(dirname(target), `.${basename(target)}${STAGING}${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(path, { recursive: true });
  return path;
}

/** Swaps `staging` in as `dir`, keeping the files of `dir` that `staging` lacks. */
export async function swapDir(staging: string, dir: string): Promise<void> {
  const target = resolve(dir);
  if (!(await exists(target))) {
    await rename(staging, target);
    return;
  }
  const written = new Set(await readdir(staging));
  for (const name of await readdir(target)) {
    if (!written.has(name) && !isLeftover(name)) await link(join(target, name), join(staging, name)).catch(async () => {
      // Not a plain file (a subdirectory): moved after the swap instead.
    });
  }
  const old = join(dirname(target), `.${basename(target)}${OLD}${process.pid}-${randomBytes(4).toString('hex')}`);
  await rename(target, old);
  if (process.env.NOTION_STREAM_FAULT === 'csv-swap') process.kill(process.pid, 'SIGKILL'); // tests: a kill between the renames
  await rename(staging, target);
  for (const name of await readdir(old)) {
    if (!isLeftover(name) && !(await exists(join(target, name)))) await rename(join(old, name), join(target, name)).catch(() => {});
  }
  await rm(old, { recursive: true, force: true });
}
