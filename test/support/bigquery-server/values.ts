/**
 * Values in the server's canonical form (see `Value` in types.ts): parsing BigQuery's textual formats
 * for dates and times, decimal arithmetic on text, and conversion to and from DuckDB values.
 */
import {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBListValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
  DuckDBUUIDValue,
  blobValue,
  dateValue,
  decimalValue,
  listValue,
  structValue,
  timeValue,
  timestampTZValue,
  timestampValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { Field, Value } from './types.js';

// ---- calendar ----

/** Days since 1970-01-01 of a proleptic Gregorian date. */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [m <= 2 ? era * 400 + yoe + 1 : era * 400 + yoe, m, d];
}

function validDate(y: number, m: number, d: number): boolean {
  if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const dim = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= dim;
}

const pad = (n: number | bigint, w = 2): string => String(n).padStart(w, '0');
const MICROS_PER_DAY = 86_400_000_000n;
const MIN_TS = BigInt(daysFromCivil(1, 1, 1)) * MICROS_PER_DAY;
const MAX_TS = BigInt(daysFromCivil(9999, 12, 31) + 1) * MICROS_PER_DAY - 1n;

function fracMicros(frac: string | undefined): number {
  return frac ? Number(frac.padEnd(6, '0')) : 0;
}

function timeOfDay(h: string, mi: string, s: string | undefined, frac: string | undefined): number | undefined {
  const hh = Number(h);
  const mm = Number(mi);
  const ss = s === undefined ? 0 : Number(s);
  if (hh > 23 || mm > 59 || ss > 59) return undefined;
  return ((hh * 60 + mm) * 60 + ss) * 1_000_000 + fracMicros(frac);
}

const TIMESTAMP_RE =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(?: ?(Z|z|UTC|[+-]\d{2}(?::?\d{2})?))?$/;

/** A TIMESTAMP string → microseconds since the epoch; a date alone is not a timestamp. */
export function parseTimestamp(s: string): bigint | undefined {
  const m = TIMESTAMP_RE.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  if (!validDate(Number(y), Number(mo), Number(d))) return undefined;
  const tod = timeOfDay(h!, mi!, sec, frac);
  if (tod === undefined) return undefined;
  let offsetMin = 0;
  if (zone && zone !== 'Z' && zone !== 'z' && zone !== 'UTC') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (oh > 14 || om > 59) return undefined;
    offsetMin = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const micros = BigInt(daysFromCivil(Number(y), Number(mo), Number(d))) * MICROS_PER_DAY + BigInt(tod) - BigInt(offsetMin) * 60_000_000n;
  return micros < MIN_TS || micros > MAX_TS ? undefined : micros;
}

/** Epoch seconds given as a decimal text → microseconds (digits beyond microseconds truncated). */
export function timestampFromSeconds(text: string): bigint | undefined {
  const dec = parseDecimal(text);
  if (!dec) return undefined;
  const micros = scaleTo(dec, 6, 'truncate');
  return micros < MIN_TS || micros > MAX_TS ? undefined : micros;
}

export function parseDate(s: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m || !validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined;
  return s;
}

export function parseDatetime(s: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/.exec(s);
  if (!m || !validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined;
  const tod = timeOfDay(m[4]!, m[5]!, m[6], m[7]);
  if (tod === undefined) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}T${formatTimeOfDay(BigInt(tod))}`;
}

export function parseTime(s: string): string | undefined {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/.exec(s);
  if (!m) return undefined;
  const tod = timeOfDay(m[1]!, m[2]!, m[3], m[4]);
  return tod === undefined ? undefined : formatTimeOfDay(BigInt(tod));
}

/** `HH:MM:SS[.ffffff]` (the fraction only when not zero). */
export function formatTimeOfDay(micros: bigint): string {
  const totalSec = micros / 1_000_000n;
  const frac = micros % 1_000_000n;
  const h = totalSec / 3600n;
  const mi = (totalSec / 60n) % 60n;
  const s = totalSec % 60n;
  return `${pad(h)}:${pad(mi)}:${pad(s)}${frac === 0n ? '' : `.${pad(frac, 6)}`}`;
}

function splitMicros(micros: bigint): { days: number; tod: bigint } {
  let days = micros / MICROS_PER_DAY;
  let tod = micros % MICROS_PER_DAY;
  if (tod < 0n) {
    tod += MICROS_PER_DAY;
    days -= 1n;
  }
  return { days: Number(days), tod };
}

export function formatDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
}

/** `YYYY-MM-DDTHH:MM:SS[.ffffff]` of a wall-clock microsecond count (DATETIME). */
export function formatDatetime(micros: bigint): string {
  const { days, tod } = splitMicros(micros);
  return `${formatDate(days)}T${formatTimeOfDay(tod)}`;
}

/** ISO 8601 in UTC with Z: milliseconds always, microseconds when there are any. */
export function formatTimestampIso(micros: bigint): string {
  const { days, tod } = splitMicros(micros);
  const sec = tod / 1_000_000n;
  const frac = tod % 1_000_000n;
  const fraction = frac % 1000n === 0n ? pad(frac / 1000n, 3) : pad(frac, 6);
  return `${formatDate(days)}T${pad(sec / 3600n)}:${pad((sec / 60n) % 60n)}:${pad(sec % 60n)}.${fraction}Z`;
}

export function datetimeMicros(s: string): bigint {
  const [date, time] = s.split('T') as [string, string];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return BigInt(daysFromCivil(y, m, d)) * MICROS_PER_DAY + timeMicros(time);
}

export function timeMicros(s: string): bigint {
  const m = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(s)!;
  return BigInt(((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1_000_000 + fracMicros(m[4]));
}

export function dateDays(s: string): number {
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  return daysFromCivil(y, m, d);
}

// ---- exact decimals ----

export interface Decimal {
  negative: boolean;
  /** All significant digits, no leading zeros ('' for zero). */
  digits: string;
  /** Number of digits after the decimal point (may be negative). */
  scale: number;
}

const DECIMAL_RE = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

export function parseDecimal(text: string): Decimal | undefined {
  const m = DECIMAL_RE.exec(text);
  if (!m) return undefined;
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  if (intPart === '' && fracPart === '') return undefined;
  const exp = m[4] ? Number(m[4]) : 0;
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 10_000) return undefined;
  let digits = (intPart + fracPart).replace(/^0+/, '');
  let scale = fracPart.length - exp;
  while (digits.endsWith('0') && digits.length > 0) {
    digits = digits.slice(0, -1);
    scale -= 1;
  }
  if (digits === '') scale = 0;
  return { negative: m[1] === '-' && digits !== '', digits, scale };
}

/** value × 10^scale as a bigint; 'exact' returns undefined if digits would be lost. */
export function scaleTo(dec: Decimal, scale: number, mode: 'exact' | 'truncate' = 'exact'): bigint {
  if (dec.digits === '') return 0n;
  const shift = scale - dec.scale;
  let v: bigint;
  if (shift >= 0) v = BigInt(dec.digits + '0'.repeat(shift));
  else {
    const keep = dec.digits.length + shift;
    v = keep <= 0 ? 0n : BigInt(dec.digits.slice(0, keep));
    if (mode === 'exact' && dec.digits.slice(Math.max(keep, 0)).replace(/0/g, '') !== '') throw new RangeError('inexact');
  }
  return dec.negative ? -v : v;
}

export function decimalToString(dec: Decimal): string {
  if (dec.digits === '') return '0';
  let s: string;
  if (dec.scale <= 0) s = dec.digits + '0'.repeat(-dec.scale);
  else {
    const whole = dec.digits.length > dec.scale ? dec.digits.slice(0, dec.digits.length - dec.scale) : '0';
    const frac = dec.digits.length > dec.scale ? dec.digits.slice(dec.digits.length - dec.scale) : dec.digits.padStart(dec.scale, '0');
    s = `${whole}.${frac}`;
  }
  return dec.negative ? `-${s}` : s;
}

/** A NUMERIC value's canonical text, or undefined past NUMERIC's 29 integer and 9 fractional digits. */
export function parseNumeric(text: string): string | undefined {
  const dec = parseDecimal(text);
  if (!dec || dec.scale > 9 || dec.digits.length - dec.scale > 29) return undefined;
  return decimalToString(dec);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An INT64 from a decimal text (integral values only). */
export function parseInt64(text: string): bigint | undefined {
  const dec = parseDecimal(text);
  if (!dec || dec.scale > 0) return undefined;
  const v = scaleTo(dec, 0);
  return v < INT64_MIN || v > INT64_MAX ? undefined : v;
}

// ---- JSON text ----

/** Removes insignificant whitespace from valid JSON text, keeping numbers and strings byte for byte. */
export function minifyJson(text: string): string {
  if (!/\s/.test(text)) return text;
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      out += ch;
      if (ch === '\\') out += text[++i] ?? '';
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      out += ch;
    } else if (ch !== ' ' && ch !== '\n' && ch !== '\r' && ch !== '\t') out += ch;
  }
  return out;
}

// ---- DuckDB ----

/** A canonical value as the DuckDB value the appender takes for a column of this field. */
export function toDuck(f: Field, v: Value): DuckDBValue {
  if (f.mode === 'REPEATED') return listValue(((v ?? []) as Value[]).map((x) => scalarToDuck(f, x)));
  return scalarToDuck(f, v);
}

function scalarToDuck(f: Field, v: Value): DuckDBValue {
  if (v === null) return null;
  switch (f.type) {
    case 'BYTES':
      return blobValue(v as Uint8Array);
    case 'NUMERIC':
      return decimalValue(scaleTo(parseDecimal(v as string)!, 9), 38, 9);
    case 'TIMESTAMP':
      return timestampTZValue(v as bigint);
    case 'DATE':
      return dateValue(dateDays(v as string));
    case 'DATETIME':
      return timestampValue(datetimeMicros(v as string));
    case 'TIME':
      return timeValue(timeMicros(v as string));
    case 'RECORD': {
      const o = v as Record<string, Value>;
      const entries: Record<string, DuckDBValue> = {};
      for (const sub of f.fields ?? []) entries[sub.name] = toDuck(sub, o[sub.name] ?? null);
      return structValue(entries);
    }
    default:
      return v as DuckDBValue;
  }
}

/** A DuckDB value read back as the canonical value of a field. */
export function fromDuck(f: Field, v: DuckDBValue): Value {
  if (f.mode === 'REPEATED') {
    if (v === null) return [];
    const items = v instanceof DuckDBListValue ? v.items : [];
    return items.map((x) => scalarFromDuck(f, x));
  }
  return scalarFromDuck(f, v);
}

function scalarFromDuck(f: Field, v: DuckDBValue): Value {
  if (v === null || v === undefined) return null;
  switch (f.type) {
    case 'INTEGER':
      return typeof v === 'bigint' ? v : BigInt(v as number);
    case 'FLOAT':
      return typeof v === 'number' ? v : Number(v);
    case 'BOOLEAN':
      return Boolean(v);
    case 'NUMERIC': {
      if (v instanceof DuckDBDecimalValue) {
        const neg = v.value < 0n;
        const abs = (neg ? -v.value : v.value).toString();
        return decimalToString(parseDecimal(`${neg ? '-' : ''}${abs}e-${v.scale}`)!);
      }
      return decimalToString(parseDecimal(String(v))!);
    }
    case 'STRING':
      return v instanceof DuckDBUUIDValue ? v.toString() : String(v);
    case 'JSON':
      return minifyJson(String(v));
    case 'BYTES':
      return v instanceof DuckDBBlobValue ? v.bytes : new TextEncoder().encode(String(v));
    case 'TIMESTAMP':
      if (v instanceof DuckDBTimestampTZValue || v instanceof DuckDBTimestampValue) return v.micros;
      throw new Error(`unexpected TIMESTAMP value ${String(v)}`);
    case 'DATETIME':
      if (v instanceof DuckDBTimestampValue) return formatDatetime(v.micros);
      if (v instanceof DuckDBTimestampSecondsValue) return formatDatetime(v.seconds * 1_000_000n);
      if (v instanceof DuckDBTimestampMillisecondsValue) return formatDatetime(v.millis * 1000n);
      if (v instanceof DuckDBTimestampNanosecondsValue) return formatDatetime(v.nanos / 1000n);
      throw new Error(`unexpected DATETIME value ${String(v)}`);
    case 'DATE':
      if (v instanceof DuckDBDateValue) return formatDate(v.days);
      throw new Error(`unexpected DATE value ${String(v)}`);
    case 'TIME':
      if (v instanceof DuckDBTimeValue) return formatTimeOfDay(v.micros);
      throw new Error(`unexpected TIME value ${String(v)}`);
    case 'RECORD': {
      if (!(v instanceof DuckDBStructValue)) throw new Error(`unexpected RECORD value ${String(v)}`);
      const out: Record<string, Value> = {};
      for (const sub of f.fields ?? []) out[sub.name] = fromDuck(sub, v.entries[sub.name] ?? null);
      return out;
    }
  }
}
