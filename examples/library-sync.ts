// A full sync, then an incremental one, from a script into a DuckDB file. It runs against the built-in
// Notion API emulator, so it needs no Notion account; for your workspace drop the emulator and its two
// options: the token then comes from NOTION_TOKEN.
import { isNotionStreamError, sync } from 'notion-stream';
import { allTypesWorkspace, startEmulator } from 'notion-stream/emulator';

const emulator = await startEmulator({ workspace: allTypesWorkspace(), rateLimit: false });
const controller = new AbortController();
process.once('SIGINT', () => controller.abort()); // the destination is then left as it was
const options = {
  token: emulator.token,
  notionBaseUrl: emulator.url,
  rateLimit: 50, // requests per second; Notion allows an average of 3 (the default)
  to: 'duckdb',
  out: 'library-example.duckdb',
  signal: controller.signal,
  logger: { info: () => {}, warn: (line: string) => console.error(`warning: ${line}`) },
} as const;
try {
  // Reads everything; the state for the next incremental run is committed with the data.
  const full = await sync(options);
  console.log(`full: ${full.rows} rows in ${full.tables.length} tables, ${full.requests} requests (run ${full.runId})`);

  // Reads only what changed since the last run (edits, trashed pages) and merges it.
  const next = await sync({ ...options, incremental: true });
  console.log(next.nothingChanged ? 'incremental: nothing changed' : `incremental: ${next.changes?.edited} pages edited`);
} catch (err) {
  console.error(isNotionStreamError(err) ? `${err.code}: ${err.message}` : err);
  process.exitCode = 1;
} finally {
  await emulator.close();
}
