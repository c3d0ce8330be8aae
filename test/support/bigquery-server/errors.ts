/** BigQuery errors: the exception the server's modules throw, and the REST error body it becomes. */
import type { ErrorProto } from './types.js';

const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
};

const CODE_FOR_REASON: Record<string, number> = {
  invalid: 400,
  invalidQuery: 400,
  notFound: 404,
  duplicate: 409,
  quotaExceeded: 403,
  rateLimitExceeded: 403,
  accessDenied: 403,
  resourceInUse: 400,
  backendError: 500,
  internalError: 500,
  stopped: 400,
  responseTooLarge: 403,
  notImplemented: 501,
};

export class BqError extends Error {
  readonly errors: ErrorProto[];
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly location?: string,
    extra: ErrorProto[] = [],
  ) {
    super(message);
    this.errors = [{ reason, message, ...(location ? { location } : {}) }, ...extra];
  }
  get proto(): ErrorProto {
    return { reason: this.reason, message: this.message, ...(this.location ? { location: this.location } : {}) };
  }
}

export const notFound = (what: string): BqError => new BqError(404, 'notFound', `Not found: ${what}`);
export const invalid = (message: string, location?: string): BqError => new BqError(400, 'invalid', message, location);
export const invalidQuery = (message: string): BqError => new BqError(400, 'invalidQuery', message, 'query');
export const duplicate = (what: string): BqError => new BqError(409, 'duplicate', `Already Exists: ${what}`);
export const unsupported = (what: string): BqError =>
  new BqError(400, 'invalid', `${what} is not supported by the BigQuery test server`);

/** An error reported as a job's errorResult, turned into the HTTP error getQueryResults/jobs.query answer. */
export function errorFromProto(errorResult: ErrorProto, errors?: ErrorProto[]): BqError {
  const code = CODE_FOR_REASON[errorResult.reason] ?? 400;
  const rest = (errors ?? []).slice(1);
  return new BqError(code, errorResult.reason, errorResult.message, errorResult.location, rest);
}

export function errorBody(e: BqError): unknown {
  return {
    error: {
      code: e.code,
      message: e.message,
      errors: e.errors.map((x) => ({ message: x.message, domain: 'global', reason: x.reason, ...(x.location ? { location: x.location, locationType: 'other' } : {}) })),
      status: STATUS[e.code] ?? 'UNKNOWN',
    },
  };
}

export function asBqError(e: unknown): BqError {
  if (e instanceof BqError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new BqError(500, 'internalError', `Internal error in the BigQuery test server: ${message}`);
}
