/** `n` and the noun, in the plural unless n is 1: `count(1, 'row')` → "1 row", `count(2500, 'row')` → "2,500 rows". */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}

/** Counters of one run, shared by every stage; printed as the final summary. */
export class RunStats {
  /** When the run started, epoch ms. */
  readonly startedAt = Date.now();
  /** HTTP requests sent to Notion, retries included. */
  requests = 0;
  /** Failed requests that were tried again (transient failures and rate-limit answers). */
  retries = 0;
  /** 429/529 answers that paused the run. */
  rateLimitWaits = 0;
  /** Time the run was paused by rate-limit answers, ms. */
  waitMs = 0;
  /** Data sources read. */
  dataSources = 0;
  /** Pages read. */
  pages = 0;
  /** Property values fetched in full because the page response truncated them. */
  completions = 0;

  /** Seconds since `startedAt`. */
  seconds(): number {
    return (Date.now() - this.startedAt) / 1000;
  }

  /**
   * One line for the end of a run: "3 data sources, 2,500 pages, 30 requests, ...". `pages: false`
   * leaves out pages and completed values, for commands that read none (`list`).
   */
  summary(options: { pages?: boolean } = {}): string {
    const parts = [
      count(this.dataSources, 'data source'),
      ...(options.pages === false ? [] : [count(this.pages, 'page')]),
      count(this.requests, 'request'),
      ...(options.pages === false ? [] : [count(this.completions, 'completed value')]),
      count(this.retries, 'retry', 'retries'),
      `${count(this.rateLimitWaits, 'rate-limit wait')} (${(this.waitMs / 1000).toFixed(1)} s)`,
      `${this.seconds().toFixed(1)} s`,
    ];
    return parts.join(', ');
  }
}
