import { existsSync } from 'node:fs';
import { openTokenVerifier } from '../../local/local-query-api.ts';
import { builtInRegistry, createQueryHandler } from '../../query/api/index.ts';
import { createDuckDbEngine } from '../../query/duckdb/index.ts';
import { withR2SqlDialect } from '../../query/index.ts';
import { UsageError } from '../parse-flags.ts';

/** Where the CLI's queries go: the query API of a running stack or Worker, or a lake on disk. */
export type QueryTarget = { lake: string } | { endpoint: string; token?: string };

/** Sends one query API request and answers its response; `close` releases a local engine. */
export interface QueryClient {
  request(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/** `http://host:8788` or `https://worker.example/api` → the API base ending in `/api`. */
function apiBase(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UsageError(`--endpoint: "${endpoint}" is not a URL (e.g. http://127.0.0.1:8788)`);
  }
  if (!/^https?:$/.test(url.protocol)) throw new UsageError('--endpoint: use an http(s) URL');
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path.endsWith('/api') ? path : `${path}/api`}`;
}

/**
 * A client of the query API: over HTTP to `--endpoint` (the token from DOTDO_ANALYTICS_TOKEN as a
 * bearer), or in process over a DuckDB engine on `--lake` (the same handler, every namespace: the
 * files are the caller's own).
 *
 * @example
 * ```ts
 * import { createQueryClient } from './query-client.ts';
 * const client = await createQueryClient({ lake: '.data/demo/r2/lake' });
 * const response = await client.request('/views/events_per_hour?format=csv');
 * ```
 */
export async function createQueryClient(target: QueryTarget): Promise<QueryClient> {
  if ('endpoint' in target) {
    const base = apiBase(target.endpoint);
    return {
      async request(path, init = {}) {
        const headers = new Headers(init.headers);
        if (target.token) headers.set('authorization', `Bearer ${target.token}`);
        try {
          return await fetch(`${base}${path}`, { ...init, headers });
        } catch (cause) {
          throw new UsageError(
            `--endpoint: cannot reach ${base} (${(cause as Error).message}); is the stack running?`,
          );
        }
      },
      close: async () => {},
    };
  }
  if (!existsSync(target.lake)) throw new UsageError(`--lake: no directory ${target.lake}`);
  const engine = withR2SqlDialect(await createDuckDbEngine({ lake: target.lake }));
  const handler = createQueryHandler({
    registry: builtInRegistry(),
    engine,
    tokens: openTokenVerifier,
    cache: false,
    freshness: false,
  });
  return {
    request: (path, init) => handler(new Request(`http://lake${path}`, init)),
    close: async () => engine.close(),
  };
}
