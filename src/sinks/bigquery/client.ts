/**
 * Builds the `@google-cloud/bigquery` client. With an endpoint (`--bigquery-endpoint`,
 * `BIGQUERY_API_ENDPOINT`) it talks to that server with no Google credentials: an auth client that adds
 * no headers, so the client neither probes the GCE metadata server nor crashes on its upload path.
 * Without one it uses Application Default Credentials, as Google's tools do.
 */
import { BigQuery } from '@google-cloud/bigquery';

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

export function createBigQueryClient(options: BigQueryClientOptions): BigQuery {
  if (!options.endpoint) {
    return new BigQuery({ projectId: options.projectId, location: options.location });
  }
  const endpoint = /^[a-z]+:\/\//i.test(options.endpoint) ? options.endpoint : `http://${options.endpoint}`;
  return new BigQuery({
    projectId: options.projectId,
    location: options.location,
    apiEndpoint: endpoint.replace(/\/+$/, ''),
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    authClient: noCredentials as any,
  });
}
