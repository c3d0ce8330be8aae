/**
 * The two stand-ins a BigQuery end-to-end test needs: the Notion emulator and the strict BigQuery test
 * server, started per test and closed after it, with the CLI flags and the real client pointed at them.
 * Call at the top of a test file: it registers the hooks.
 */
import { afterEach, beforeAll } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import type { Workspace } from '../../src/emulator/workspace.js';
import { createBigQueryClient } from '../../src/sinks/bigquery/client.js';
import { startBigQueryServer, type BigQueryServerOptions, type BigQueryTestServer } from './bigquery-server/index.js';

export interface EmulatorAndBigQuery {
  /** The running emulator and server of the current test (after `serve`). */
  emu: Emulator | undefined;
  bq: BigQueryTestServer | undefined;
  /** Starts both; returns the environment for the CLI (NOTION_TOKEN, NOTION_BASE_URL). */
  serve(workspace: Workspace, server?: Partial<BigQueryServerOptions>): Promise<{ NOTION_TOKEN: string; NOTION_BASE_URL: string }>;
  /** `--to bigquery` and the flags that point it at the test server, for a dataset. */
  toBigQuery(dataset: string): string[];
  /** The real client, pointed at the test server. */
  client(): ReturnType<typeof createBigQueryClient>;
}

export function useEmulatorAndBigQuery(): EmulatorAndBigQuery {
  const h: EmulatorAndBigQuery = {
    emu: undefined,
    bq: undefined,
    async serve(workspace, server = {}) {
      h.emu = await startEmulator({ workspace, rateLimit: false });
      h.bq = await startBigQueryServer({ projectId: 'test-project', ...server });
      return { NOTION_TOKEN: h.emu.token, NOTION_BASE_URL: h.emu.url };
    },
    toBigQuery: (dataset) => ['--to', 'bigquery', '--project', h.bq!.projectId, '--dataset', dataset, '--location', 'US', '--bigquery-endpoint', h.bq!.url],
    client: () => createBigQueryClient({ projectId: h.bq!.projectId, location: 'US', endpoint: h.bq!.url }),
  };
  beforeAll(() => {
    process.env.METADATA_SERVER_DETECTION = 'none'; // no Google metadata server lookups
  });
  afterEach(async () => {
    await h.emu?.close();
    await h.bq?.close();
    h.emu = undefined;
    h.bq = undefined;
  });
  return h;
}
