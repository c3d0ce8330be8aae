import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { parseDuckDbSize, stageName, STAGE_PREFIX, StagingMemory, stagingMemoryLimit } from '../../../src/sinks/duckdb/staging.js';

const MiB = 2 ** 20;

describe('DuckDB staging helpers', () => {
  it('names staging tables by prefix, run and target', () => {
    expect(stageName('0a1b2c3d', 'people')).toBe(`${STAGE_PREFIX}0a1b2c3d_people`);
  });

  it('reads DuckDB sizes', () => {
    expect(parseDuckDbSize('18.8 GiB')).toBe(Math.round(18.8 * 1024 ** 3));
    expect(parseDuckDbSize('128.0 MiB')).toBe(128 * MiB);
    expect(parseDuckDbSize('500 MB')).toBe(500_000_000);
    expect(parseDuckDbSize('0 bytes')).toBe(0);
    expect(parseDuckDbSize('unlimited')).toBeUndefined();
  });

  it('gives the widest table 2 MiB a column, at least 128 MiB', () => {
    expect(stagingMemoryLimit(3)).toBe(128 * MiB);
    expect(stagingMemoryLimit(64)).toBe(128 * MiB);
    expect(stagingMemoryLimit(100)).toBe(200 * MiB);
  });

  it('lowers DuckDB memory limit while staging and puts it back', async () => {
    const instance = await DuckDBInstance.create(':memory:', { memory_limit: '1GiB' });
    const connection = await instance.connect();
    const limit = async () => (await connection.runAndReadAll(`SELECT current_setting('memory_limit') AS m`)).getRowsJS()[0]![0];
    try {
      const memory = new StagingMemory(connection);
      await memory.fit(10);
      expect(await limit()).toBe('128.0 MiB');
      await memory.fit(300);
      expect(await limit()).toBe('600.0 MiB');
      await memory.fit(1_000); // never above DuckDB's own limit
      expect(await limit()).toBe('1.0 GiB');
      await memory.restore();
      expect(await limit()).toBe('1.0 GiB');
      await memory.fit(10);
      await memory.restore();
      expect(await limit()).toBe('1.0 GiB');
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });
});
