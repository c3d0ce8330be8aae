/** The request log and counters that tests and benchmarks read. */

import type { EndpointName } from './router.js';

export interface RequestLogEntry {
  /** Epoch milliseconds when the request arrived. */
  time: number;
  method: string;
  /** Path without the query string, e.g. `/v1/data_sources/<id>/query`. */
  path: string;
  /** The raw query string without `?`, when there was one. */
  query?: string;
  endpoint: EndpointName | 'unknown';
  /** HTTP status sent; 0 when no response was sent (hang, reset). */
  status: number;
  /** The injected fault applied to this request. */
  fault?: string;
  /** The parsed JSON request body, for POST requests. */
  body?: unknown;
}

export interface Counters {
  requests: number;
  byEndpoint: Record<string, number>;
  byStatus: Record<string, number>;
  rateLimited: number;
  faults: number;
}

export class RequestLog {
  entries: RequestLogEntry[] = [];

  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
  }

  reset(): void {
    // Emptied in place so a reference taken earlier (emulator.log) stays live.
    this.entries.length = 0;
  }

  counters(): Counters {
    const c: Counters = { requests: 0, byEndpoint: {}, byStatus: {}, rateLimited: 0, faults: 0 };
    for (const e of this.entries) {
      c.requests++;
      c.byEndpoint[e.endpoint] = (c.byEndpoint[e.endpoint] ?? 0) + 1;
      c.byStatus[String(e.status)] = (c.byStatus[String(e.status)] ?? 0) + 1;
      if (e.status === 429) c.rateLimited++;
      if (e.fault !== undefined) c.faults++;
    }
    return c;
  }
}
