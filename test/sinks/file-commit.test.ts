/**
 * The recorded file commit on its own: a rename that fails (a disk error, not a kill) is undone before the
 * commit point and finished after it, by the run itself or, when that fails too, by the next recovery.
 */
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commitRecordPath, commitRenames, recoverCommits } from '../../src/sinks/file-commit.js';

const tmp = () => mkdtemp(join(tmpdir(), 'ns-commit-'));

describe('commitRenames', () => {
  it('renames in order and leaves no record', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'new'), 'data 2');
    await writeFile(join(dir, 'state.tmp'), 'state 2');
    await commitRenames(commitRecordPath(join(dir, 'out')), { renames: [{ from: join(dir, 'new'), to: join(dir, 'out') }, { from: join(dir, 'state.tmp'), to: join(dir, 'state') }], point: 0 });
    expect((await readdir(dir)).sort()).toEqual(['out', 'state']);
  });

  it('a rename failing before the commit point is undone at once: old data, old state', async () => {
    const dir = await tmp();
    await mkdir(join(dir, 'out'));
    await writeFile(join(dir, 'out', 'a.csv'), 'old'); // a non-empty directory: renaming a directory over it fails
    await writeFile(join(dir, 'state'), 'state 1');
    await mkdir(join(dir, 'staging'));
    await writeFile(join(dir, 'staging', 'a.csv'), 'new');
    await writeFile(join(dir, 'state.tmp'), 'state 2');
    const commit = commitRenames(commitRecordPath(join(dir, 'out')), { renames: [{ from: join(dir, 'staging'), to: join(dir, 'out') }, { from: join(dir, 'state.tmp'), to: join(dir, 'state') }], point: 0 });
    await expect(commit).rejects.toMatchObject({ code: expect.stringMatching(/ENOTEMPTY|EEXIST/) });
    expect((await readdir(dir)).sort()).toEqual(['out', 'state']);
    expect(await readFile(join(dir, 'out', 'a.csv'), 'utf8')).toBe('old');
    expect(await readFile(join(dir, 'state'), 'utf8')).toBe('state 1');
  });

  it('a rename failing after the commit point keeps the record; the next recovery finishes it: new data, new state', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'new'), 'data 2');
    await writeFile(join(dir, 'state.tmp'), 'state 2');
    const state = join(dir, 'missing', 'state'); // its directory is gone: the state's rename fails
    const record = commitRecordPath(join(dir, 'out'));
    await expect(commitRenames(record, { renames: [{ from: join(dir, 'new'), to: join(dir, 'out') }, { from: join(dir, 'state.tmp'), to: state }], point: 0 })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readFile(join(dir, 'out'), 'utf8')).toBe('data 2');
    expect(await readdir(dir)).toContain(record.split('/').at(-1));
    await mkdir(join(dir, 'missing'));
    expect(await recoverCommits(join(dir, 'out'))).toEqual(['forward']);
    expect(await readFile(state, 'utf8')).toBe('state 2');
    expect((await readdir(dir)).sort()).toEqual(['missing', 'out']);
  });
});
