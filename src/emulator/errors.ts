/** Notion-style API errors: `{object:"error", status, code, message, additional_data?}`. */

import type { JsonObject } from './workspace.js';

export class EmuApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly additionalData?: JsonObject,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'EmuApiError';
  }

  body(requestId: string): JsonObject {
    const body: JsonObject = { object: 'error', status: this.status, code: this.code, message: this.message };
    if (this.additionalData !== undefined) body.additional_data = this.additionalData;
    body.request_id = requestId;
    return body;
  }
}

export type ObjectKind = 'database' | 'data_source' | 'page' | 'block' | 'user' | 'property';

export function validationError(message: string): EmuApiError {
  return new EmuApiError(400, 'validation_error', message);
}

export function invalidRequestUrl(): EmuApiError {
  return new EmuApiError(400, 'invalid_request_url', 'Invalid request URL.');
}

export function invalidJson(): EmuApiError {
  return new EmuApiError(400, 'invalid_json', 'Error parsing JSON body.');
}

export function unauthorized(): EmuApiError {
  return new EmuApiError(401, 'unauthorized', 'API token is invalid.');
}

export function missingVersion(value: string | undefined): EmuApiError {
  return new EmuApiError(
    400,
    'missing_version',
    `Notion-Version header failed validation: Notion-Version header should be defined, instead was \`${String(value)}\`.`,
  );
}

export function notFound(kind: ObjectKind, id: string): EmuApiError {
  if (kind === 'property') {
    return new EmuApiError(404, 'object_not_found', `Could not find property with ID: ${id}.`);
  }
  return new EmuApiError(
    404,
    'object_not_found',
    `Could not find ${kind} with ID: ${id}. Make sure the relevant pages and databases are shared with your integration.`,
  );
}

/** Notion's wording for a malformed id in the path. */
export function malformedPathId(param: string, value: string): EmuApiError {
  return validationError(`path failed validation: path.${param} should be a valid uuid, instead was \`${JSON.stringify(value)}\`.`);
}

/** Notion's wording for a cursor it no longer (or never) knew. */
export function invalidCursor(cursor: string): EmuApiError {
  return validationError(`The start_cursor provided is invalid: ${cursor}`);
}

export const RATE_LIMITED_MESSAGE = 'You have been rated limited. Please try again in a few minutes.';

export function rateLimited(retryAfterSeconds: number, reason = 'integration_rate_limit'): EmuApiError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new EmuApiError(
    429,
    'rate_limited',
    RATE_LIMITED_MESSAGE,
    { rate_limit_reason: reason, retry_after: String(seconds) },
    { 'retry-after': String(seconds) },
  );
}
