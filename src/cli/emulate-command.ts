/** `notion-stream emulate`: serves the Notion API emulator until Ctrl-C. */
import { once } from 'node:events';
import { openWorkspace } from '../emulator/seed.js';
import { startEmulator } from '../emulator/server.js';
import { runCommand, UsageError, type CommandIO } from './run.js';
import { checkInteger } from '../util/validate.js';

export interface EmulateOptions {
  port: number;
  workspace: string;
  rateLimit: number;
  /** Milliseconds added to every response; default 0. */
  latencyMs?: number;
}

export function emulateCommand(options: EmulateOptions, io: CommandIO = {}): Promise<number> {
  return runCommand(io, {}, async (ctx) => {
    checkInteger('port', options.port, 0);
    if (options.port > 65535) throw new UsageError(`--port takes a port number from 0 to 65535, got ${options.port}.`);
    if (!Number.isFinite(options.rateLimit) || options.rateLimit < 0) {
      throw new UsageError(`--rate-limit takes a number of requests per second (0: no limit), got ${Number.isNaN(options.rateLimit) ? 'a value that is not a number' : options.rateLimit}.`);
    }
    let workspace;
    try {
      workspace = await openWorkspace(options.workspace);
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    const emulator = await startEmulator({
      workspace,
      port: options.port,
      latencyMs: Math.max(0, options.latencyMs ?? 0),
      rateLimit: options.rateLimit > 0 ? { perSecond: options.rateLimit, burst: Math.max(1, Math.ceil(options.rateLimit)) } : false,
    });
    const pages = workspace.pages.length;
    ctx.logger.info(
      [
        `Notion API emulator listening on ${emulator.url} (${workspace.dataSources.length} data sources, ${pages} pages, ${options.rateLimit > 0 ? `${options.rateLimit} requests/s` : 'no rate limit'}${options.latencyMs ? `, ${options.latencyMs} ms latency` : ''}).`,
        `Use it with:  export NOTION_BASE_URL=${emulator.url} NOTION_TOKEN=${emulator.token}`,
        'Ctrl-C stops it.',
      ].join('\n'),
    );
    if (!ctx.signal.aborted) await once(ctx.signal, 'abort').catch(() => {});
    await emulator.close();
    const c = emulator.counters();
    ctx.logger.info(`Emulator stopped after ${c.requests} requests (${c.rateLimited} answered 429).`);
  }).then((code) => (code === 130 ? 0 : code));
}
