/**
 * What every destination implements. A sink consumes a whole Singer message stream and is
 * all-or-nothing: when the stream fails at any point (a Notion error, a malformed line, an abort) or
 * the sink itself fails, every destination table or file is left exactly as it was before the run.
 */
import { NotionStreamError } from '../errors.js';
import { throwIfAborted } from '../util/abort.js';
import { RUNS_TABLE, STATE_TABLE } from '../core/names.js';
import type { SchemaMessage, SingerMessage } from '../singer/messages.js';

/** One table a run wrote: its name and the rows this run wrote to it. */
export interface TableSummary {
  /** Table name (the Singer stream). */
  table: string;
  /** Rows written by this run. */
  rows: number;
}

/** What a sink's `write` resolves with: where the data went, the rows of each table, the jobs run. */
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

/**
 * What every destination implements (`DuckDbSink`, `BigQuerySink`, `NdjsonSink`, `CsvSink`). A sink
 * consumes a whole Singer message stream and is all-or-nothing: when the stream fails at any point (a
 * Notion error, a malformed line, an abort) or the sink itself fails, every destination table or file is
 * left as it was before the run. `write` rejects with the stream's own error, with `aborted` when the
 * signal aborts, with `invalid_message` for a RECORD before its SCHEMA, or with the sink's codes.
 */
export interface Sink {
  /**
   * Writes the whole stream; resolves once it is durably in place, rejects leaving the destination unchanged.
   * A warehouse sink commits the last STATE message's value (table STATE_TABLE) in the same transaction as
   * the data, and the run's row of RUNS_TABLE when `options.runRecord` is given; a file sink writes STATE
   * messages as they come (NDJSON) or ignores them (CSV), ignores `options`, and with a state file renames
   * the last STATE's value into it in one commit with the output (./file-commit.ts).
   */
  write(messages: AsyncIterable<SingerMessage>, signal?: AbortSignal, options?: WriteOptions): Promise<SinkSummary>;
  /**
   * The STATE value the destination holds (committed by an earlier run), or undefined. Warehouses, and
   * file sinks given a state file (they first finish or undo a commit a killed run left).
   */
  readState?(signal?: AbortSignal): Promise<unknown>;
  /**
   * Warehouses: appends a run's row to RUNS_TABLE on its own (a failed run), touching no other table.
   * Resolves false, writing nothing, when the destination does not exist yet (no file, no dataset).
   */
  recordRun?(record: RunRecord, signal?: AbortSignal): Promise<boolean>;
}

/** What a warehouse commits with the data besides the state. */
export interface WriteOptions {
  /** Called once the input has ended, just before the commit: the run's row of RUNS_TABLE, committed with the data. */
  runRecord?: (summary: SinkSummary) => RunRecord;
}

export { RUNS_TABLE, STATE_TABLE };

/** One row of RUNS_TABLE. Times are ISO 8601 instants. */
export interface RunRecord {
  run_id: string;
  started_at: string;
  finished_at: string;
  mode: 'full' | 'incremental';
  status: 'succeeded' | 'failed';
  /** Failed runs: the NotionStreamError code (or the system error code) and the one-line message. */
  error_code: string | null;
  error_message: string | null;
  tables_written: number;
  rows_written: number;
  requests: number;
  retries: number;
  rate_limit_waits: number;
  /** notion-stream's version (package.json). */
  tool_version: string;
}

/** The columns of RUNS_TABLE in order, with their kind. */
export const RUN_COLUMNS: readonly { name: keyof RunRecord; kind: 'STRING' | 'TIMESTAMP' | 'INTEGER'; description: string }[] = [
  { name: 'run_id', kind: 'STRING', description: 'The run id, as in the _run_id column of the rows it wrote' },
  { name: 'started_at', kind: 'TIMESTAMP', description: 'When the run started (the _synced_at of its rows)' },
  { name: 'finished_at', kind: 'TIMESTAMP', description: 'When it committed or failed' },
  { name: 'mode', kind: 'STRING', description: 'full or incremental' },
  { name: 'status', kind: 'STRING', description: 'succeeded or failed' },
  { name: 'error_code', kind: 'STRING', description: 'Failed runs: the error code' },
  { name: 'error_message', kind: 'STRING', description: 'Failed runs: the error, one line' },
  { name: 'tables_written', kind: 'INTEGER', description: 'Tables the run wrote (0 for a failed run)' },
  { name: 'rows_written', kind: 'INTEGER', description: 'Rows the run wrote (0 for a failed run)' },
  { name: 'requests', kind: 'INTEGER', description: 'Notion requests sent' },
  { name: 'retries', kind: 'INTEGER', description: 'Notion requests retried' },
  { name: 'rate_limit_waits', kind: 'INTEGER', description: 'Pauses on a 429 or 529 answer' },
  { name: 'tool_version', kind: 'STRING', description: 'The notion-stream version that ran' },
];


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
      throw new NotionStreamError('invalid_message', `RECORD for stream "${stream}" comes before its SCHEMA message. Every stream needs a SCHEMA message before its first RECORD.`, false);
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

/** A sink as the last step of `stream.pipeline` (see `sinkStep`). */
export interface SinkStep {
  (source: AsyncIterable<unknown>, step?: { signal?: AbortSignal }): Promise<SinkSummary>;
  /**
   * The sink's write once the pipeline has started the step: settles when the destination is committed,
   * or is back as it was. `pipeline` rejects at a stage's first error, possibly before the sink has
   * finished undoing its staging: await this (ignoring its rejection) before looking at the destination.
   */
  written?: Promise<SinkSummary>;
}

/**
 * A sink as the last step of `stream.pipeline`: the step writes the messages it is given (all-or-nothing,
 * as `sink.write`) and returns the sink's summary, which `pipeline` resolves with:
 *
 *   const summary = await pipeline(Readable.from(messages), createSplitter(), sinkStep(new DuckDbSink()));
 *
 * The step aborts on the pipeline's signal (a failing or destroyed stage) and on `options.signal`, and
 * never commits a stream that ended because the pipeline stopped. It rejects with the sink's codes, or
 * `aborted`; `pipeline` itself rejects with the first stage's error.
 */
export function sinkStep(sink: Sink, options: { signal?: AbortSignal; write?: WriteOptions } = {}): SinkStep {
  const step: SinkStep = (source, pipelineStep) => {
    const signals = [options.signal, pipelineStep?.signal].filter((s): s is AbortSignal => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    step.written = sink.write(untilAborted(source as AsyncIterable<SingerMessage>, signal), signal, options.write);
    return step.written;
  };
  return step;
}

/**
 * The messages of `source`, failing instead of ending when `signal` aborted: a stage destroyed by
 * `pipeline` may end its output early without an error, and a sink must not commit such a stream.
 */
async function* untilAborted(source: AsyncIterable<SingerMessage>, signal: AbortSignal | undefined): AsyncGenerator<SingerMessage> {
  for await (const message of source) {
    throwIfAborted(signal);
    yield message;
  }
  throwIfAborted(signal);
}
