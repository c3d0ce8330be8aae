/** Maps a method and raw path to one of the emulated endpoints. Path segments are not decoded. */

export type EndpointName =
  | 'search'
  | 'databases.retrieve'
  | 'data_sources.retrieve'
  | 'data_sources.query'
  | 'pages.retrieve'
  | 'pages.properties.retrieve'
  | 'users.list'
  | 'blocks.children.list'
  | 'comments.list';

export interface Route {
  endpoint: EndpointName;
  /** Raw (still percent-encoded) path parameters. */
  params: string[];
}

const ROUTES: { method: string; pattern: RegExp; endpoint: EndpointName }[] = [
  { method: 'POST', pattern: /^\/v1\/search\/?$/, endpoint: 'search' },
  { method: 'GET', pattern: /^\/v1\/databases\/([^/]+)\/?$/, endpoint: 'databases.retrieve' },
  { method: 'GET', pattern: /^\/v1\/data_sources\/([^/]+)\/?$/, endpoint: 'data_sources.retrieve' },
  { method: 'POST', pattern: /^\/v1\/data_sources\/([^/]+)\/query\/?$/, endpoint: 'data_sources.query' },
  { method: 'GET', pattern: /^\/v1\/pages\/([^/]+)\/?$/, endpoint: 'pages.retrieve' },
  { method: 'GET', pattern: /^\/v1\/pages\/([^/]+)\/properties\/([^/]+)\/?$/, endpoint: 'pages.properties.retrieve' },
  { method: 'GET', pattern: /^\/v1\/users\/?$/, endpoint: 'users.list' },
  { method: 'GET', pattern: /^\/v1\/blocks\/([^/]+)\/children\/?$/, endpoint: 'blocks.children.list' },
  { method: 'GET', pattern: /^\/v1\/comments\/?$/, endpoint: 'comments.list' },
];

export function route(method: string, path: string): Route | undefined {
  for (const r of ROUTES) {
    if (r.method !== method) continue;
    const m = r.pattern.exec(path);
    if (m !== null) return { endpoint: r.endpoint, params: m.slice(1).map((p) => p ?? '') };
  }
  return undefined;
}
