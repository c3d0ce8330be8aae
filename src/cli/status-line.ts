/**
 * The live status line of a run on a terminal: one line on stderr, redrawn in place every second
 * (log-update), with the current step, pages, pages/s, requests/s against the limit and rate-limit
 * waits. Lines printed meanwhile (warnings, the summary) go above it. Off a terminal it shows nothing.
 */
import { createLogUpdate } from 'log-update';
import type { RunStats } from '../util/stats.js';

/** What the status line shows, from the run's counters at one moment. */
export interface StatusSnapshot {
  /** The current step, e.g. `Reading data source Tasks (…)`. */
  step: string;
  pages: number;
  requests: number;
  rateLimitWaits: number;
  /** Seconds spent paused by 429/529. */
  waitSeconds: number;
  /** Seconds since the run started. */
  seconds: number;
  /** Requests per second the run allows. */
  rateLimit: number;
}

/** The status line's text: `Reading data source Tasks · 1,200 pages (96/s) · 2.9 req/s of 3 · 1 wait (2 s) · 12 s`. */
export function statusText(s: StatusSnapshot): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const elapsed = Math.max(s.seconds, 1e-3);
  const parts = [
    s.step || 'Starting',
    `${n(s.pages)} pages (${n(Math.round(s.pages / elapsed))}/s)`,
    `${(s.requests / elapsed).toFixed(1)} req/s of ${n(s.rateLimit)}`,
    ...(s.rateLimitWaits > 0 ? [`${n(s.rateLimitWaits)} wait${s.rateLimitWaits === 1 ? '' : 's'} (${s.waitSeconds.toFixed(0)} s)`] : []),
    `${s.seconds.toFixed(0)} s`,
  ];
  return parts.join(' · ');
}

/** The status line of one command. `live` false (not a terminal, or `--quiet`): it only prints lines. */
export class StatusLine {
  private step = '';
  private tracked: { stats: RunStats; rateLimit: number; timer: NodeJS.Timeout } | undefined;
  private readonly update: ReturnType<typeof createLogUpdate> | undefined;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    readonly live: boolean,
  ) {
    this.update = live ? createLogUpdate(stream as NodeJS.WriteStream, { showCursor: true }) : undefined;
  }

  /** Sets the current step shown at the start of the line. */
  setStep(step: string): void {
    this.step = step;
    this.render();
  }

  /** Prints a permanent line (a warning, the summary) above the status line. */
  print(line: string): void {
    this.update?.clear();
    this.stream.write(`${line}\n`);
    this.render();
  }

  /**
   * Shows the run's counters from now on, redrawn every `everyMs` (default 1 s), until the returned
   * function is called, which removes the line. Does nothing when the line is not live.
   */
  track(stats: RunStats, rateLimit: number, everyMs = 1000): () => void {
    if (!this.update) return () => {};
    const timer = setInterval(() => this.render(), everyMs);
    timer.unref();
    this.tracked = { stats, rateLimit, timer };
    this.render();
    return () => {
      clearInterval(timer);
      this.tracked = undefined;
      this.update?.clear();
    };
  }

  private render(): void {
    if (!this.update || !this.tracked) return;
    const { stats, rateLimit } = this.tracked;
    this.update(
      statusText({ step: this.step, pages: stats.pages, requests: stats.requests, rateLimitWaits: stats.rateLimitWaits, waitSeconds: stats.waitMs / 1000, seconds: stats.seconds(), rateLimit }),
    );
  }
}
