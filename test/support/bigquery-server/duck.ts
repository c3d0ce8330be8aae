/**
 * The in-memory DuckDB database behind the server: one connection, used by one task at a time (a
 * multi-statement transaction must not interleave with another job), plus SQL quoting helpers.
 * Each BigQuery dataset is a DuckDB schema; load staging tables live in the hidden STAGING schema.
 */
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

export const STAGING = '__bq_staging';

export class Duck {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  static async create(): Promise<Duck> {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    await conn.run(`SET TimeZone = 'UTC'`);
    await conn.run(`CREATE SCHEMA ${ident(STAGING)}`);
    return new Duck(instance, conn);
  }

  /** Runs fn with the connection once every earlier task is done. */
  exclusive<T>(fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new Error('BigQuery test server is closed');
      return fn(this.conn);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    await this.queue;
    this.closed = true;
    this.conn.closeSync();
    this.instance.closeSync();
  }
}

export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function tableRef(datasetId: string, tableId: string): string {
  return `${ident(datasetId)}.${ident(tableId)}`;
}

export function str(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
