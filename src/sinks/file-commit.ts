/**
 * One commit of several file renames (the data and the state file of a run), recoverable after a kill at
 * any point.
 *
 * Before the first rename, a commit record (`.<name>.ns-commit-<id>.json` next to the primary output,
 * written and flushed) lists the renames in order and which of them is the commit point: the rename that
 * puts the new data in place. A run killed part-way leaves the record; `recoverCommits` (called by the
 * next run before it reads the state or writes anything) then finishes or undoes the commit from what
 * it finds on disk:
 *   - the commit point's source still exists: the data was not swapped in, so the renames done before it
 *     are undone and the sources of the later ones (the new data, the new state) removed: old data, old state;
 *   - it is gone: the data is in place, so the renames after it are done (the new state): new data, new state.
 * The record goes last. A reader therefore never sees new data with the old state, or the reverse, once
 * the next run has recovered.
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** One rename of a commit (absolute paths). */
export interface CommitRename {
  from: string;
  to: string;
}

/** What a commit record holds. */
export interface CommitRecord {
  renames: CommitRename[];
  /** Index in `renames` of the commit point (the data's rename). */
  point: number;
  /** A directory swap: the retired directory whose leftovers move into `to` of the commit point, then go. */
  retired?: string;
}

const RECORD = '.ns-commit-';

const exists = (path: string) => stat(path).then(() => true, () => false);

/** Where a commit of `primary` keeps its record (a new name for each commit). */
export function commitRecordPath(primary: string): string {
  const target = resolve(primary);
  return join(dirname(target), `.${basename(target)}${RECORD}${process.pid}-${randomBytes(4).toString('hex')}.json`);
}

/** Kills the process at a commit step when the test fault `NOTION_STREAM_FAULT=commit:<step>` asks for it. */
function fault(step: number): void {
  if (process.env.NOTION_STREAM_FAULT === `commit:${step}`) process.kill(process.pid, 'SIGKILL');
}

async function writeRecord(path: string, record: CommitRecord): Promise<void> {
  const file = await open(path, 'wx');
  try {
    await file.writeFile(JSON.stringify(record));
    await file.sync();
  } finally {
    await file.close();
  }
}

/**
 * Runs the renames of `record` as one commit. Renames whose source is missing are skipped (a directory
 * swap into a new path has no old directory to retire). `finish` runs once every rename is done (moving
 * a retired directory's leftovers), before the record is removed. Test faults: `commit:<k>` kills the
 * process after k renames (0: the record written, nothing renamed yet).
 */
export async function commitRenames(recordPath: string, record: CommitRecord): Promise<void> {
  try {
    await writeRecord(recordPath, record);
  } catch (err) {
    await rm(recordPath, { force: true });
    await Promise.all(record.renames.slice(record.point).map((s) => rm(s.from, { recursive: true, force: true })));
    throw err;
  }
  fault(0);
  try {
    for (const [i, step] of record.renames.entries()) {
      if (await exists(step.from)) await rename(step.from, step.to);
      fault(i + 1);
    }
    if (record.retired) await finishRetired(record.retired, record.renames[record.point]!.to);
  } catch (err) {
    // A rename failed (a disk error): undo or finish now, as the next run would; if even that fails, the
    // record stays and the next run does it.
    await recover(record).then(() => rm(recordPath, { force: true }), () => undefined);
    throw err;
  }
  await rm(recordPath, { force: true });
}

/** Moves what `to` lacks from the retired directory into it (entries not carried over as links), then removes it. */
export async function finishRetired(retired: string, to: string): Promise<void> {
  const entries = await readdir(retired).catch(() => [] as string[]);
  for (const name of entries) {
    if (!/^\..+\.tmp$/.test(name) && !(await exists(join(to, name)))) await rename(join(retired, name), join(to, name)).catch(() => {});
  }
  await rm(retired, { recursive: true, force: true });
}

/** Finishes or undoes one recorded commit (see the module comment). Returns 'forward' or 'back'. */
async function recover(record: CommitRecord): Promise<'forward' | 'back'> {
  const point = record.renames[record.point]!;
  if (await exists(point.from)) {
    for (const step of record.renames.slice(0, record.point).reverse()) {
      if (!(await exists(step.from)) && (await exists(step.to))) await rename(step.to, step.from);
    }
    await Promise.all(record.renames.slice(record.point).map((s) => rm(s.from, { recursive: true, force: true })));
    return 'back';
  }
  for (const step of record.renames.slice(record.point + 1)) {
    if (await exists(step.from)) await rename(step.from, step.to);
  }
  if (record.retired) await finishRetired(record.retired, point.to);
  return 'forward';
}

/**
 * Recovers every commit of `primary` a killed run left (records next to it), oldest first. Returns what
 * was done to each, for a log line. A record that cannot be read (cut by a kill while being written,
 * before any rename) is removed.
 */
export async function recoverCommits(primary: string): Promise<Array<'forward' | 'back'>> {
  const target = resolve(primary);
  const parent = dirname(target);
  const prefix = `.${basename(target)}${RECORD}`;
  const names = (await readdir(parent).catch(() => [] as string[])).filter((e) => e.startsWith(prefix) && e.endsWith('.json'));
  const done: Array<'forward' | 'back'> = [];
  for (const name of names) {
    const path = join(parent, name);
    let record: CommitRecord | undefined;
    try {
      record = JSON.parse(await readFile(path, 'utf8')) as CommitRecord;
    } catch {
      record = undefined;
    }
    if (record && Array.isArray(record.renames) && record.renames[record.point]) done.push(await recover(record));
    await rm(path, { force: true });
  }
  return done;
}

/**
 * Removes the temporary files (`.<name>.<pid>.<hex>.tmp`, see `temporaryPath`) that killed runs left next
 * to `path`; those of a process still running are kept.
 */
export async function sweepTemporaries(path: string): Promise<void> {
  const target = resolve(path);
  const parent = dirname(target);
  const pattern = new RegExp(`^\\.${basename(target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  };
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const m = pattern.exec(name);
    if (m && (Number(m[1]) === process.pid || !alive(Number(m[1])))) await rm(join(parent, name), { force: true });
  }
}
