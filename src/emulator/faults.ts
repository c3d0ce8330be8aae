/**
 * Injected faults: per endpoint and method, fired a number of times or with a probability (from a
 * seeded PRNG so runs repeat), after letting some matching requests through.
 */

import type { EndpointName } from './router.js';

/**
 * What an injected fault does to a request: answer Notion's error (`rate_limited` 429,
 * `service_overload` 529, `internal_server_error` 500, `service_unavailable` 503, `gateway_timeout`
 * 504, `expired_cursor` 400, `restricted_resource` 403), answer a Cloudflare HTML 502
 * (`bad_gateway_html`), never answer (`hang`), or reset the connection (`reset`).
 */
export type FaultKind =
  | 'rate_limited'
  | 'service_overload'
  | 'internal_server_error'
  | 'service_unavailable'
  | 'bad_gateway_html'
  | 'gateway_timeout'
  | 'hang'
  | 'reset'
  | 'expired_cursor'
  /** 403 restricted_resource: the integration lacks a capability (comments, user information). */
  | 'restricted_resource';

/** A fault to inject (`Emulator.inject`): which requests it hits, what it does, how often. */
export interface FaultSpec {
  /** The endpoint it hits; default every endpoint. */
  endpoint?: EndpointName;
  /** The HTTP method it hits (any case); default every method. */
  method?: string;
  /** What it does. */
  kind: FaultKind;
  /** Times to fire; default 1; `Infinity` allowed. */
  count?: number;
  /** 0..1; drawn from a seeded PRNG so runs are repeatable. */
  probability?: number;
  /** Let this many matching requests pass first. */
  after?: number;
  /** For rate_limited / service_overload; default 1. */
  retryAfterSeconds?: number;
  /** For rate_limited: `additional_data.rate_limit_reason`, e.g. `public_api_request_blocked`. */
  rateLimitReason?: string;
  /** expired_cursor only fires on requests carrying a start_cursor unless this is false. */
  onlyWithCursor?: boolean;
}

export interface FaultRequest {
  endpoint: EndpointName;
  method: string;
  hasCursor: boolean;
}

/** mulberry32: a small, fast, seedable PRNG. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ArmedFault {
  spec: FaultSpec;
  remaining: number;
  passed: number;
  random: () => number;
}

const SEED = 0x5eed;

export class FaultRegistry {
  #faults: ArmedFault[] = [];
  #injected = 0;

  inject(spec: FaultSpec): void {
    const count = spec.count ?? 1;
    if (!(count >= 0)) throw new RangeError('fault count must be >= 0');
    if (spec.probability !== undefined && !(spec.probability >= 0 && spec.probability <= 1)) {
      throw new RangeError('fault probability must be within 0..1');
    }
    this.#faults.push({ spec, remaining: count, passed: 0, random: mulberry32(SEED + this.#injected++) });
  }

  clear(): void {
    this.#faults = [];
  }

  /** The fault to apply to this request, if any. Each armed fault counts only requests it matches. */
  pick(request: FaultRequest): FaultSpec | undefined {
    for (const fault of this.#faults) {
      const { spec } = fault;
      if (fault.remaining <= 0) continue;
      if (spec.endpoint !== undefined && spec.endpoint !== request.endpoint) continue;
      if (spec.method !== undefined && spec.method.toUpperCase() !== request.method) continue;
      const needsCursor = spec.onlyWithCursor ?? spec.kind === 'expired_cursor';
      if (needsCursor && !request.hasCursor) continue;
      if (fault.passed < (spec.after ?? 0)) {
        fault.passed++;
        continue;
      }
      if (spec.probability !== undefined && fault.random() >= spec.probability) continue;
      fault.remaining--;
      return spec;
    }
    return undefined;
  }
}
