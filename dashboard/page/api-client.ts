/** A failure of the query API, as its `{"error": {"code", "message", "field"?, "issues"?}}` says. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly issues: { field?: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A view's JSON answer with the headers the API sets beside it. */
export interface ViewAnswer {
  rows: Record<string, unknown>[];
  columns: { name: string; type: string; kind: string }[];
  sql?: string;
  headers: Headers;
  metrics: Record<string, number>;
}

/** One view of the catalog. */
export interface CatalogEntry {
  name: string;
  key: string;
  version: number;
  description: string;
  params: JsonSchema;
  current: boolean;
}

/** The JSON Schema subset the params form reads. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  anyOf?: JsonSchema[];
  format?: string;
  minimum?: number;
  maximum?: number;
}

/** The query API as the page calls it: always with the token, never another origin. */
export interface ApiClient {
  catalog(): Promise<CatalogEntry[]>;
  view(name: string, params?: Record<string, unknown>, namespace?: string): Promise<ViewAnswer>;
  /** The raw answer in another format (csv, arrow), for downloads and the in-browser check. */
  download(
    name: string,
    params: Record<string, unknown>,
    format: 'csv' | 'arrow',
    namespace?: string,
  ): Promise<Blob>;
  /** Another route of the same Worker (the audit health), with the token; null when it answers an error. */
  fetchJson(url: string): Promise<unknown>;
}

async function failure(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as {
      error?: { code?: string; message?: string; field?: string; issues?: [] };
    };
    if (body.error?.message)
      return new ApiError(
        response.status,
        body.error.code ?? 'error',
        body.error.message,
        body.error.field,
        body.error.issues,
      );
  } catch {}
  return new ApiError(
    response.status,
    'http_error',
    `${response.status} ${response.statusText}: ${text.slice(0, 200)}`,
  );
}

/** Params as a query string: objects as JSON, everything else as text; empty values left out. */
export function queryString(params: Record<string, unknown>, format: string): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(name, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  search.set('format', format);
  return search.toString();
}

/**
 * A client of the query API at `base` with a bearer token; a namespace narrows one call to it (the
 * `x-namespace` header, which the API honours within the token's scope only).
 *
 * @example
 * ```ts
 * import { createApiClient } from './api-client.ts';
 * const api = createApiClient('/api', token);
 * const { rows } = await api.view('audit_completeness');
 * ```
 */
export function createApiClient(base: string, token: string): ApiClient {
  const get = async (path: string, namespace?: string): Promise<Response> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'x-include-sql': 'true' };
    if (namespace) headers['x-namespace'] = namespace;
    // no-cache: a view's answer changes as the lake grows; revalidate by ETag.
    const response = await fetch(`${base}${path}`, { headers, cache: 'no-cache' });
    if (!response.ok) throw await failure(response);
    return response;
  };
  const path = (name: string, params: Record<string, unknown>, format: string) =>
    `/views/${encodeURIComponent(name)}?${queryString(params, format)}`;
  return {
    async fetchJson(url) {
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, cache: 'no-cache' });
      if (!response.ok) throw await failure(response);
      return response.json();
    },
    async catalog() {
      return ((await (await get('/views')).json()) as { views: CatalogEntry[] }).views;
    },
    async view(name, params = {}, namespace) {
      const response = await get(path(name, params, 'json'), namespace);
      const body = (await response.json()) as {
        sql?: string;
        result: {
          schema: ViewAnswer['columns'];
          rows: Record<string, unknown>[];
          metrics?: Record<string, number>;
        };
      };
      return {
        rows: body.result.rows,
        columns: body.result.schema,
        ...(body.sql ? { sql: body.sql } : {}),
        headers: response.headers,
        metrics: body.result.metrics ?? {},
      };
    },
    async download(name, params, format, namespace) {
      return (await get(path(name, params, format), namespace)).blob();
    },
  };
}
