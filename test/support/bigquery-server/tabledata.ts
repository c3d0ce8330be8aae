/**
 * Table rows out of DuckDB, and their two renderings: BigQuery's `{f:[{v}]}` wire format (as
 * tabledata.list and getQueryResults send it) and plain JS values for the inspection API.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { ident, tableRef } from './duck.js';
import type { Field, Row, Value } from './types.js';
import { formatTimestampIso, fromDuck } from './values.js';

export type TimestampFormat = 'INT64' | 'FLOAT' | 'ISO';

export async function readRows(
  c: DuckDBConnection,
  d: string,
  t: string,
  fields: readonly Field[],
  page?: { offset: number; limit: number },
): Promise<Row[]> {
  if (fields.length === 0) return [];
  const cols = fields.map((f) => ident(f.name)).join(', ');
  const limit = page ? ` LIMIT ${page.limit} OFFSET ${page.offset}` : '';
  const r = await c.runAndReadAll(`SELECT ${cols} FROM ${tableRef(d, t)} ORDER BY rowid${limit}`);
  return r.getRows().map((row) => fields.map((f, i) => fromDuck(f, row[i] ?? null)));
}

// ---- wire ----

/** The timestamp rendering a request asks for (query string or jobs.query formatOptions). */
export function timestampFormat(useInt64Timestamp: unknown, outputFormat: unknown): TimestampFormat {
  if (outputFormat === 'ISO8601_STRING') return 'ISO';
  if (outputFormat === 'INT64' || useInt64Timestamp === true || useInt64Timestamp === 'true') return 'INT64';
  return 'FLOAT';
}

export function wireRow(fields: readonly Field[], row: Row, ts: TimestampFormat): { f: { v: unknown }[] } {
  return { f: fields.map((f, i) => ({ v: wireField(f, row[i] ?? null, ts) })) };
}

function wireField(f: Field, v: Value, ts: TimestampFormat): unknown {
  if (f.mode === 'REPEATED') return ((v ?? []) as Value[]).map((x) => ({ v: wireScalar(f, x, ts) }));
  return wireScalar(f, v, ts);
}

function wireScalar(f: Field, v: Value, ts: TimestampFormat): unknown {
  if (v === null) return null;
  switch (f.type) {
    case 'RECORD': {
      const o = v as Record<string, Value>;
      return { f: (f.fields ?? []).map((sub) => ({ v: wireField(sub, o[sub.name] ?? null, ts) })) };
    }
    case 'FLOAT': {
      const n = v as number;
      return Number.isNaN(n) ? 'NaN' : n === Infinity ? 'Infinity' : n === -Infinity ? '-Infinity' : String(n);
    }
    case 'BOOLEAN':
      return v ? 'true' : 'false';
    case 'BYTES':
      return Buffer.from(v as Uint8Array).toString('base64');
    case 'TIMESTAMP': {
      const micros = v as bigint;
      if (ts === 'INT64') return micros.toString();
      if (ts === 'ISO') return formatTimestampIso(micros).replace(/\.(\d{3})Z$/, '.$1000Z');
      return (Number(micros) / 1e6).toExponential().replace('e+', 'E').replace('e-', 'E-');
    }
    default:
      return String(v);
  }
}

// ---- plain JS (inspection API) ----

export function plainRow(fields: readonly Field[], row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  fields.forEach((f, i) => {
    out[f.name] = plainField(f, row[i] ?? null);
  });
  return out;
}

function plainField(f: Field, v: Value): unknown {
  if (f.mode === 'REPEATED') return ((v ?? []) as Value[]).map((x) => plainScalar(f, x));
  return plainScalar(f, v);
}

function plainScalar(f: Field, v: Value): unknown {
  if (v === null) return null;
  switch (f.type) {
    case 'INTEGER': {
      const n = v as bigint;
      return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
    }
    case 'TIMESTAMP':
      return formatTimestampIso(v as bigint);
    case 'JSON':
      return JSON.parse(v as string) as unknown;
    case 'BYTES':
      return Buffer.from(v as Uint8Array).toString('base64');
    case 'RECORD': {
      const o = v as Record<string, Value>;
      const out: Record<string, unknown> = {};
      for (const sub of f.fields ?? []) out[sub.name] = plainField(sub, o[sub.name] ?? null);
      return out;
    }
    default:
      return v;
  }
}

/** Orders plain rows by every column in turn (nulls first), for stable comparisons in tests. */
export function compareRows(fields: readonly Field[]): (a: Record<string, unknown>, b: Record<string, unknown>) => number {
  return (a, b) => {
    for (const f of fields) {
      const c = compareValues(a[f.name], b[f.name]);
      if (c !== 0) return c;
    }
    return 0;
  };
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (typeof a === 'string' && typeof b === 'string') {
    if (/^-?\d+$/.test(a) && /^-?\d+$/.test(b)) {
      const x = BigInt(a);
      const y = BigInt(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
