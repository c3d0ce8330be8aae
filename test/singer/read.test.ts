import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isNotionStreamError } from '../../src/errors.js';
import type { SingerMessage } from '../../src/singer/messages.js';
import { readJsonLines, readSingerLines } from '../../src/singer/read.js';

const messages: SingerMessage[] = [
  { type: 'SCHEMA', stream: 'tasks', schema: { type: 'object', properties: { id: { type: ['null', 'string'] }, name: { type: ['null', 'string'], description: 'Nämé ✓' } } }, key_properties: ['id'] },
  { type: 'RECORD', stream: 'tasks', record: { id: 'a', name: 'Grüße 🌍 日本' } },
  { type: 'RECORD', stream: 'tasks', record: { id: 'b', name: 'line\nbreak "quoted"' } },
  { type: 'STATE', value: { bookmarks: { tasks: '2024-01-01' } } },
];
const text = messages.map((m) => JSON.stringify(m)).join('\n') + '\n';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function failure(input: string): Promise<{ code: string; message: string }> {
  try {
    await collect(readSingerLines(Readable.from([Buffer.from(input)])));
  } catch (err) {
    if (isNotionStreamError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected the read to fail');
}

describe('readSingerLines', () => {
  it('reads the same messages whatever byte the input is split at', async () => {
    const bytes = Buffer.from(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const chunks = [bytes.subarray(0, cut), bytes.subarray(cut)];
      expect(await collect(readSingerLines(Readable.from(chunks))), `cut at byte ${cut}`).toEqual(messages);
    }
  });

  it('reads input delivered one byte per chunk, from an async iterable of buffers', async () => {
    const bytes = Buffer.from(text);
    async function* oneByteAtATime() {
      for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
    }
    expect(await collect(readSingerLines(oneByteAtATime()))).toEqual(messages);
  });

  it('accepts string chunks, CRLF line ends, blank lines and a last line without a newline', async () => {
    const crlf = messages.map((m) => JSON.stringify(m)).join('\r\n\r\n');
    expect(await collect(readSingerLines([crlf.slice(0, 10), crlf.slice(10)]))).toEqual(messages);
  });

  it.each([
    ['bad JSON', `${JSON.stringify(messages[0])}\n{"type":"RECORD",`, 2, /line 2: not valid JSON/],
    ['an array', `[1,2]`, 1, /line 1: expected a JSON object, got an array/],
    ['a number', `\n\n42\n`, 3, /line 3: expected a JSON object, got a number/],
    ['a BATCH message', `{"type":"BATCH","stream":"x"}`, 1, /line 1: BATCH message for stream "x": records in batch files are not supported/],
    ['no type', `{"stream":"x"}`, 1, /line 1: message without a "type"/],
    ['record before schema', `${JSON.stringify(messages[1])}`, 1, /line 1: RECORD for stream "tasks" comes before its SCHEMA/],
    ['schema without stream', `{"type":"SCHEMA","schema":{"properties":{}},"key_properties":[]}`, 1, /line 1: SCHEMA message without a "stream"/],
    ['schema without properties', `{"type":"SCHEMA","stream":"x","schema":{},"key_properties":[]}`, 1, /line 1: SCHEMA message for stream "x" has no "schema"/],
    ['schema without key_properties', `{"type":"SCHEMA","stream":"x","schema":{"properties":{}}}`, 1, /line 1: SCHEMA message for stream "x" has no "key_properties"/],
    ['record without record', `${JSON.stringify(messages[0])}\n{"type":"RECORD","stream":"tasks"}`, 2, /line 2: RECORD message for stream "tasks" has no "record"/],
    ['record without stream', `{"type":"RECORD","record":{}}`, 1, /line 1: RECORD message without a "stream"/],
    ['state without value', `${text}{"type":"STATE"}\n`, 5, /line 5: STATE message without a "value"/],
    ['a number beyond a double', `${JSON.stringify(messages[0])}\n{"type":"RECORD","stream":"tasks","record":{"id":"a","name":1e400}}`, 2, /line 2: the number 1e400 is too large for a double/],
    ['a negative number beyond a double', `${JSON.stringify(messages[0])}\n\n{"type":"RECORD","stream":"tasks","record":{"id":"a","name":-2.5E+999}}`, 3, /line 3: the number -2.5E\+999 is too large/],
    ['a field its SCHEMA does not declare', `${JSON.stringify(messages[0])}\n{"type":"RECORD","stream":"tasks","record":{"id":"a","extra":1}}`, 2, /line 2: RECORD for stream "tasks" has the field "extra", which its SCHEMA does not declare/],
  ])('rejects %s with its line number', async (_name, input, _line, pattern) => {
    const err = await failure(input);
    expect(err.code).toBe('invalid_message');
    expect(err.message).toMatch(pattern);
  });

  it('refuses bytes that are not UTF-8 with their line number, wherever the chunks are cut', async () => {
    const bytes = Buffer.concat([Buffer.from(`${JSON.stringify(messages[0])}\n\n{"type":"RECORD","stream":"tasks","record":{"id":"a","name":"`), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}}\n')]);
    for (const cut of [1, 200, bytes.length - 6, bytes.length - 4]) {
      await expect(collect(readSingerLines(Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)]))), `cut at ${cut}`).rejects.toMatchObject({
        code: 'invalid_message',
        message: expect.stringMatching(/^line 3: not valid UTF-8/),
      });
    }
  });

  it('keeps every digit of integers beyond 2^53 and passes safe numbers unchanged', async () => {
    const input = `${JSON.stringify(messages[0])}\n{"type":"RECORD","stream":"tasks","record":{"id":"a","name":[9007199254740993,-123456789012345678901234567890,12,1.5e10,"9007199254740993"]}}\n`;
    const [, record] = await collect(readSingerLines([input]));
    expect(record).toEqual({ type: 'RECORD', stream: 'tasks', record: { id: 'a', name: [9007199254740993n, -123456789012345678901234567890n, 12, 1.5e10, '9007199254740993'] } });
  });

  it('counts line 17 as line 17', async () => {
    const good = Array.from({ length: 16 }, () => JSON.stringify({ type: 'STATE', value: 1 })).join('\n');
    expect((await failure(`${good}\nnot json\n`)).message).toMatch(/^line 17: not valid JSON/);
  });
});

describe('readJsonLines', () => {
  it('reads raw objects across chunk boundaries without Singer checks', async () => {
    const objs = [{ object: 'data_source', id: 'x' }, { object: 'page', id: 'p', properties: { Name: 'é' } }];
    const bytes = Buffer.from(objs.map((o) => JSON.stringify(o)).join('\n'));
    for (let cut = 0; cut <= bytes.length; cut += 3) {
      expect(await collect(readJsonLines(Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)])))).toEqual(objs);
    }
  });

  it('rejects a line that is not an object', async () => {
    await expect(collect(readJsonLines(['{"a":1}\n"str"\n']))).rejects.toMatchObject({ code: 'invalid_message', message: expect.stringMatching(/^line 2: expected a JSON object, got a string/) });
  });
});
