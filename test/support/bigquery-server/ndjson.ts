/**
 * Validation of a NEWLINE_DELIMITED_JSON load against the destination schema, with BigQuery's rules
 * and messages: each line a JSON object, known fields only, values convertible to the column type.
 * The result is all rows converted, or the errors that fail the job (then nothing is committed).
 */
import type { ErrorProto, Field, Row, Value } from './types.js';
import {
  parseDate,
  parseDatetime,
  parseInt64,
  parseNumeric,
  parseTime,
  parseTimestamp,
  timestampFromSeconds,
} from './values.js';

export interface NdjsonOptions {
  ignoreUnknownValues: boolean;
  maxBadRecords: number;
}

export interface NdjsonResult {
  rows: Row[];
  badRecords: number;
  /** Set when the load fails: errorResult first, then the per-row errors. */
  errors?: ErrorProto[];
}

/** A JSON number kept as its source text (used when JSON.parse would lose digits). */
class JsonNumber {
  constructor(readonly text: string) {}
}
type Json = null | boolean | string | number | JsonNumber | Json[] | { [k: string]: Json };

class RowError extends Error {}

const PREFIX = 'Error while reading data, error message: ';

export function parseNdjson(data: Buffer, fields: readonly Field[], opts: NdjsonOptions): NdjsonResult {
  const rows: Row[] = [];
  const rowErrors: ErrorProto[] = [];
  let lineNo = 0;
  let start = 0;
  while (start < data.length) {
    let end = data.indexOf(10, start);
    if (end < 0) end = data.length;
    const line = data.toString('utf8', start, end);
    const position = start;
    start = end + 1;
    if (line.trim() === '') continue;
    lineNo++;
    try {
      rows.push(convertRow(parseLine(line), fields, opts));
    } catch (e) {
      if (!(e instanceof RowError)) throw e;
      rowErrors.push({ reason: 'invalid', message: `${PREFIX}JSON parsing error in row starting at position ${position}: ${e.message}` });
      if (rowErrors.length > opts.maxBadRecords) {
        const n = rowErrors.length;
        const summary = `${PREFIX}JSON table encountered too many errors, giving up. Rows: ${lineNo}; errors: ${n}. Please look into the errors[] collection for more details.`;
        return {
          rows: [],
          badRecords: n,
          errors: [
            { reason: 'invalid', message: summary },
            { reason: 'invalid', message: summary },
            { reason: 'invalid', message: `${PREFIX}JSON processing encountered too many errors, giving up. Rows: ${lineNo}; errors: ${n}; max bad: ${opts.maxBadRecords}; error percent: 0` },
            ...rowErrors,
          ],
        };
      }
    }
  }
  return { rows, badRecords: rowErrors.length };
}

// ---- parsing ----

const LOSSY = /\d{16,}|[eE][+-]?\d{3,}/;

function parseLine(line: string): Json {
  if (LOSSY.test(line)) return new LosslessParser(line).parseDocument();
  try {
    return JSON.parse(line) as Json;
  } catch (e) {
    throw new RowError(`Parser terminated before end of string: ${(e as Error).message}`);
  }
}

class LosslessParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parseDocument(): Json {
    const v = this.value();
    this.ws();
    if (this.i < this.s.length) this.fail('Unexpected trailing characters');
    return v;
  }

  private fail(msg: string): never {
    throw new RowError(`Parser terminated before end of string: ${msg} at ${this.i}`);
  }

  private ws(): void {
    while (this.i < this.s.length && ' \t\r\n'.includes(this.s[this.i]!)) this.i++;
  }

  private value(): Json {
    this.ws();
    const ch = this.s[this.i];
    if (ch === '{') return this.object();
    if (ch === '[') return this.array();
    if (ch === '"') return this.string();
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.number();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    return this.fail('Unexpected token');
  }

  private object(): Json {
    this.i++;
    const out: { [k: string]: Json } = {};
    this.ws();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.i] !== '"') this.fail('Expected a key');
      const key = this.string();
      this.ws();
      if (this.s[this.i++] !== ':') this.fail('Expected ":"');
      out[key] = this.value();
      this.ws();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') this.fail('Expected "," or "}"');
    }
  }

  private array(): Json {
    this.i++;
    const out: Json[] = [];
    this.ws();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.ws();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') this.fail('Expected "," or "]"');
    }
  }

  private string(): string {
    const m = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(this.s.slice(this.i));
    if (!m) this.fail('Invalid string');
    this.i += m[0].length;
    return JSON.parse(m[0]) as string;
  }

  private number(): Json {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i));
    if (!m) this.fail('Invalid number');
    this.i += m[0].length;
    return new JsonNumber(m[0]);
  }
}

// ---- conversion ----

const isNumber = (v: Json): v is number | JsonNumber => typeof v === 'number' || v instanceof JsonNumber;
const numText = (v: number | JsonNumber): string => (typeof v === 'number' ? String(v) : v.text);
const isObject = (v: Json): v is { [k: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);

function convertRow(v: Json, fields: readonly Field[], opts: NdjsonOptions): Row {
  if (!isObject(v)) throw new RowError('Row is not a JSON object.');
  const rec = convertObject(v, fields, '', opts);
  return fields.map((f) => rec[f.name] ?? null);
}

const lookups = new WeakMap<readonly Field[], Map<string, Field>>();

function lookup(fields: readonly Field[]): Map<string, Field> {
  let m = lookups.get(fields);
  if (!m) {
    m = new Map();
    for (const f of fields) {
      m.set(f.name, f);
      m.set(f.name.toLowerCase(), f);
    }
    lookups.set(fields, m);
  }
  return m;
}

function convertObject(o: { [k: string]: Json }, fields: readonly Field[], prefix: string, opts: NdjsonOptions): Record<string, Value> {
  const byName = lookup(fields);
  const given = new Map<string, Json>();
  for (const key in o) {
    const f = byName.get(key) ?? byName.get(key.toLowerCase());
    if (!f) {
      if (opts.ignoreUnknownValues) continue;
      throw new RowError(`No such field: ${prefix}${key}.`);
    }
    if (given.has(f.name)) throw new RowError(`Duplicate field: ${prefix}${key}.`);
    given.set(f.name, o[key]!);
  }
  const out: Record<string, Value> = {};
  for (const f of fields) out[f.name] = convertField(f, given.get(f.name), prefix ? prefix + f.name : f.name, opts);
  return out;
}

function convertField(f: Field, v: Json | undefined, path: string, opts: NdjsonOptions): Value {
  if (f.mode === 'REPEATED') {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new RowError(`Repeated field must be imported as a JSON array. Field: ${path}.`);
    return v.map((x) => {
      if (x === null) throw new RowError(`Only optional fields can be set to NULL. Field: ${path}; Value: NULL`);
      if (Array.isArray(x)) throw new RowError(`Array specified for non-repeated field: ${path}.`);
      return convertScalar(f, x, path, opts);
    });
  }
  if (v === undefined) {
    if (f.mode === 'REQUIRED') throw new RowError(`Missing required field: ${path}.`);
    return null;
  }
  if (v === null) {
    if (f.mode === 'REQUIRED') throw new RowError(`Only optional fields can be set to NULL. Field: ${path}; Value: NULL`);
    // A JSON column keeps a JSON null; omitting the key is SQL NULL.
    return f.type === 'JSON' ? 'null' : null;
  }
  if (Array.isArray(v) && f.type !== 'JSON') throw new RowError(`Array specified for non-repeated field: ${path}.`);
  return convertScalar(f, v, path, opts);
}

function describe(v: Json): string {
  if (typeof v === 'string') return `string_value: ${JSON.stringify(v)}`;
  if (typeof v === 'boolean') return `bool_value: ${v}`;
  if (isNumber(v)) return /^-?\d+$/.test(numText(v)) ? `int64_value: ${numText(v)}` : `double_value: ${numText(v)}`;
  return 'value';
}

function rawText(v: Json): string {
  if (typeof v === 'string') return v;
  if (isNumber(v)) return numText(v);
  return String(v);
}

function convertScalar(f: Field, v: Json, path: string, opts: NdjsonOptions): Value {
  if (f.type === 'JSON') return jsonText(v);
  if (f.type === 'RECORD') {
    if (!isObject(v)) throw new RowError(`Could not convert value '${describe(v)}' to record. Field: ${path}; Value: ${rawText(v)}`);
    return convertObject(v, f.fields ?? [], `${path}.`, opts);
  }
  if (isObject(v)) throw new RowError(`JSON object specified for non-record field: ${path}`);
  const fail = (typeName: string): never => {
    throw new RowError(`Could not convert value '${describe(v)}' to ${typeName}. Field: ${path}; Value: ${rawText(v)}`);
  };
  switch (f.type) {
    case 'STRING':
      if (typeof v === 'string') return v;
      if (typeof v === 'boolean') return String(v);
      return numText(v as number | JsonNumber);
    case 'INTEGER': {
      if (typeof v === 'boolean') return fail('integer');
      const text = typeof v === 'string' ? (/^[+-]?\d+$/.test(v) ? v : '') : numText(v as number | JsonNumber);
      return parseInt64(text) ?? fail('integer');
    }
    case 'FLOAT': {
      if (isNumber(v)) return Number(numText(v));
      if (typeof v === 'string') {
        if (v === 'NaN') return NaN;
        if (/^[+-]?(inf|infinity)$/i.test(v)) return v.startsWith('-') ? -Infinity : Infinity;
        if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(v)) return Number(v);
      }
      return fail('double');
    }
    case 'NUMERIC': {
      if (typeof v === 'boolean') return fail('numeric');
      return parseNumeric(typeof v === 'string' ? v : numText(v as number | JsonNumber)) ?? fail('numeric');
    }
    case 'BOOLEAN':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
      return fail('boolean');
    case 'TIMESTAMP':
      if (typeof v === 'string') return parseTimestamp(v) ?? fail('timestamp');
      if (isNumber(v)) return timestampFromSeconds(numText(v)) ?? fail('timestamp');
      return fail('timestamp');
    case 'DATE':
      return (typeof v === 'string' ? parseDate(v) : undefined) ?? fail('date');
    case 'DATETIME':
      return (typeof v === 'string' ? parseDatetime(v) : undefined) ?? fail('datetime');
    case 'TIME':
      return (typeof v === 'string' ? parseTime(v) : undefined) ?? fail('time');
    case 'BYTES':
      if (typeof v === 'string' && v.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(v)) return new Uint8Array(Buffer.from(v, 'base64'));
      return fail('bytes');
  }
}

/** A JSON column's value as JSON text: a string stays a JSON string (double-encoded JSON is not unwrapped). */
function jsonText(v: Json): string {
  if (v instanceof JsonNumber) return v.text;
  if (typeof v !== 'object' || v === null) return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(',')}}`;
}
