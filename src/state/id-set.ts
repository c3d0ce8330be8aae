/**
 * A sorted set of Notion ids held as 16 bytes each in one Buffer, for the states of destinations that
 * cannot answer which pages they hold (CSV, NDJSON, pipes). In JSON it is one base64 string (about 21.3
 * characters per id, against 39 for a dashed id in an array), read and written without a JS string per id:
 * membership is a binary search, and a run's changes are merged into a new Buffer in one linear pass.
 */
import { NotionStreamError } from '../errors.js';

/** Dashed 8-4-4-4-12 form of 32 hex digits. */
function dashId(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Bytes per id: a Notion id is a UUID. */
export const ID_BYTES = 16;

/**
 * Writes an id's 16 bytes into `buf` at `at` (no allocation); throws `invalid_state` when `id` is not a
 * Notion id (32 hex digits, dashed or not, any case).
 */
export function writeId(id: string, buf: Buffer, at: number): void {
  if (!parseId(id, buf, at)) {
    throw new NotionStreamError('invalid_state', `"${id}" is not a Notion id (32 hexadecimal digits, dashed or not).`, false);
  }
}

/** Writes an id's 16 bytes into `buf` at `at` and returns true; false when `id` is not a Notion id. */
function parseId(id: string, buf: Uint8Array, at: number): boolean {
  let n = 0;
  let high = -1;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c === 45) continue; // '-'
    const v = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (v < 0 || n >= ID_BYTES * 2) return false;
    if (high < 0) high = v;
    else {
      buf[at + (n >> 1)] = (high << 4) | v;
      high = -1;
    }
    n++;
  }
  return n === ID_BYTES * 2;
}

/** Compares the ids at `ai` in `a` and `bi` in `b` byte by byte: negative, 0 or positive. */
function compareAt(a: Uint8Array, ai: number, b: Uint8Array, bi: number): number {
  for (let k = 0; k < ID_BYTES; k++) {
    const d = a[ai + k]! - b[bi + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** The first byte offset at or after `from` in sorted `a` whose id is not less than the id at `at` in `key`. */
function lowerBound(a: Uint8Array, from: number, key: Uint8Array, at: number): number {
  let lo = from / ID_BYTES;
  let hi = a.length / ID_BYTES;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareAt(a, mid * ID_BYTES, key, at) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo * ID_BYTES;
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
    const builder = new IdSetBuilder();
    for (const id of ids) builder.add(id);
    return builder.build();
  }

  /** @internal The set of the first `count` records of `buf`, sorted and without repeats. */
  static sorted(buf: Buffer, count: number): IdSet {
    return new IdSet(sortRecords(buf, count));
  }

  /** The set a `toJSON()` string encodes. Throws `invalid_state` when it is not base64 of whole, sorted 16-byte ids. */
  static decode(text: string): IdSet {
    const bytes = Buffer.from(text, 'base64');
    // Characters outside base64 are skipped by the decoder: the length of whole ids tells.
    if (bytes.length % ID_BYTES !== 0 || text.length !== Math.ceil(bytes.length / 3) * 4) {
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
    const key = SCRATCH;
    if (!parseId(id, key, 0)) return false;
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

  /**
   * This set with `added`, less `removed` (removal wins), made by copying the runs of this set between
   * the changes natively: O(changes × log size) comparisons plus one copy of the bytes.
   */
  with(added: IdSet, removed: IdSet = IdSet.empty()): IdSet {
    const a = this.bytes;
    const b = added.bytes;
    const r = removed.bytes;
    const out = Buffer.allocUnsafe(a.length + b.length);
    let n = 0;
    let from = 0; // bytes of `a` before this are handled
    let j = 0;
    let k = 0;
    while (j < b.length || k < r.length) {
      const isAdd = k >= r.length || (j < b.length && compareAt(b, j, r, k) < 0);
      const src = isAdd ? b : r;
      const at = isAdd ? j : k;
      const pos = lowerBound(a, from, src, at);
      a.copy(out, n, from, pos);
      n += pos - from;
      from = pos;
      const present = pos < a.length && compareAt(a, pos, src, at) === 0;
      if (present) from += ID_BYTES;
      if (isAdd) {
        copyAt(src, at, out, n);
        n += ID_BYTES;
        j += ID_BYTES;
      } else {
        k += ID_BYTES;
        while (j < b.length && compareAt(b, j, r, k - ID_BYTES) === 0) j += ID_BYTES; // added and removed: removed
      }
    }
    a.copy(out, n, from);
    n += a.length - from;
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

  /**
   * The `toJSON()` text in pieces of at most `ids` ids each (default 196,608 ids: 4 MiB of base64),
   * whose concatenation is `toJSON()`: a writer sends a large set without making it one string.
   */
  *base64Pieces(ids = 3 * 65_536): Generator<string> {
    const step = Math.max(3, ids - (ids % 3)) * ID_BYTES; // whole ids, and a multiple of 3 bytes: no padding inside
    for (let at = 0; at < this.bytes.length; at += step) yield this.bytes.toString('base64', at, Math.min(at + step, this.bytes.length));
  }

  /** `JSON.stringify(this)` in pieces (the quoted base64, see `base64Pieces`), for `jsonPieces`. */
  *toJSONPieces(): Generator<string> {
    yield '"';
    yield* this.base64Pieces();
    yield '"';
  }
}

/**
 * Collects ids one at a time (16 bytes each, no string kept) into an `IdSet`: for ids that arrive as a
 * stream, such as a reconciliation's listing.
 */
export class IdSetBuilder {
  private buf = Buffer.allocUnsafe(ID_BYTES * 1024);
  private count = 0;

  /** Adds an id (dashed or undashed, any case). Throws `invalid_state` for a text that is not an id. */
  add(id: string): void {
    if ((this.count + 1) * ID_BYTES > this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.count * ID_BYTES);
      this.buf = bigger;
    }
    writeId(id, this.buf, this.count * ID_BYTES);
    this.count++;
  }

  /** The set of the ids added (sorted, repeats dropped). */
  build(): IdSet {
    return IdSet.sorted(this.buf, this.count);
  }
}
