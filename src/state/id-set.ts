/**
 * A sorted set of Notion ids held as 16 bytes each in one Buffer, for the states of destinations that
 * cannot answer which pages they hold (CSV, NDJSON, pipes). In JSON it is one base64 string (about 21.3
 * characters per id, against 39 for a dashed id in an array), read and written without a JS string per id:
 * membership is a binary search, and a run's changes are merged into a new Buffer in one linear pass.
 */
import { compactId } from '../core/names.js';
import { NotionStreamError } from '../errors.js';

/** Dashed 8-4-4-4-12 form of 32 hex digits. */
function dashId(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const HEX32 = /^[0-9a-f]{32}$/;

/** Bytes per id: a Notion id is a UUID. */
export const ID_BYTES = 16;

/**
 * Writes an id's 16 bytes into `buf` at `at` (no allocation); throws `invalid_state` when `id` is not a
 * Notion id (32 hex digits, dashed or not, any case).
 */
export function writeId(id: string, buf: Buffer, at: number): void {
  let n = 0;
  let high = -1;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c === 45) continue; // '-'
    const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (v < 0 || n >= ID_BYTES * 2) {
      n = -1;
      break;
    }
    if (high < 0) high = v;
    else {
      buf[at + (n >> 1)] = (high << 4) | v;
      high = -1;
    }
    n++;
  }
  if (n !== ID_BYTES * 2) {
    throw new NotionStreamError('invalid_state', `"${id}" is not a Notion id (32 hexadecimal digits, dashed or not).`, false);
  }
}

/** Compares the ids at `ai` in `a` and `bi` in `b` byte by byte: negative, 0 or positive. */
function compareAt(a: Uint8Array, ai: number, b: Uint8Array, bi: number): number {
  for (let k = 0; k < ID_BYTES; k++) {
    const d = a[ai + k]! - b[bi + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Copies the id at `from` in `src` to `to` in `dst`. */
function copyAt(src: Uint8Array, from: number, dst: Uint8Array, to: number): void {
  for (let k = 0; k < ID_BYTES; k++) dst[to + k] = src[from + k]!;
}

/**
 * Sorts `count` 16-byte records of `buf`: returns a new sorted Buffer without repeats. Bucketed on the
 * first two bytes (one counting pass), then each bucket sorted by comparison: random ids give buckets of
 * a few dozen, and ids sharing a prefix still sort in O(n log n).
 */
function sortRecords(buf: Buffer, count: number): Buffer {
  if (count < 2) return Buffer.from(buf.subarray(0, count * ID_BYTES));
  const starts = new Uint32Array(65_537);
  for (let i = 0; i < count; i++) starts[((buf[i * ID_BYTES]! << 8) | buf[i * ID_BYTES + 1]!) + 1]!++;
  for (let d = 1; d <= 65_536; d++) starts[d]! += starts[d - 1]!;
  const fill = starts.slice(0, 65_536);
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[fill[(buf[i * ID_BYTES]! << 8) | buf[i * ID_BYTES + 1]!]!++] = i;
  const byId = (x: number, y: number) => compareAt(buf, x * ID_BYTES, buf, y * ID_BYTES);
  for (let d = 0; d < 65_536; d++) {
    const lo = starts[d]!;
    const hi = starts[d + 1]!;
    if (hi - lo < 2) continue;
    if (hi - lo > 32) {
      order.set(Array.from(order.subarray(lo, hi)).sort(byId), lo);
      continue;
    }
    for (let i = lo + 1; i < hi; i++) {
      const r = order[i]!;
      let j = i - 1;
      while (j >= lo && byId(order[j]!, r) > 0) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = r;
    }
  }
  const out = Buffer.allocUnsafe(count * ID_BYTES);
  let n = 0;
  for (let i = 0; i < count; i++) {
    const at = order[i]! * ID_BYTES;
    if (n > 0 && compareAt(buf, at, out, (n - 1) * ID_BYTES) === 0) continue; // a repeat
    copyAt(buf, at, out, n * ID_BYTES);
    n++;
  }
  return out.subarray(0, n * ID_BYTES);
}

/** The id `has` looks up (one at a time: lookups are synchronous). */
const SCRATCH = Buffer.alloc(ID_BYTES);

/** An immutable sorted set of Notion ids (16 bytes each). */
export class IdSet {
  private constructor(private readonly bytes: Buffer) {}

  /** The empty set. */
  static empty(): IdSet {
    return new IdSet(Buffer.alloc(0));
  }

  /** The set of `ids` (dashed or undashed, any case, repeats dropped). Throws `invalid_state` for a text that is not an id. */
  static of(ids: Iterable<string>): IdSet {
    let buf = Buffer.allocUnsafe(ID_BYTES * 1024);
    let count = 0;
    for (const id of ids) {
      if ((count + 1) * ID_BYTES > buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, count * ID_BYTES);
        buf = bigger;
      }
      writeId(id, buf, count * ID_BYTES);
      count++;
    }
    return new IdSet(sortRecords(buf, count));
  }

  /** The set a `toJSON()` string encodes. Throws `invalid_state` when it is not base64 of whole, sorted 16-byte ids. */
  static decode(text: string): IdSet {
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length % ID_BYTES !== 0 || bytes.toString('base64') !== text) {
      throw new NotionStreamError('invalid_state', 'the page ids are not base64 of 16-byte ids', false);
    }
    for (let at = ID_BYTES; at < bytes.length; at += ID_BYTES) {
      if (compareAt(bytes, at, bytes, at - ID_BYTES) <= 0) throw new NotionStreamError('invalid_state', 'the page ids are not sorted', false);
    }
    return new IdSet(bytes);
  }

  /** Number of ids. */
  get size(): number {
    return this.bytes.length / ID_BYTES;
  }

  /** True when the set holds `id` (dashed or not, any case); false for a text that is not an id. */
  has(id: string): boolean {
    const hex = compactId(id);
    if (!HEX32.test(hex)) return false;
    const key = SCRATCH;
    key.write(hex, 0, ID_BYTES, 'hex');
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareAt(this.bytes, mid * ID_BYTES, key, 0);
      if (c === 0) return true;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** This set with `added`, less `removed`, in one pass over the three sorted sets. */
  with(added: IdSet, removed: IdSet = IdSet.empty()): IdSet {
    const a = this.bytes;
    const b = added.bytes;
    const r = removed.bytes;
    const out = Buffer.allocUnsafe(a.length + b.length);
    let i = 0;
    let j = 0;
    let k = 0;
    let n = 0;
    const take = (src: Buffer, at: number) => {
      // skip removed ids smaller than this one, drop it if removed
      while (k < r.length && compareAt(r, k, src, at) < 0) k += ID_BYTES;
      if (k < r.length && compareAt(r, k, src, at) === 0) return;
      copyAt(src, at, out, n);
      n += ID_BYTES;
    };
    while (i < a.length || j < b.length) {
      if (j >= b.length) {
        // the rest of this set: copy whole runs between removed ids
        if (k >= r.length) {
          a.copy(out, n, i);
          n += a.length - i;
          break;
        }
        take(a, i);
        i += ID_BYTES;
      } else if (i >= a.length) {
        take(b, j);
        j += ID_BYTES;
      } else {
        const c = compareAt(a, i, b, j);
        if (c <= 0) {
          take(a, i);
          i += ID_BYTES;
          if (c === 0) j += ID_BYTES;
        } else {
          take(b, j);
          j += ID_BYTES;
        }
      }
    }
    return new IdSet(out.subarray(0, n));
  }

  /** The ids of this set that `other` lacks, dashed, in order. */
  *minus(other: IdSet): Generator<string> {
    const a = this.bytes;
    const b = other.bytes;
    let j = 0;
    for (let i = 0; i < a.length; i += ID_BYTES) {
      while (j < b.length && compareAt(b, j, a, i) < 0) j += ID_BYTES;
      if (j < b.length && compareAt(b, j, a, i) === 0) continue;
      yield dashId(a.toString('hex', i, i + ID_BYTES));
    }
  }

  /** The ids, dashed and lowercase, in order. */
  *[Symbol.iterator](): Generator<string> {
    for (let i = 0; i < this.bytes.length; i += ID_BYTES) yield dashId(this.bytes.toString('hex', i, i + ID_BYTES));
  }

  /** The JSON form: base64 of the sorted 16-byte ids. */
  toJSON(): string {
    return this.bytes.toString('base64');
  }
}
