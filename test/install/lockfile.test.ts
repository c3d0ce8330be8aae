import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * `npm ci` on a fresh clone needs the lockfile to describe every package npm may choose, on any
 * platform: npm writes optional platform packages (DuckDB's native bindings) into the lockfile only when
 * it resolves them, and a lockfile missing them makes `npm install` rewrite it on another machine.
 */
interface LockPackage {
  version?: string;
  optionalDependencies?: Record<string, string>;
  dependencies?: Record<string, string>;
}

const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, LockPackage>;
};

describe('package-lock.json', () => {
  it('lists every optional platform package of every locked package (DuckDB bindings for each OS)', () => {
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        if (!lock.packages[`node_modules/${name}`] && !lock.packages[`${path}/node_modules/${name}`]) {
          missing.push(`${path || '(root)'} → ${name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('locks DuckDB bindings for Linux, macOS and Windows', () => {
    const bindings = Object.keys(lock.packages).filter((p) => p.startsWith('node_modules/@duckdb/node-bindings-'));
    for (const os of ['linux', 'darwin', 'win32']) expect(bindings.some((p) => p.includes(`-${os}-`))).toBe(true);
  });
});
