/**
 * Record → one NDJSON line of a BigQuery load, pure. Each value is written in the form a load job
 * accepts for its column:
 *   TIMESTAMP  a date-time string as given; a date-only string is refused (BigQuery rejects it, and
 *              making it midnight would shift it): it names the table and column
 *   DATE       `YYYY-MM-DD`
 *   INTEGER    a JSON number when exact, a string past 2^53 (or when given as a string of digits)
 *   FLOAT      a JSON number (numeric strings are read as numbers)
 *   BOOLEAN    true/false
 *   STRING     the string; objects as their JSON text, other scalars as their text (as the DuckDB sink)
 *   JSON       the raw JSON value, never a string holding JSON; JSON null is SQL NULL
 *   REPEATED   a JSON array without null elements (BigQuery refuses them); null elements are dropped and
 *              counted, since the element carries no value
 * NULL is an omitted key. A record key the SCHEMA does not declare is an error (BigQuery would refuse the
 * row, and ignoring unknown values would drop data silently).
 */
import { NotionStreamError } from '../../errors.js';
import { columnType, type ColumnType, type SchemaMessage } from '../../singer/messages.js';
import { stringifyJson } from '../../singer/json.js';

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;

class ValueError extends Error {}

export interface EncodeStats {
  /** Null elements dropped from REPEATED columns. */
  droppedNullElements: number;
}

function encodeScalar(value: unknown, type: ColumnType): unknown {
  switch (type.kind) {
    case 'TIMESTAMP':
      if (typeof value === 'string') {
        if (DATE_TIME.test(value)) return value;
        if (DATE_ONLY.test(value)) throw new ValueError(`the date-only value "${value}" cannot be a TIMESTAMP (a date-only value would become midnight UTC)`);
      }
      throw new ValueError(`expected a date-time string, got ${JSON.stringify(value)}`);
    case 'DATE':
      if (typeof value === 'string' && DATE_ONLY.test(value)) return value;
      throw new ValueError(`expected a date (YYYY-MM-DD), got ${JSON.stringify(value)}`);
    case 'INTEGER':
      if (typeof value === 'number' && Number.isInteger(value)) return Number.isSafeInteger(value) ? value : BigInt(value).toString();
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return value;
      if (typeof value === 'bigint') return value.toString();
      throw new ValueError(`expected an integer, got ${JSON.stringify(value)}`);
    case 'NUMBER':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'bigint') return Number(value);
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      throw new ValueError(`expected a number, got ${JSON.stringify(value)}`);
    case 'BOOLEAN':
      if (typeof value === 'boolean') return value;
      throw new ValueError(`expected true or false, got ${JSON.stringify(value)}`);
    case 'STRING':
      return typeof value === 'string' ? value : typeof value === 'object' ? stringifyJson(value) : String(value);
    case 'JSON':
    case 'LIST':
      return value;
  }
}

function encodeValue(value: unknown, type: ColumnType, stats: EncodeStats): unknown {
  if (type.kind === 'LIST' && type.items.kind !== 'LIST') {
    if (!Array.isArray(value)) throw new ValueError(`expected a list, got ${JSON.stringify(value).slice(0, 80)}`);
    const out: unknown[] = [];
    for (const item of value) {
      if (item === null || item === undefined) stats.droppedNullElements++;
      else out.push(encodeScalar(item, type.items));
    }
    return out;
  }
  return encodeScalar(value, type);
}

/** Encodes the records of one table; build a new one when the table's SCHEMA changes. */
export class RowEncoder {
  private readonly columns: Map<string, ColumnType>;
  readonly stats: EncodeStats = { droppedNullElements: 0 };

  constructor(readonly schema: SchemaMessage) {
    this.columns = new Map(Object.entries(schema.schema.properties).map(([name, column]) => [name, columnType(column)]));
  }

  /** The row as BigQuery's NDJSON wants it (without the newline). `extra` columns are added as given. */
  encode(record: Record<string, unknown>, extra?: Record<string, unknown>): string {
    const row: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(record)) {
      const type = this.columns.get(name);
      if (!type) {
        throw new NotionStreamError('invalid_message', `A record of table "${this.schema.stream}" has the column "${name}", which its SCHEMA does not declare. Add it to the SCHEMA message.`, false);
      }
      if (value === null || value === undefined) continue;
      try {
        row[name] = encodeValue(value, type, this.stats);
      } catch (err) {
        if (!(err instanceof ValueError)) throw err;
        const id = record.id ?? record._parent_id;
        throw new NotionStreamError('invalid_value', `Table "${this.schema.stream}", column "${name}"${id === undefined ? '' : `, row ${JSON.stringify(id)}`}: ${err.message}.`, false);
      }
    }
    return stringifyJson(extra ? { ...row, ...extra } : row);
  }
}
