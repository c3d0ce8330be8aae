/** The Notion client of a run, built from the source options and the environment. */
import { NotionApi } from '../notion/api.js';
import type { Logger } from '../util/log.js';
import type { RunStats } from '../util/stats.js';
import { checkSourceOptions } from '../util/validate.js';
import { notionBaseUrl, notionToken, type SourceOptions } from './options.js';

/**
 * A NotionApi for a run: token from `token` or env `NOTION_TOKEN`, base URL from the options or env
 * `NOTION_BASE_URL`, the rate limit, timeout (seconds) and retries of the options. Throws
 * `invalid_option` for a bad value or a missing token.
 */
export function openNotionApi(options: SourceOptions & { token?: string }, env: NodeJS.ProcessEnv, run: { signal: AbortSignal; stats: RunStats; logger: Logger }): NotionApi {
  checkSourceOptions(options);
  return new NotionApi({
    token: notionToken(options.token, env),
    baseUrl: notionBaseUrl(options.notionBaseUrl, env),
    rateLimit: options.rateLimit,
    timeoutMs: options.timeout ? options.timeout * 1000 : undefined,
    maxRetries: options.retries,
    signal: run.signal,
    stats: run.stats,
    logger: run.logger,
  });
}
