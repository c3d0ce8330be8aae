/** Counters of one run, shared by every stage; printed as the final summary. */
export class RunStats {
  readonly startedAt = Date.now();
  requests = 0;
  retries = 0;
  /** 429/529 answers that paused the run. */
  rateLimitWaits = 0;
  waitMs = 0;
  dataSources = 0;
  pages = 0;
  /** Property values fetched in full because the page response truncated them. */
  completions = 0;

  seconds(): number {
    return (Date.now() - this.startedAt) / 1000;
  }

  summary(): string {
    const n = (x: number) => x.toLocaleString('en-US');
    const parts = [
      `${n(this.dataSources)} data source${this.dataSources === 1 ? '' : 's'}`,
      `${n(this.pages)} page${this.pages === 1 ? '' : 's'}`,
      `${n(this.requests)} request${this.requests === 1 ? '' : 's'}`,
      `${n(this.completions)} completed value${this.completions === 1 ? '' : 's'}`,
      `${this.retries} retr${this.retries === 1 ? 'y' : 'ies'}`,
      `${this.rateLimitWaits} rate-limit wait${this.rateLimitWaits === 1 ? '' : 's'} (${(this.waitMs / 1000).toFixed(1)} s)`,
      `${this.seconds().toFixed(1)} s`,
    ];
    return parts.join(', ');
  }
}
