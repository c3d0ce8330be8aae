/**
 * The README's library example is examples/library-sync.ts word for word, and that file runs: compiled as
 * it is, imported as `notion-stream` from the built package (run `npm run build` first; `npm test` does).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { dumpDuckDb } from '../support/duckdb.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const example = join(root, 'examples/library-sync.ts');
// Inside the package, so `notion-stream` resolves to the package itself (its exports, dist/).
const runDir = join(root, 'dist', `.example-${process.pid}`);
afterAll(() => rm(runDir, { recursive: true, force: true }));

describe('examples/library-sync.ts', () => {
  it('is the README\'s "Use it as a library" code block, verbatim', async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Use it as a library'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBe(await readFile(example, 'utf8'));
  });

  it('runs: a full sync into DuckDB, then an incremental one that finds nothing changed', async () => {
    const js = ts.transpileModule(await readFile(example, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    await mkdir(runDir, { recursive: true });
    const script = join(runDir, 'library-sync.mjs');
    await writeFile(script, js);
    const cwd = await mkdtemp(join(tmpdir(), 'notion-stream-example-'));
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script], { cwd, env: { PATH: process.env.PATH ?? '' } });
    expect(stderr).toBe('');
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^full: \d+ rows in \d+ tables, \d+ requests \(run \w+\)$/);
    expect(lines[1]).toBe('incremental: nothing changed');
    const tables = await dumpDuckDb(join(cwd, 'library-example.duckdb'));
    const [, rows, count] = /^full: (\d+) rows in (\d+) tables/.exec(lines[0]!)!;
    expect(Object.keys(tables)).toHaveLength(Number(count));
    expect(Object.values(tables).reduce((n, t) => n + t.rows.length, 0)).toBe(Number(rows));
  });
});
