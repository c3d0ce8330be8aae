import type { ColumnSchema, SchemaMessage, SingerMessage } from '../../src/singer/messages.js';

export const str: ColumnSchema = { type: ['null', 'string'] };

export function schema(stream: string, properties: Record<string, ColumnSchema>, key_properties = ['id']): SchemaMessage {
  return { type: 'SCHEMA', stream, schema: { type: 'object', properties }, key_properties };
}

export function record(stream: string, record: Record<string, unknown>): SingerMessage {
  return { type: 'RECORD', stream, record };
}

/** Yields the messages, then fails (as a Notion error or a malformed line would) after `failAfter` of them. */
export async function* failingAfter(messages: SingerMessage[], failAfter: number, error = new Error('Notion went away')): AsyncGenerator<SingerMessage> {
  let n = 0;
  for (const m of messages) {
    if (n++ === failAfter) throw error;
    yield m;
  }
  throw error;
}

export async function* from(messages: Iterable<SingerMessage>): AsyncGenerator<SingerMessage> {
  yield* messages;
}
