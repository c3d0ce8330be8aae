/** The request log and counters that tests and benchmarks read. */

import type { EndpointName } from './router.js';

/** One request the emulator received, as `Emulator.log` lists it. */
export interface RequestLogEntry {
  /** Epoch milliseconds when the request arrived. */
  time: number;
  /** HTTP method, upper case. */
  method: string;
  /** Path without the query string, e.g. `/v1/data_sources/<id>/query`. */
  path: string;
  /** The raw query string without `?`, when there was one. */
  query?: string;
  /** The endpoint the path routed to; `unknown` for a path no endpoint serves. */
  endpoint: EndpointName | 'unknown';
  /** HTTP status sent; 0 when no response was sent (hang, reset). */
  status: number;
  /** The injected fault applied to this request. */
  fault?: string;
  /** The parsed JSON request body, for POST requests. */
  body?: unknown;
}

/** Totals over the request log (`Emulator.counters()`). */
export interface Counters {
  /** Requests received. */
  requests: number;
  /** Requests per endpoint name. */
  byEndpoint: Record<string, number>;
  /** Requests per HTTP status sent (`"0"`: no response, a hang or a reset). */
  byStatus: Record<string, number>;
  /** 429 responses sent (the rate limit's and injected ones). */
  rateLimited: number;
  /** Requests an injected fault applied to. */
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
