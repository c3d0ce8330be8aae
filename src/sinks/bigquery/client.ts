/**
 * Builds the `@google-cloud/bigquery` client. With an endpoint (`--bigquery-endpoint`,
 * `BIGQUERY_API_ENDPOINT`) it talks to that server with no Google credentials: an auth client that adds
 * no headers, so the client neither probes the GCE metadata server nor crashes on its upload path.
 * Without one it uses Application Default Credentials, as Google's tools do.
 */
import { BigQuery, type BigQueryOptions } from '@google-cloud/bigquery';

/**
 * How the BigQuery client retries a request (`@google-cloud/bigquery`'s `retryOptions`), set here rather
 * than left to the library's defaults. A request failing with 408, 429, 500, 502, 503 or 504, a rate-limit
 * reason, or no response at all (a reset or refused connection) is sent again up to `maxRetries` (2) times,
 * after 2 s then 4 s (`retryDelayMultiplier` 2, plus up to 1 s of jitter; at most `maxRetryDelay` 8 s), and
 * never past `totalTimeout` (60 s) from the first attempt. So an unreachable endpoint fails after some 7 s,
 * not 16 s. Load-job uploads have their own retries on top (BigQuerySinkOptions.retries, same job id).
 */
export const BIGQUERY_RETRY_OPTIONS = { autoRetry: true, maxRetries: 2, retryDelayMultiplier: 2, maxRetryDelay: 8, totalTimeout: 60 } as const satisfies NonNullable<BigQueryOptions['retryOptions']>;

export interface BigQueryClientOptions {
  projectId: string;
  location?: string;
  /** A BigQuery-compatible REST endpoint, with its scheme (`http://127.0.0.1:9050`). */
  endpoint?: string;
}

/** An auth client for a local endpoint: no token, no metadata-server probe. */
const noCredentials = {
  getRequestHeaders: async () => new Headers(),
  getClient: async () => noCredentials,
  getProjectId: async () => undefined,
  request: async () => {
    throw new Error('no credentials: this client talks to a local BigQuery endpoint');
  },
};

/**
 * The client for a project: Application Default Credentials against Google, or no credentials against
 * `options.endpoint`; retries as BIGQUERY_RETRY_OPTIONS says. Throws nothing itself (credentials are looked
 * up at the first request).
 */
export function createBigQueryClient(options: BigQueryClientOptions): BigQuery {
  if (!options.endpoint) {
    return new BigQuery({ projectId: options.projectId, location: options.location, retryOptions: { ...BIGQUERY_RETRY_OPTIONS } });
  }
  const endpoint = /^[a-z]+:\/\//i.test(options.endpoint) ? options.endpoint : `http://${options.endpoint}`;
  return new BigQuery({
    projectId: options.projectId,
    location: options.location,
    apiEndpoint: endpoint.replace(/\/+$/, ''),
    retryOptions: { ...BIGQUERY_RETRY_OPTIONS },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    authClient: noCredentials as any,
  });
}
