/** A BigQuery client error as one sentence naming the cause and the fix. */
import { NotionStreamError } from '../../errors.js';

/**
 * Maps an error of the BigQuery client, met while `doing` something, to a `bigquery_error`: no
 * credentials, the endpoint unreachable (retryable), access refused, or anything else (retryable for 5xx
 * and errors without an HTTP status). `destination` is `project.dataset`; `endpoint` the custom endpoint, if any.
 */
export function bigQueryApiError(err: unknown, doing: string, where: { destination: string; endpoint?: string }): NotionStreamError {
  const e = err as { code?: number | string; message?: string };
  const text = String(e.message ?? err);
  if (/default credentials/i.test(text)) {
    return new NotionStreamError('bigquery_error', `No Google credentials were found while ${doing}. Run \`gcloud auth application-default login\`, or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file.`, false, { cause: err });
  }
  if (/ENOTFOUND|ECONNREFUSED|EAI_AGAIN|ETIMEDOUT/.test(text)) {
    return new NotionStreamError('bigquery_error', `BigQuery could not be reached while ${doing} (${text.replace(/^.*reason: /, '')}). Check the network${where.endpoint ? ` and --bigquery-endpoint ${where.endpoint}` : ''}, then run again.`, true, { cause: err });
  }
  if (e.code === 401 || e.code === 403) {
    return new NotionStreamError('bigquery_error', `BigQuery refused access while ${doing}: ${e.message}. Check the credentials (gcloud auth application-default login) and that they may write to ${where.destination}.`, false, { cause: err });
  }
  return new NotionStreamError('bigquery_error', `BigQuery failed while ${doing}: ${text}`, typeof e.code !== 'number' || e.code >= 500, { cause: err });
}
