/**
 * NDJSON line readers: one JSON object per line, whatever the chunk boundaries of the input (a line,
 * and a multi-byte character, may be split across any number of chunks). Blank lines are skipped but
 * still counted, so error line numbers match what an editor shows. `\r\n` line ends are accepted.
 *
 * Values are read without change: integers beyond 2^53 become `bigint`s with every digit, and a number
 * a double cannot hold (`1e400`) or bytes that are not UTF-8 are refused with their line number.
 *
 * A malformed line stops the read with a `NotionStreamError` of code `invalid_message` whose message
 * starts with `line N: ` and names the reason.
 */
import type { Readable } from 'node:stream';
import { NotionStreamError } from '../errors.js';
import { EndTracker, missingEndError } from './end-marker.js';
import { normalizeColumnSchema } from './foreign.js';
import { NonFiniteNumberError, parseJson } from './json.js';
import type { ColumnSchema, SingerMessage } from './messages.js';

/**
 * How a reader treats the end marker of the completion protocol (see `end-marker.ts`). The marker line
 * itself is never passed on. `require`: an input that ends without it throws `incomplete_input` (the
 * CLI's default); `assume`: a missing marker is fine unless the input is empty (input from other Singer
 * taps); `ignore` (the default of the library functions): no check.
 */
export type EndPolicy = 'require' | 'assume' | 'ignore';

export interface LineReaderOptions {
  end?: EndPolicy;
}

/** A byte or text stream: a Readable (stdin, a file), or any (async) iterable of chunks. */
export type LineInput = Readable | AsyncIterable<string | Buffer | Uint8Array> | Iterable<string | Buffer | Uint8Array>;

function invalidLine(line: number, reason: string): NotionStreamError {
  return new NotionStreamError('invalid_message', `line ${line}: ${reason}`, false);
}

/** The text lines of the input with their 1-based numbers (blank lines left out). Bytes must be valid UTF-8. */
async function* lines(input: LineInput): AsyncGenerator<{ line: number; text: string; unterminated: boolean }> {
  // Byte chunks are split at newline bytes first (a newline byte never occurs inside a multi-byte
  // character), then each line is decoded strictly, so invalid UTF-8 is refused with its line number.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let pendingText = '';
  let pendingBytes: Buffer[] = [];
  let line = 0;
  const emit = function* (text: string, unterminated = false) {
    line++;
    const trimmed = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (trimmed.trim() !== '') yield { line, text: trimmed, unterminated };
  };
  const decode = (bytes: Buffer): string => {
    try {
      return decoder.decode(bytes);
    } catch {
      throw invalidLine(line + 1, 'not valid UTF-8 text. Input must be UTF-8 encoded.');
    }
  };
  for await (const chunk of input as AsyncIterable<string | Buffer | Uint8Array>) {
    if (typeof chunk === 'string') {
      pendingText += chunk;
      let start = 0;
      for (let nl = pendingText.indexOf('\n'); nl !== -1; nl = pendingText.indexOf('\n', start)) {
        yield* emit(pendingText.slice(start, nl));
        start = nl + 1;
      }
      pendingText = pendingText.slice(start);
      continue;
    }
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, start)) {
      pendingBytes.push(bytes.subarray(start, nl));
      const text = decode(Buffer.concat(pendingBytes));
      pendingBytes = [];
      yield* emit(pendingText + text);
      pendingText = '';
      start = nl + 1;
    }
    if (start < bytes.length) pendingBytes.push(bytes.subarray(start));
  }
  const rest = pendingText + (pendingBytes.length > 0 ? decode(Buffer.concat(pendingBytes)) : '');
  if (rest !== '') yield* emit(rest, true);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Raw JSON objects, one per line (what `notion-stream pages` prints).
 * Rejects with `NotionStreamError` `invalid_message` (`line N: ` and the reason) for a line that is not one
 * JSON object, and `incomplete_input` when `options.end` is `require` and the end marker is missing.
 */
export async function* readJsonLines(input: LineInput, options: LineReaderOptions = {}): AsyncGenerator<Record<string, unknown>> {
  const end = new EndTracker('pages', options.end === 'assume');
  for await (const { line, text, unterminated } of lines(input)) {
    const obj = unterminated && options.end === 'require' ? parseLastLine(line, text, 'pages') : parseObject(line, text);
    if (!end.take(line, obj)) yield obj;
  }
  if (options.end !== undefined && options.end !== 'ignore') end.finish();
}

/**
 * The last line of an input that required an end marker but ended without a newline: a line cut by a
 * stage killed mid-write reports the missing marker, not a JSON error.
 */
function parseLastLine(line: number, text: string, what: 'pages' | 'singer'): Record<string, unknown> {
  try {
    return parseObject(line, text);
  } catch {
    throw missingEndError(what, false);
  }
}

function parseObject(line: number, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (err) {
    if (err instanceof NonFiniteNumberError) throw invalidLine(line, `${err.message}.`);
    throw invalidLine(line, `not valid JSON (${(err as Error).message}). Each line must be one complete JSON object.`);
  }
  if (!isObject(value)) throw invalidLine(line, `expected a JSON object, got ${describe(value)}.`);
  return value;
}

/** Options of `readSingerLines`. */
export interface ReadSingerOptions extends LineReaderOptions {
  /**
   * Called once per message type the reader skips (a type other than SCHEMA, RECORD, STATE and
   * ACTIVATE_VERSION), as Singer targets ignore what they do not know. Default: skipped silently.
   * BATCH messages are refused (their records live in files), not skipped.
   */
  onWarning?: (message: string) => void;
}

/** Singer message types that carry nothing a destination table needs, skipped without a word. */
const IGNORED_TYPES = new Set(['ACTIVATE_VERSION']);

/**
 * Singer messages, one per line, checked as they are read: the message type is known, the fields a
 * type needs are present, and every RECORD comes after a SCHEMA for its stream and has only fields that
 * SCHEMA declares (a field it does not declare would be dropped by every destination, so it is refused).
 *
 * Schemas of other Singer taps are normalised (see `normalizeColumnSchema`): `anyOf` of null and one
 * type becomes that type, and `singer.decimal` strings become numbers in their RECORDs. ACTIVATE_VERSION
 * messages are skipped; other unknown types are skipped with one warning per type.
 *
 * @throws NotionStreamError `invalid_message` with `line N: ` and the reason, for a malformed line;
 *   `incomplete_input` when `end` is `require` and the input ends without its end marker.
 */
export async function* readSingerLines(input: LineInput, options: ReadSingerOptions = {}): AsyncGenerator<SingerMessage> {
  /** Per stream: the properties its SCHEMA declares, and the columns whose values arrive as decimal strings. */
  const streams = new Map<string, { declared: Set<string>; decimals: string[] }>();
  const warned = new Set<unknown>();
  const end = new EndTracker('singer', options.end === 'assume');
  for await (const { line, text, unterminated } of lines(input)) {
    const obj = unterminated && options.end === 'require' ? parseLastLine(line, text, 'singer') : parseObject(line, text);
    if (end.take(line, obj)) continue;
    const fix = 'Input must be Singer messages, as `notion-stream flatten` or a Singer tap writes them.';
    switch (obj.type) {
      case 'SCHEMA': {
        if (typeof obj.stream !== 'string' || obj.stream === '') throw invalidLine(line, `SCHEMA message without a "stream" name. ${fix}`);
        if (!isObject(obj.schema) || !isObject(obj.schema.properties)) {
          throw invalidLine(line, `SCHEMA message for stream "${obj.stream}" has no "schema" object with "properties". ${fix}`);
        }
        if (!Array.isArray(obj.key_properties) || !obj.key_properties.every((k) => typeof k === 'string')) {
          throw invalidLine(line, `SCHEMA message for stream "${obj.stream}" has no "key_properties" array of column names. ${fix}`);
        }
        const properties: Record<string, ColumnSchema> = {};
        const decimals: string[] = [];
        for (const [column, schema] of Object.entries(obj.schema.properties)) {
          if (!isObject(schema)) throw invalidLine(line, `SCHEMA message for stream "${obj.stream}": column "${column}" has no JSON Schema object. ${fix}`);
          const normalized = normalizeColumnSchema(schema as ColumnSchema);
          properties[column] = normalized.schema;
          if (normalized.decimal) decimals.push(column);
        }
        streams.set(obj.stream, { declared: new Set(Object.keys(properties)), decimals });
        yield { ...obj, schema: { ...obj.schema, properties } } as unknown as SingerMessage;
        break;
      }
      case 'RECORD': {
        if (typeof obj.stream !== 'string' || obj.stream === '') throw invalidLine(line, `RECORD message without a "stream" name. ${fix}`);
        if (!isObject(obj.record)) throw invalidLine(line, `RECORD message for stream "${obj.stream}" has no "record" object. ${fix}`);
        const known = streams.get(obj.stream);
        if (!known) {
          throw invalidLine(line, `RECORD for stream "${obj.stream}" comes before its SCHEMA message. Every stream needs a SCHEMA line before its first RECORD.`);
        }
        for (const field in obj.record) {
          if (!known.declared.has(field)) {
            throw invalidLine(line, `RECORD for stream "${obj.stream}" has the field "${field}", which its SCHEMA does not declare (it would be lost). Add "${field}" to the SCHEMA's properties.`);
          }
        }
        if (known.decimals.length > 0) obj.record = decimalsAsNumbers(line, obj.stream, obj.record, known.decimals);
        yield obj as unknown as SingerMessage;
        break;
      }
      case 'STATE': {
        if (!('value' in obj)) throw invalidLine(line, `STATE message without a "value". ${fix}`);
        yield obj as unknown as SingerMessage;
        break;
      }
      default:
        if (obj.type === undefined || typeof obj.type !== 'string') {
          throw invalidLine(line, `message without a "type"; expected SCHEMA, RECORD or STATE. ${fix}`);
        }
        if (obj.type === 'BATCH') {
          // Its records live in files the message points to: skipping it would lose them.
          throw invalidLine(line, `BATCH message for stream "${String(obj.stream)}": records in batch files are not supported. Run the tap without batch output (e.g. without its batch_config), so records come as RECORD messages.`);
        }
        if (!IGNORED_TYPES.has(obj.type) && !warned.has(obj.type)) {
          warned.add(obj.type);
          options.onWarning?.(`line ${line}: skipped Singer message type ${JSON.stringify(obj.type)} (and any later ones): notion-stream loads SCHEMA, RECORD and STATE.`);
        }
    }
  }
  if (options.end !== undefined && options.end !== 'ignore') end.finish();
}

/** The record with its `singer.decimal` string values read as numbers. */
function decimalsAsNumbers(line: number, stream: string, record: Record<string, unknown>, columns: readonly string[]): Record<string, unknown> {
  const out = { ...record };
  for (const column of columns) {
    const value = out[column];
    if (typeof value !== 'string') continue;
    const n = value.trim() === '' ? NaN : Number(value);
    if (!Number.isFinite(n)) {
      throw invalidLine(line, `column "${column}" of stream "${stream}" is a singer.decimal, but ${JSON.stringify(value)} is not a finite decimal number. Fix the tap's output.`);
    }
    out[column] = n;
  }
  return out;
}
