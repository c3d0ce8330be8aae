/**
 * Errors that reach the user. Each carries a narrow code, whether a retry can help, and a message that
 * names the cause and the fix. The CLI prints `message` as one line; no stack trace.
 */
export type ErrorCode =
  | 'bad_token'
  | 'not_shared'
  | 'invalid_id'
  | 'rate_limit_blocked'
  | 'retries_exhausted'
  | 'window_stuck'
  | 'notion_error'
  /** A Singer or `pages` line that breaks the protocol: bad JSON, a RECORD before its SCHEMA, an undeclared field. */
  | 'invalid_message'
  /** A SCHEMA a destination cannot load: no key for a merge, too many columns, a bad `_deleted_at` type. */
  | 'invalid_schema'
  /** A table or column name the destination cannot take, or one notion-stream keeps for itself. */
  | 'invalid_name'
  /** A value that does not fit its column's type. */
  | 'invalid_value'
  /** A saved state (file or `_notion_stream_state` row) that is not usable. */
  | 'invalid_state'
  | 'incomplete_input'
  | 'io_error'
  /** A flag's value or combination is wrong (a usage mistake: exit code 2). */
  | 'invalid_option'
  | 'bigquery_error'
  | 'schema_changed'
  | 'aborted';

/**
 * The one error class notion-stream throws for a cause a user can act on. `code` is narrow and stable
 * (see `ErrorCode`); `retryable` says whether running again may help (rate limits, 5xx, network);
 * `message` is one line naming the cause and the fix, with the token never in it. The CLI prints the
 * message alone (no stack) and exits non-zero (2 for `invalid_option`).
 */
export class NotionStreamError extends Error {
  /** Always `NotionStreamError` (survives minification, shows in logs). */
  override readonly name = 'NotionStreamError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Type guard: true when `err` is a `NotionStreamError` (then `err.code` and `err.retryable` are there). */
export function isNotionStreamError(err: unknown): err is NotionStreamError {
  return err instanceof NotionStreamError;
}

/** True for an error that comes from an AbortSignal (Ctrl-C, a caller's abort). */
export function isAbortError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'AbortError') return true;
  return err instanceof NotionStreamError && err.code === 'aborted';
}

export function abortedError(): NotionStreamError {
  return new NotionStreamError('aborted', 'Stopped: the run was interrupted.', false);
}

/** Removes every occurrence of the given secrets from a string. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}
