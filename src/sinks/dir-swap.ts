/**
 * All-or-nothing replacement of a directory's files: a run writes into a staging directory next to the
 * target, then swaps it in with two renames (target → `.<name>.ns-old-<id>`, staging → target), recorded
 * as one commit (`file-commit.ts`) together with any further renames of the run (its state file). Files
 * of the target the run does not write are carried over as hard links, so they stay.
 *
 * A process killed part-way leaves the commit record; `recoverDir` (called at the start of every run, and
 * before an incremental run reads its state) finishes or undoes the commit, and removes staging
 * directories and finished swaps' leftovers of killed runs. So a reader sees the old files with the old
 * state, or the new files with the new state, never a mix.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { commitRecordPath, commitRenames, recoverCommits, type CommitRename } from './file-commit.js';

const STAGING = '.ns-new-';
const OLD = '.ns-old-';

/** Temporary files of killed runs (`.<file>.<pid>.<hex>.tmp`): swept, never carried over. */
const isLeftover = (name: string) => /^\..+\.tmp$/.test(name);

const exists = (path: string) => stat(path).then(() => true, () => false);

/**
 * Finishes or undoes a swap a killed run left half-done (with the renames recorded with it), puts back a
 * directory a killed swap left renamed without a record, and removes what killed runs left next to `dir`.
 */
export async function recoverDir(dir: string): Promise<void> {
  const target = resolve(dir);
  await recoverCommits(target);
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

/**
 * Swaps `staging` in as `dir`, keeping the files of `dir` that `staging` lacks; `after` are renames
 * committed with the swap (the new state file), done right after it.
 */
export async function swapDir(staging: string, dir: string, after: CommitRename[] = []): Promise<void> {
  const target = resolve(dir);
  const renames: CommitRename[] = [];
  let retired: string | undefined;
  if (await exists(target)) {
    const written = new Set(await readdir(staging));
    for (const name of await readdir(target)) {
      if (!written.has(name) && !isLeftover(name)) await link(join(target, name), join(staging, name)).catch(async () => {
        // Not a plain file (a subdirectory): moved after the swap instead.
      });
    }
    retired = join(dirname(target), `.${basename(target)}${OLD}${process.pid}-${randomBytes(4).toString('hex')}`);
    renames.push({ from: target, to: retired });
  }
  renames.push({ from: resolve(staging), to: target });
  await commitRenames(commitRecordPath(target), { renames: [...renames, ...after], point: renames.length - 1, ...(retired ? { retired } : {}) });
}
