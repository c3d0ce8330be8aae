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

/** An id as its 16 bytes; throws `invalid_state` when `id` is not a Notion id (32 hex digits, dashed or not). */
export function idBytes(id: string): Buffer {
  const hex = compactId(id);
  if (!HEX32.test(hex)) {
    throw new NotionStreamError('invalid_state', `"${id}" is not a Notion id (32 hexadecimal digits, dashed or not).`, false);
  }
  return Buffer.from(hex, 'hex');
}

/** Sorts `count` 16-byte records of `buf` (LSD radix sort, 16 bits per pass): returns a new sorted Buffer. */
function sortRecords(buf: Buffer, count: number): Buffer {
  if (count < 2) return Buffer.from(buf.subarray(0, count * ID_BYTES));
  let order = new Uint32Array(count);
  let next = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const counts = new Uint32Array(65_536);
  for (let byte = ID_BYTES - 2; byte >= 0; byte -= 2) {
    counts.fill(0);
    for (let i = 0; i < count; i++) counts[(buf[i * ID_BYTES + byte]! << 8) | buf[i * ID_BYTES + byte + 1]!]!++;
    let sum = 0;
    let distinct = 0;
    for (let d = 0; d < 65_536; d++) {
      const c = counts[d]!;
      if (c > 0) distinct++;
      counts[d] = sum;
      sum += c;
    }
    if (distinct === 1) continue; // every record has the same digit: the order stands
    for (let i = 0; i < count; i++) {
      const r = order[i]!;
      next[counts[(buf[r * ID_BYTES + byte]! << 8) | buf[r * ID_BYTES + byte + 1]!]!++] = r;
    }
    [order, next] = [next, order];
  }
  const out = Buffer.allocUnsafe(count * ID_BYTES);
  let n = 0;
  for (let i = 0; i < count; i++) {
    const at = order[i]! * ID_BYTES;
    if (n > 0 && buf.compare(out, (n - 1) * ID_BYTES, n * ID_BYTES, at, at + ID_BYTES) === 0) continue; // a repeat
    buf.copy(out, n * ID_BYTES, at, at + ID_BYTES);
    n++;
  }
  return out.subarray(0, n * ID_BYTES);
}

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
      idBytes(id).copy(buf, count * ID_BYTES);
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
      if (bytes.compare(bytes, at - ID_BYTES, at, at, at + ID_BYTES) <= 0) throw new NotionStreamError('invalid_state', 'the page ids are not sorted', false);
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
    const key = Buffer.from(hex, 'hex');
    let lo = 0;
    let hi = this.size - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.bytes.compare(key, 0, ID_BYTES, mid * ID_BYTES, (mid + 1) * ID_BYTES);
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
      while (k < r.length && r.compare(src, at, at + ID_BYTES, k, k + ID_BYTES) < 0) k += ID_BYTES;
      if (k < r.length && r.compare(src, at, at + ID_BYTES, k, k + ID_BYTES) === 0) return;
      src.copy(out, n, at, at + ID_BYTES);
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
        const c = a.compare(b, j, j + ID_BYTES, i, i + ID_BYTES);
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
      while (j < b.length && b.compare(a, i, i + ID_BYTES, j, j + ID_BYTES) < 0) j += ID_BYTES;
      if (j < b.length && b.compare(a, i, i + ID_BYTES, j, j + ID_BYTES) === 0) continue;
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
