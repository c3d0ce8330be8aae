/**
 * Notion dates and datetimes: the UTC instant of a datetime (offset, or wall clock in a time zone), and
 * the six columns of a date value (see core/flatten.ts).
 */
import type { Json } from '../../notion/types.js';
import { mismatch, obj, str, type Row, type Where } from './checks.js';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const HAS_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

/** Milliseconds to add to a UTC instant to get the wall clock of `timeZone` at that instant. */
function zoneOffset(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The UTC ISO instant of a Notion datetime. An offset (or `Z`) fixes the instant; a datetime without
 * one is a wall clock in `timeZone` (UTC when Notion gives no time zone). Undefined when unreadable.
 */
export function toInstant(value: string, timeZone: string | null = null): string | undefined {
  if (!DATE_TIME.test(value)) return undefined;
  if (HAS_OFFSET.test(value)) {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : new Date(t).toISOString();
  }
  const wall = Date.parse(`${value}Z`);
  if (Number.isNaN(wall)) return undefined;
  if (timeZone === null) return new Date(wall).toISOString();
  try {
    let t = wall - zoneOffset(wall, timeZone);
    t = wall - zoneOffset(t, timeZone);
    return new Date(t).toISOString();
  } catch {
    return undefined;
  }
}

/** A datetime value as a UTC ISO instant, or null; throws `FlattenError` when it is not one. */
export function timestamp(w: Where, v: Json | undefined, timeZone: string | null = null): string | null {
  const s = str(w, v);
  if (s === null) return null;
  const instant = toInstant(s, timeZone);
  if (instant === undefined) throw mismatch(w, `"${s}" is not a date and time.`);
  return instant;
}

/** Writes a date value `{start, end, time_zone}` into its six columns (see core/flatten.ts). */
export function writeDate(w: Where, row: Row, base: string, v: Json | undefined): void {
  const d = obj(w, v);
  const start = str(w, d?.start);
  const end = str(w, d?.end);
  const timeZone = str(w, d?.time_zone);
  const part = (s: string | null): { instant: string | null; date: string | null } => {
    if (s === null) return { instant: null, date: null };
    if (DATE_ONLY.test(s)) return { instant: null, date: s };
    const instant = toInstant(s, timeZone);
    if (instant === undefined) throw mismatch(w, `"${s}" is not a date.`);
    return { instant, date: s.slice(0, 10) };
  };
  const a = part(start);
  const b = part(end);
  row[base] = a.date;
  row[`${base}_at`] = a.instant;
  row[`${base}_end`] = b.date;
  row[`${base}_end_at`] = b.instant;
  row[`${base}_time_zone`] = timeZone;
  const written = start ?? end;
  row[`${base}_is_datetime`] = written === null ? null : !DATE_ONLY.test(written);
}
