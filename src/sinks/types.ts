/**
 * What every destination implements. A sink consumes a whole Singer message stream and is
 * all-or-nothing: when the stream fails at any point (a Notion error, a malformed line, an abort) or
 * the sink itself fails, every destination table or file is left exactly as it was before the run.
 */
import { NotionStreamError } from '../notion/errors.js';
import type { SchemaMessage, SingerMessage } from '../singer/messages.js';

export interface TableSummary {
  /** Table name (the Singer stream). */
  table: string;
  /** Rows written by this run. */
  rows: number;
}

export interface SinkSummary {
  /** Where the data went: a file, a directory, or `stdout`. */
  destination: string;
  /** Every table of the run, in the order their first SCHEMA arrived. */
  tables: TableSummary[];
  /** Jobs the run created, for a warehouse that runs jobs (BigQuery). */
  jobs?: { load: number; copy: number; query: number };
  /** The value of the last STATE message of the stream, committed with the data; undefined when none came. */
  state?: unknown;
}

export interface Sink {
  /**
   * Writes the whole stream; resolves once it is durably in place, rejects leaving the destination unchanged.
   * A warehouse sink commits the last STATE message's value (table STATE_TABLE) in the same transaction as
   * the data; a file sink writes STATE messages as they come (NDJSON) or ignores them (CSV), and with a
   * state file renames the last one's value into it in one commit with the output (./file-commit.ts).
   */
  write(messages: AsyncIterable<SingerMessage>, signal?: AbortSignal): Promise<SinkSummary>;
  /**
   * The STATE value the destination holds (committed by an earlier run), or undefined. Warehouses, and
   * file sinks given a state file (they first finish or undo a commit a killed run left).
   */
  readState?(signal?: AbortSignal): Promise<unknown>;
}

/**
 * The table a warehouse keeps the Singer state in: one row, `value` (the state as JSON text) and
 * `committed_at`, replaced in the transaction that commits the data it describes.
 */
export const STATE_TABLE = '_notion_stream_state';

/** Counts rows per table and checks that each RECORD follows a SCHEMA for its stream. */
export class RunTables {
  private readonly tables = new Map<string, { schema: SchemaMessage; rows: number }>();

  schema(message: SchemaMessage): void {
    const known = this.tables.get(message.stream);
    if (known) known.schema = message;
    else this.tables.set(message.stream, { schema: message, rows: 0 });
  }

  /** The stream's current SCHEMA, counting one more row. */
  record(stream: string): SchemaMessage {
    const known = this.tables.get(stream);
    if (!known) {
      throw new NotionStreamError('invalid_input', `RECORD for stream "${stream}" comes before its SCHEMA message. Every stream needs a SCHEMA message before its first RECORD.`, false);
    }
    known.rows++;
    return known.schema;
  }

  private lastState: { value: unknown } | undefined;

  /** Keeps a STATE message's value: the last one is the run's state. */
  state(value: unknown): void {
    this.lastState = { value };
  }

  summary(destination: string): SinkSummary {
    const summary: SinkSummary = { destination, tables: [...this.tables].map(([table, t]) => ({ table, rows: t.rows })) };
    if (this.lastState) summary.state = this.lastState.value;
    return summary;
  }
}
