/**
 * The `notion-stream` command line: parses flags with yargs and hands each command to its module.
 */
import yargs, { type Argv } from 'yargs';
import { DEFAULT_RATE_LIMIT } from '../notion/api.js';
import { demoCommand } from './demo-command.js';
import { emulateCommand } from './emulate-command.js';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, type CommandIO } from './run.js';
import { describeNodeError } from './errors.js';
import { flattenCommand, loadCommand, splitCommand, syncCommand } from './pipeline-commands.js';
import { listCommand, pagesCommand, type SourceOptions } from './source-commands.js';
import { DESTINATIONS, type Destination, type WriteMode } from '../sinks/create.js';
import { committing } from '../util/commit-window.js';

const EPILOGUE = `Environment:
  NOTION_TOKEN     the integration token (required for list and pages; never printed)
  NOTION_BASE_URL  Notion API base URL without /v1 (default https://api.notion.com)
  GOOGLE_CLOUD_PROJECT   BigQuery project when --project is not given
  BIGQUERY_API_ENDPOINT  a BigQuery-compatible REST endpoint (a test server); no Google credentials are used
  Google credentials: Application Default Credentials (gcloud auth application-default login,
  or GOOGLE_APPLICATION_CREDENTIALS=<service account key file>)

Without a Notion account: run \`notion-stream demo\`, or start \`notion-stream emulate\`
and set NOTION_BASE_URL and NOTION_TOKEN to what it prints.

Exit codes: 0 done, 1 failed (the cause and the fix on stderr), 2 usage, 130 interrupted.`;

function sourceFlags<T>(y: Argv<T>) {
  return y
    .option('database', {
      alias: 'd',
      type: 'string',
      array: true,
      description: 'Database or data source id or Notion URL (repeatable). Default: every data source shared with the integration.',
    })
    .option('notion-base-url', { type: 'string', description: 'Notion API base URL (env NOTION_BASE_URL), without /v1.' })
    .option('rate-limit', { type: 'number', default: DEFAULT_RATE_LIMIT, description: 'Requests per second for the whole run (Notion allows an average of 3).' })
    .option('concurrency', { type: 'number', default: 3, description: 'Data sources read at the same time.' })
    .option('timeout', { type: 'number', default: 60, description: 'Seconds before a Notion request is abandoned and retried.' })
    .option('retries', { type: 'number', default: 8, description: 'Retries of a request failing with 5xx, a timeout or a reset connection (429 waits are not counted).' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, description: 'No progress on stderr (errors and warnings still show).' });
}

function destinationFlags<T>(y: Argv<T>) {
  return y
    .option('to', { type: 'string', choices: DESTINATIONS, default: 'duckdb', description: 'Destination: a DuckDB file, a BigQuery dataset, Singer NDJSON, or a directory of CSV files.' })
    .option('out', { type: 'string', description: 'DuckDB file (default notion.duckdb), NDJSON file (default stdout) or CSV directory (default notion-csv).' })
    .option('mode', { type: 'string', choices: ['replace', 'append', 'merge'], default: 'replace', description: 'replace: swap every table of the run at once; append: add the rows; merge (DuckDB, BigQuery): upsert rows by id and replace their child rows. Whatever the mode, a failed run changes nothing.' })
    .option('project', { type: 'string', description: 'BigQuery project (env GOOGLE_CLOUD_PROJECT).' })
    .option('dataset', { type: 'string', description: 'BigQuery dataset; created (in --location) when missing.' })
    .option('location', { type: 'string', description: 'BigQuery location of the dataset and its jobs (US, EU, europe-west1, ...).' })
    .option('bigquery-endpoint', { type: 'string', description: 'A BigQuery-compatible REST endpoint, e.g. a local test server (env BIGQUERY_API_ENDPOINT); uses no Google credentials.' })
    .option('full-refresh', { type: 'boolean', default: false, description: 'BigQuery: recreate tables whose column types changed, instead of stopping. With --incremental: read every data source in full and replace its tables.' })
    .option('soft-delete', { type: 'boolean', default: false, description: 'Deletion records (incremental runs) keep their rows with _deleted_at set, instead of deleting them and their child rows.' });
}

function incrementalFlags<T>(y: Argv<T>) {
  return y
    .option('incremental', { type: 'boolean', default: false, description: 'Read only the rows edited since the last run, merge them by id, and carry trashed pages over as deletions. The state lives in the destination (DuckDB, BigQuery) or in --state.' })
    .option('state', { type: 'string', description: 'State file of incremental runs into CSV or NDJSON (read, then written once the output is in place).' })
    .option('refresh-computed', { type: 'boolean', default: false, description: 'Incremental: read in full the data sources with formula or rollup properties (their values change without an edit).' })
    .option('reconcile', { type: 'boolean', default: false, description: 'Incremental: list every id of each data source (1 request per 100 rows) to find pages deleted for good or unshared.' })
    .option('reconcile-every', { type: 'string', description: 'Incremental: reconcile a data source when its last reconciliation is older than this (12h, 7d, 2w).' });
}

function pipeFlags<T>(y: Argv<T>) {
  return y.option('assume-complete', {
    type: 'boolean',
    default: false,
    description: 'Input from another Singer tap, without the end marker this tool writes: treat the end of input as complete. Without it, an input that ends without the marker (the stage before failed or was killed) changes nothing and fails.',
  });
}

function shapeFlags<T>(y: Argv<T>) {
  return y
    .option('table', { type: 'string', array: true, description: 'Name a table: <data source id>=<name> (repeatable).' })
    .option('arrays', { type: 'string', choices: ['split', 'inline'], default: 'split', description: 'split: list values go to child tables <table>__<column>; inline: keep them as list columns.' });
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[], io: CommandIO = {}): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => {
    const stderr = io.stderr ?? process.stderr;
    const commit = committing();
    if (controller.signal.aborted) {
      // A second Ctrl-C: leave now, saying what may still change.
      if (commit) stderr.write(`notion-stream: left before ${commit} finished: it may still commit. Check the destination before running again.\n`);
      process.exit(EXIT_INTERRUPTED);
    }
    stderr.write(
      commit
        ? `\nnotion-stream: ${commit} was already submitted and may still commit; waiting for its outcome (Ctrl-C again to leave without it)…\n`
        : '\nnotion-stream: stopping (Ctrl-C again to force)…\n',
    );
    controller.abort();
  };
  const ownSignal = !io.signal;
  if (ownSignal) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  const runIO: CommandIO = { ...io, signal: io.signal ?? controller.signal };
  let exitCode = 0;
  const toSource = (a: Record<string, unknown>): SourceOptions => ({
    database: a.database as string[] | undefined,
    notionBaseUrl: a.notionBaseUrl as string | undefined,
    rateLimit: a.rateLimit as number,
    concurrency: a.concurrency as number,
    timeout: a.timeout as number,
    retries: a.retries as number,
    quiet: a.quiet as boolean,
  });
  const toDestination = (a: Record<string, unknown>) => ({
    to: a.to as Destination,
    out: a.out as string | undefined,
    mode: a.mode as WriteMode,
    project: a.project as string | undefined,
    dataset: a.dataset as string | undefined,
    location: a.location as string | undefined,
    bigqueryEndpoint: a.bigqueryEndpoint as string | undefined,
    fullRefresh: a.fullRefresh as boolean,
    softDelete: a.softDelete as boolean,
  });
  const toIncremental = (a: Record<string, unknown>) => ({
    incremental: a.incremental as boolean,
    state: a.state as string | undefined,
    refreshComputed: a.refreshComputed as boolean,
    reconcile: a.reconcile as boolean,
    reconcileEvery: a.reconcileEvery as string | undefined,
  });
  const toShape = (a: Record<string, unknown>) => ({ table: a.table as string[] | undefined, arrays: a.arrays as 'split' | 'inline' });
  try {
    await yargs(argv)
      .scriptName('notion-stream')
      .usage('$0 <command> [options]\n\nStreams Notion data sources into warehouses, at the pace of Notion\'s rate limit.')
      .command(
        'demo',
        'Sync a sample workspace from the built-in emulator into notion-demo.duckdb: a first look without a Notion account.',
        (y) =>
          y
            .option('out', { type: 'string', default: 'notion-demo.duckdb', description: 'DuckDB file to write.' })
            .option('rate-limit', { type: 'number', default: 3, description: 'Requests per second, for the emulator and the reader alike.' })
            .option('quiet', { alias: 'q', type: 'boolean', default: false, description: 'No progress lines.' }),
        async (a) => {
          exitCode = await demoCommand({ out: a.out, rateLimit: a.rateLimit, quiet: a.quiet }, runIO);
        },
      )
      .command(
        ['sync', '$0'],
        'Read every data source and write typed tables (the default command).',
        (y) => incrementalFlags(shapeFlags(destinationFlags(sourceFlags(y)))),
        async (a) => {
          exitCode = await syncCommand({ ...toSource(a), ...toShape(a), ...toDestination(a), ...toIncremental(a) }, runIO);
        },
      )
      .command(
        'list',
        'Print every data source (raw Notion JSON, one per line).',
        (y) => sourceFlags(y),
        async (a) => {
          exitCode = await listCommand(toSource(a), runIO);
        },
      )
      .command(
        'pages',
        'Print each data source object, then its pages with truncated values completed (NDJSON).',
        (y) => sourceFlags(y),
        async (a) => {
          exitCode = await pagesCommand(toSource(a), runIO);
        },
      )
      .command(
        'emulate',
        'Serve the built-in Notion API emulator on 127.0.0.1 until Ctrl-C.',
        (y) =>
          y
            .option('port', { type: 'number', default: 8787, description: 'Port to listen on (0: any free port).' })
            .option('workspace', { type: 'string', default: 'all-types', description: 'Workspace to serve: all-types, demo, scale:<N>x<pages> or a seed JSON file.' })
            .option('rate-limit', { type: 'number', default: 3, description: 'Requests per second the emulator allows before 429 (0: no limit).' }),
        async (a) => {
          exitCode = await emulateCommand({ port: a.port, workspace: a.workspace, rateLimit: a.rateLimit }, runIO);
        },
      )
      .command(
        'flatten',
        'Read `pages` output on stdin, write Singer SCHEMA and RECORD messages (one typed row per page).',
        (y) => pipeFlags(shapeFlags(y)).option('quiet', { alias: 'q', type: 'boolean', default: false }),
        async (a) => {
          exitCode = await flattenCommand({ ...toShape(a), quiet: a.quiet, assumeComplete: a.assumeComplete }, runIO);
        },
      )
      .command(
        'split',
        'Read Singer messages on stdin, move list values to child tables, write Singer messages.',
        (y) => pipeFlags(y.option('arrays', { type: 'string', choices: ['split', 'inline'], default: 'split' })),
        async (a) => {
          exitCode = await splitCommand({ arrays: a.arrays as 'split' | 'inline', assumeComplete: a.assumeComplete }, runIO);
        },
      )
      .command(
        'load',
        'Read Singer messages on stdin (from this tool or any Singer tap) and write them to a destination.',
        (y) =>
          pipeFlags(destinationFlags(y))
            .option('state', { type: 'string', description: 'Write the last STATE message loaded to this file, once its data is in place (the state of `sync --incremental --to ndjson`).' })
            .option('quiet', { alias: 'q', type: 'boolean', default: false }),
        async (a) => {
          exitCode = await loadCommand({ ...toDestination(a), state: a.state, quiet: a.quiet, assumeComplete: a.assumeComplete }, runIO);
        },
      )
      .strict()
      .epilogue(EPILOGUE)
      .wrap(Math.min(110, process.stdout.columns || 100))
      .help()
      .version()
      .exitProcess(false)
      .fail((msg, err) => {
        if (err) throw err;
        throw new CliUsage(msg);
      })
      .parseAsync();
  } catch (err) {
    if (err instanceof CliUsage) {
      (io.stderr ?? process.stderr).write(`notion-stream: ${err.message.replace(/\s*\n\s*/g, ' ').replace(/\.?$/, '.')} Run \`notion-stream --help\` for the commands and options.\n`);
      return EXIT_USAGE;
    }
    // Anything else escaping yargs still ends as one line, never a stack trace.
    (io.stderr ?? process.stderr).write(`notion-stream: ${describeNodeError(err)}\n`);
    return EXIT_FAILURE;
  } finally {
    if (ownSignal) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
  return exitCode;
}

class CliUsage extends Error {}
