/**
 * The `notion-stream` command line: parses flags with yargs and hands each command to its module.
 */
import { distance } from 'fastest-levenshtein';
import yargs, { type Argv } from 'yargs';
import { DEFAULT_RATE_LIMIT } from '../notion/api.js';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, type CommandIO } from './run.js';
import { describeNodeError } from '../util/node-errors.js';
import type { SourceOptions } from './source-commands.js';
import { toWorkspaceFlags, workspaceFlags } from './workspace-flags.js';
import { DESTINATIONS, type Destination, type WriteMode } from '../sinks/destinations.js';
import { committing } from '../util/commit-window.js';
// Command modules load when their command runs (DuckDB and BigQuery are heavy): `--help` stays fast.

const NOTION_ENV = `  NOTION_TOKEN           the integration token (required; never printed)
  NOTION_BASE_URL        Notion API base URL without /v1 (default https://api.notion.com)`;
const BIGQUERY_ENV = `  GOOGLE_CLOUD_PROJECT   BigQuery project when --project is not given
  BIGQUERY_API_ENDPOINT  a BigQuery-compatible REST endpoint (a test server); no Google credentials are used
  Google credentials: Application Default Credentials (gcloud auth application-default login,
  or GOOGLE_APPLICATION_CREDENTIALS=<service account key file>)`;
const EXIT_CODES = 'Exit codes: 0 done, 1 failed (the cause and the fix on stderr), 2 usage mistake, 130 interrupted.';

/** The closing text of a help screen: the environment variables the command reads, and the exit codes. */
function epilogue(...env: string[]): string {
  return [env.length > 0 ? `Environment:\n${env.join('\n')}` : 'Environment: none (reads stdin, writes stdout).', EXIT_CODES].join('\n\n');
}

const EPILOGUE = `${epilogue(NOTION_ENV, BIGQUERY_ENV)}

Without a Notion account: run \`notion-stream demo\`, or start \`notion-stream emulate\`
and set NOTION_BASE_URL and NOTION_TOKEN to what it prints.`;

/**
 * The known name closest to a mistyped one (`rate-limt` → `rate-limit`), or undefined when none is
 * within `maxEdits` edits (default: a third of its length, at least 1).
 */
export function closestOption(unknown: string, known: readonly string[], maxEdits = Math.max(1, Math.floor(unknown.length / 3))): string | undefined {
  let best: string | undefined;
  let bestDistance = maxEdits + 1;
  for (const candidate of known) {
    const d = distance(unknown, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** The long options of the command being parsed (set by its builder), for "did you mean". */
let knownOptions: string[] = [];

/** Records the options a command's builder declared; returns the builder's yargs unchanged. */
function remember<T>(y: Argv<T>): Argv<T> {
  const options = (y as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions();
  knownOptions = Object.keys(options.key).filter((k) => k.length > 1 && !k.includes('_') && k !== '$0' && /^[a-z]/.test(k));
  return y;
}

/** The commands, for "did you mean" on a mistyped one. */
const COMMANDS = ['sync', 'status', 'list', 'pages', 'flatten', 'split', 'load', 'emulate', 'demo'];

/**
 * Rewrites yargs' "Unknown arguments: a, b" as one sentence per argument with the closest option of the
 * command or the closest command (`snyc` → `sync`); other messages are returned as they are.
 */
function withSuggestions(message: string, options: readonly string[], argv: readonly string[]): string {
  const m = /^Unknown arguments?: (.*)$/.exec(message);
  if (!m) return message;
  const args = m[1]!.split(', ');
  const kebab = new Set(args);
  const parts = args
    .filter((arg) => !(/[A-Z]/.test(arg) && kebab.has(arg.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`))))
    .map((arg) => {
      // A bare word (`statsu`) is a mistyped command; a flag (`--statsu`) a mistyped option.
      const bare = argv.includes(arg);
      const option = bare ? undefined : closestOption(arg, options);
      if (option) return `unknown option --${arg}: did you mean --${option}?`;
      const command = closestOption(arg, COMMANDS, 2);
      if (command) return `unknown command "${arg}": did you mean \`notion-stream ${command}\`?`;
      return `unknown argument "${arg}"`;
    });
  return parts.join('; ');
}

function sourceFlags<T>(y: Argv<T>) {
  return y
    .option('database', {
      alias: 'd',
      type: 'string',
      array: true,
      description: 'Database or data source id, Notion URL, or a data source title shared by no other (repeatable). Default: every data source shared with the integration.',
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
    .option('full-refresh', { type: 'boolean', default: false, description: 'DuckDB and BigQuery: rebuild tables whose column types changed (from this run\'s rows), instead of stopping. With --incremental: read every data source in full and replace its tables.' })
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
    .option('table', { type: 'string', array: true, description: 'Name a table: <data source id or title>=<name> (repeatable).' })
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
          remember(y
            .option('out', { type: 'string', default: 'notion-demo.duckdb', description: 'DuckDB file to write.' })
            .option('rate-limit', { type: 'number', default: 3, description: 'Requests per second, for the emulator and the reader alike.' })
            .option('quiet', { alias: 'q', type: 'boolean', default: false, description: 'No progress lines.' })
            .option('content', { type: 'boolean', default: false, description: 'Also load the content and comments of the Projects pages (notion_blocks, notion_page_content, notion_comments).' })
            .example('$0 demo', 'sync the sample workspace into notion-demo.duckdb and show a query')
            .example('$0 demo --content', 'with page content as blocks and markdown, and comments')
            .example('$0 demo --out /tmp/try.duckdb --rate-limit 10', 'another file, faster than Notion allows')
            .epilogue(epilogue())),
        async (a) => {
          exitCode = await (await import('./demo-command.js')).demoCommand({ out: a.out, rateLimit: a.rateLimit, quiet: a.quiet, content: a.content }, runIO);
        },
      )
      .command(
        ['sync', '$0'],
        'Read every data source and write typed tables (the default command).',
        (y) =>
          remember(workspaceFlags(incrementalFlags(shapeFlags(destinationFlags(sourceFlags(y)))))
            .example('$0 sync', 'every shared data source into notion.duckdb')
            .example('$0 sync --content --comments', 'with page content (blocks, markdown) and comments')
            .example('$0 sync -d 0123456789abcdef0123456789abcdef --to csv', 'one database (id or URL) into CSV files')
            .example('$0 sync --to bigquery --project my-project --dataset notion --incremental', 'only what changed since the last run, into BigQuery')
            .example('$0 sync --to ndjson | target-jsonl', 'Singer messages to another Singer target')
            .epilogue(epilogue(NOTION_ENV, BIGQUERY_ENV))),
        async (a) => {
          exitCode = await (await import('./pipeline-commands.js')).syncCommand({ ...toSource(a), ...toShape(a), ...toDestination(a), ...toIncremental(a), ...toWorkspaceFlags(a) }, runIO);
        },
      )
      .command(
        'status',
        'Show what a DuckDB file or BigQuery dataset holds: tables with rows and last sync, the last runs, the watermarks.',
        (y) =>
          remember(y
            .option('to', { type: 'string', choices: ['duckdb', 'bigquery'], default: 'duckdb', description: 'The warehouse to read.' })
            .option('out', { type: 'string', description: 'DuckDB file (default notion.duckdb).' })
            .option('project', { type: 'string', description: 'BigQuery project (env GOOGLE_CLOUD_PROJECT).' })
            .option('dataset', { type: 'string', description: 'BigQuery dataset.' })
            .option('location', { type: 'string', description: 'BigQuery location of the dataset.' })
            .option('bigquery-endpoint', { type: 'string', description: 'A BigQuery-compatible REST endpoint, e.g. a local test server (env BIGQUERY_API_ENDPOINT); uses no Google credentials.' })
            .option('runs', { type: 'number', default: 10, description: 'How many runs to show, newest first.' })
            .option('json', { type: 'boolean', default: false, description: 'Print one JSON object (tables, runs, bookmarks) for scripts.' })
            .example('$0 status', 'what notion.duckdb holds and its last 10 runs')
            .example('$0 status --out notion-demo.duckdb --runs 3', 'another file, its last 3 runs')
            .example('$0 status --to bigquery --project my-project --dataset notion --json | jq .runs[0]', 'the last run into BigQuery, for a script')
            .epilogue(epilogue(BIGQUERY_ENV))),
        async (a) => {
          exitCode = await (await import('./status-command.js')).statusCommand(
            { to: a.to as 'duckdb' | 'bigquery', out: a.out, project: a.project, dataset: a.dataset, location: a.location, bigqueryEndpoint: a.bigqueryEndpoint, runs: a.runs, json: a.json },
            runIO,
          );
        },
      )
      .command(
        'list',
        'Print every data source (raw Notion JSON, one per line).',
        (y) =>
          remember(sourceFlags(y)
            .example('$0 list', 'every data source shared with the integration')
            .example(`$0 list | jq -r '[.id, .title[0].plain_text] | @tsv'`, 'ids and titles')
            .epilogue(epilogue(NOTION_ENV))),
        async (a) => {
          exitCode = await (await import('./source-commands.js')).listCommand(toSource(a), runIO);
        },
      )
      .command(
        'pages',
        'Print each data source object, then its pages with truncated values completed (NDJSON).',
        (y) =>
          remember(sourceFlags(y)
            .example('$0 pages -d 0123456789abcdef0123456789abcdef > pages.ndjson', 'one data source\'s pages to a file')
            .example('$0 pages | $0 flatten | $0 split | $0 load --to duckdb', 'the stages as a shell pipe')
            .epilogue(epilogue(NOTION_ENV))),
        async (a) => {
          exitCode = await (await import('./source-commands.js')).pagesCommand(toSource(a), runIO);
        },
      )
      .command(
        'emulate',
        'Serve the built-in Notion API emulator on 127.0.0.1 until Ctrl-C.',
        (y) =>
          remember(y
            .option('port', { type: 'number', default: 8787, description: 'Port to listen on (0: any free port).' })
            .option('workspace', { type: 'string', default: 'all-types', description: 'Workspace to serve: all-types, demo, scale:<N>x<pages>[:all-types][/<pages per created minute>][:unedited][:title-only] or a seed JSON file. :unedited: every row last edited in its created minute; :title-only: no column but the title.' })
            .option('rate-limit', { type: 'number', default: 3, description: 'Requests per second the emulator allows before 429 (0: no limit).' })
            .option('latency', { type: 'number', default: 0, description: 'Milliseconds added to every response, like real Notion (0.3-2 s for a query).' })
            .example('$0 emulate --port 8787', 'then: NOTION_BASE_URL=http://127.0.0.1:8787 NOTION_TOKEN=<printed> $0 sync')
            .example('$0 emulate --workspace scale:3x2000 --latency 800', '3 data sources of 2,000 rows, answering like real Notion')
            .example('$0 emulate --workspace scale:1x25000/25000:unedited', 'a bulk import: 25,000 rows created and last edited in one minute, no ID property')
            .epilogue(epilogue())),
        async (a) => {
          exitCode = await (await import('./emulate-command.js')).emulateCommand({ port: a.port, workspace: a.workspace, rateLimit: a.rateLimit, latencyMs: a.latency }, runIO);
        },
      )
      .command(
        'flatten',
        'Read `pages` output on stdin, write Singer SCHEMA and RECORD messages (one typed row per page).',
        (y) =>
          remember(pipeFlags(shapeFlags(y))
            .option('quiet', { alias: 'q', type: 'boolean', default: false, description: 'No progress on stderr (errors and warnings still show).' })
            .example('$0 flatten < pages.ndjson > tables.ndjson', 'saved pages to Singer messages, no network')
            .epilogue(epilogue())),
        async (a) => {
          exitCode = await (await import('./pipeline-commands.js')).flattenCommand({ ...toShape(a), quiet: a.quiet, assumeComplete: a.assumeComplete }, runIO);
        },
      )
      .command(
        'split',
        'Read Singer messages on stdin, move list values to child tables, write Singer messages.',
        (y) =>
          remember(pipeFlags(y)
            .option('arrays', { type: 'string', choices: ['split', 'inline'], default: 'split', description: 'split: list values go to child tables <table>__<column>; inline: keep them as list columns.' })
            .option('quiet', { alias: 'q', type: 'boolean', default: false, description: 'No progress on stderr (errors and warnings still show).' })
            .example('$0 flatten < pages.ndjson | $0 split', 'list values into child tables')
            .epilogue(epilogue())),
        async (a) => {
          exitCode = await (await import('./pipeline-commands.js')).splitCommand({ arrays: a.arrays as 'split' | 'inline', quiet: a.quiet, assumeComplete: a.assumeComplete }, runIO);
        },
      )
      .command(
        'load',
        'Read Singer messages on stdin (from this tool or any Singer tap) and write them to a destination.',
        (y) =>
          remember(pipeFlags(destinationFlags(y))
            .option('state', { type: 'string', description: 'Write the last STATE message loaded to this file, once its data is in place (the state of `sync --incremental --to ndjson`).' })
            .option('quiet', { alias: 'q', type: 'boolean', default: false, description: 'No progress on stderr (errors and warnings still show).' })
            .example('$0 load --to duckdb --out notion.duckdb < tables.ndjson', 'Singer messages into DuckDB')
            .example('tap-github --config c.json | $0 load --assume-complete --to bigquery --project p --dataset github', 'another Singer tap into BigQuery')
            .epilogue(epilogue(BIGQUERY_ENV))),
        async (a) => {
          exitCode = await (await import('./pipeline-commands.js')).loadCommand({ ...toDestination(a), state: a.state, quiet: a.quiet, assumeComplete: a.assumeComplete }, runIO);
        },
      )
      .strict()
      .recommendCommands()
      .epilogue(EPILOGUE)
      .wrap(Math.min(110, process.stdout.columns || 100))
      .help()
      .version()
      .exitProcess(false)
      .fail((msg, err) => {
        if (err) throw err;
        throw new CliUsage(withSuggestions(msg, knownOptions, argv));
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
