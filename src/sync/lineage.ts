/**
 * Lineage columns: every table a sync writes to a warehouse gets `_synced_at` (TIMESTAMP: when the run
 * that wrote the row started) and `_run_id` (STRING: that run's id, a row of `_notion_stream_runs`).
 * A pure core (`withLineageSchema`, `withLineageRecord`) wrapped as one async generator stage, placed
 * last in the stream so data tables, child tables, the catalog and the workspace tables all get them.
 * A merge writes them with the rows it touches; rows it leaves alone keep the values of the run that
 * wrote them.
 */
import type { SchemaMessage, SingerMessage } from '../singer/messages.js';
import { RUN_ID, SYNCED_AT } from '../core/names.js';

export { SYNCED_AT, RUN_ID };

/** The run a row came from. */
export interface Lineage {
  runId: string;
  /** ISO 8601 start of the run. */
  syncedAt: string;
}

/** A SCHEMA with the two lineage columns added at the end (replacing columns of the same names). */
export function withLineageSchema(message: SchemaMessage): SchemaMessage {
  const { [SYNCED_AT]: _s, [RUN_ID]: _r, ...properties } = message.schema.properties;
  return {
    ...message,
    schema: {
      ...message.schema,
      properties: {
        ...properties,
        [SYNCED_AT]: { type: ['null', 'string'], format: 'date-time', description: 'When the notion-stream run that wrote this row started' },
        [RUN_ID]: { type: ['null', 'string'], description: 'The notion-stream run that wrote this row (see _notion_stream_runs)' },
      },
    },
  };
}

/** A record with the run's lineage values. */
export function withLineageRecord(record: Record<string, unknown>, lineage: Lineage): Record<string, unknown> {
  return { ...record, [SYNCED_AT]: lineage.syncedAt, [RUN_ID]: lineage.runId };
}

/** The stage: SCHEMA and RECORD messages get the lineage columns; anything else passes as it is. */
export async function* withLineage(messages: AsyncIterable<SingerMessage>, lineage: Lineage): AsyncGenerator<SingerMessage> {
  for await (const message of messages) {
    if (message.type === 'SCHEMA') yield withLineageSchema(message);
    else if (message.type === 'RECORD') yield { ...message, record: withLineageRecord(message.record, lineage) };
    else yield message;
  }
}
