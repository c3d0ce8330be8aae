/**
 * The generated Singer stream the BigQuery, CSV and NDJSON sink benches load: one SCHEMA, then `n`
 * RECORDs with 10 columns of every type and a list column (`tags`, two items) that the splitter turns
 * into two child rows per row, as Notion multi-selects give.
 */
const opt = (type, format) => ({ type: ['null', type], ...(format ? { format } : {}) });

/** The SCHEMA message of the `tasks` stream. */
export const TASKS_SCHEMA = {
  type: 'SCHEMA',
  stream: 'tasks',
  key_properties: ['id'],
  schema: {
    type: 'object',
    properties: {
      id: opt('string'), url: opt('string'), created_time: opt('string', 'date-time'), last_edited_time: opt('string', 'date-time'),
      name: opt('string'), points: opt('number'), n: opt('integer'), active: opt('boolean'), due_date: opt('string', 'date'),
      raw: { 'x-json': true },
      tags: { type: ['null', 'array'], items: { type: ['null', 'object'], properties: { id: opt('string'), name: opt('string') } } },
    },
  },
};

/** The SCHEMA, then `n` RECORD messages of `tasks` (unsplit: pass through `splitStream`). */
export async function* taskMessages(n) {
  yield TASKS_SCHEMA;
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = 0; i < n; i++) {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    yield {
      type: 'RECORD', stream: 'tasks',
      record: {
        id, url: `https://www.notion.so/${id.replaceAll('-', '')}`, created_time: new Date(t0 + i * 60_000).toISOString(),
        last_edited_time: new Date(t0 + i * 90_000).toISOString(), name: `Task number ${i} with a title of ordinary length`,
        points: (i % 100) / 4, n: i, active: i % 3 === 0, due_date: new Date(t0 + (i % 365) * 86_400_000).toISOString().slice(0, 10),
        raw: { kind: 'bench', i, nested: [i % 7, 'x'] },
        tags: [{ id: `t${i % 5}`, name: `Tag ${i % 5}` }, { id: `u${i % 11}`, name: `Other ${i % 11}` }],
      },
    };
  }
}
