import { randomBytes } from 'node:crypto';

/**
 * JSON text ⇄ values without changing a number: integers beyond 2^53 (which `JSON.parse` would round)
 * become `bigint`s and are written back with every digit; numbers a double cannot hold (`1e400`, which
 * `JSON.parse` turns into Infinity) are refused.
 */

/** Thrown by `parseJson` for a number literal a double cannot hold; `literal` is the text as written. */
export class NonFiniteNumberError extends Error {
  override readonly name = 'NonFiniteNumberError';
  constructor(readonly literal: string) {
    super(`the number ${literal.length > 40 ? `${literal.slice(0, 40)}…` : literal} is too large for a double (it would become Infinity); write it as a string`);
  }
}

/** Only lines with a long digit run or an exponent need the number scan. */
const NUMBER_HINT = /\d{16}|\d[eE]/;
/** Strings (skipped) and number literals, in JSON text. */
const TOKENS = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
const BIG = '\u0000bigint:';

/**
 * `JSON.parse`, except that integer literals outside the safe range (±(2^53 − 1)) become `bigint`s and
 * a number literal that overflows a double throws `NonFiniteNumberError`. Invalid JSON throws
 * `SyntaxError` as `JSON.parse` does.
 */
export function parseJson(text: string): unknown {
  if (!NUMBER_HINT.test(text)) return JSON.parse(text);
  let big = false;
  for (const [token] of text.matchAll(TOKENS)) {
    if (token.startsWith('"')) continue;
    const n = Number(token);
    if (!Number.isFinite(n)) throw new NonFiniteNumberError(token);
    if (!Number.isSafeInteger(n) && /^-?\d+$/.test(token)) big = true;
  }
  if (!big) return JSON.parse(text);
  const marked = text.replace(TOKENS, (token) =>
    token.startsWith('"') || !/^-?\d+$/.test(token) || Number.isSafeInteger(Number(token)) ? token : `"\\u0000bigint:${token}"`,
  );
  return JSON.parse(marked, (_key, value: unknown) => (typeof value === 'string' && value.startsWith(BIG) ? BigInt(value.slice(BIG.length)) : value));
}

/** `JSON.stringify` that writes `bigint`s as plain integer literals with every digit. */
export function stringifyJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof TypeError) || !/BigInt/i.test(err.message)) throw err;
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${BIG}${v}` : v)).replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
  }
}

/** A value that gives its JSON text in pieces (`IdSet`: millions of ids as base64), instead of one `toJSON` string. */
export interface JsonPieces {
  /** Pieces whose concatenation is `JSON.stringify(this)`. */
  toJSONPieces(): Iterable<string>;
}

function hasPieces(value: unknown): value is JsonPieces {
  return typeof value === 'object' && value !== null && typeof (value as Partial<JsonPieces>).toJSONPieces === 'function';
}

/**
 * The text of `stringifyJson(value)` in pieces: a value with `toJSONPieces` (an `IdSet`, the ids of a file
 * destination's state: 21 bytes of base64 per id) comes in its own pieces of a few MiB, so a state of
 * millions of ids is never one string; the rest is stringified as usual, in the pieces between them.
 * For a few large values (a STATE message): it copies the objects and arrays of `value` once.
 */
export function* jsonPieces(value: unknown): Generator<string> {
  const parts: JsonPieces[] = [];
  // A mark no other text holds: random, and JSON.stringify writes it as it is.
  const mark = `notion-stream-piece-${randomBytes(8).toString('hex')}-`;
  const text = stringifyJson(withMarks(value, parts, mark));
  let from = 0;
  for (const m of text.matchAll(new RegExp(`"${mark}(\\d+)"`, 'g'))) {
    yield text.slice(from, m.index);
    yield* parts[Number(m[1])]!.toJSONPieces();
    from = m.index + m[0].length;
  }
  yield text.slice(from);
}

/** A copy of `value` with each `JsonPieces` replaced by `mark` and its index in `parts` (objects and arrays copied, nothing else). */
function withMarks(value: unknown, parts: JsonPieces[], mark: string): unknown {
  if (hasPieces(value)) return `${mark}${parts.push(value) - 1}`;
  if (Array.isArray(value)) return value.map((v) => withMarks(v, parts, mark));
  if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withMarks(v, parts, mark)]));
  }
  return value;
}
