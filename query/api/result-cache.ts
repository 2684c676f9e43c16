/** The part of the Cache API the query API uses (`caches.default` in workerd fits). */
export interface CacheLike {
  match(request: Request): Promise<Response | undefined>;
  put(request: Request, response: Response): Promise<void>;
}

/**
 * The runtime's default cache (`caches.default` in Workers), or undefined where there is none
 * (Node): the query API then answers without caching.
 *
 * @example
 * ```ts
 * import { defaultCache } from './result-cache.ts';
 * const cache = defaultCache(); // undefined in Node
 * ```
 */
export function defaultCache(): CacheLike | undefined {
  const caches = (globalThis as { caches?: { default?: CacheLike } }).caches;
  return caches?.default && typeof caches.default.match === 'function' ? caches.default : undefined;
}

/**
 * Hex SHA-256 of a text (WebCrypto).
 *
 * @example
 * ```ts
 * import { sha256Hex } from './result-cache.ts';
 * (await sha256Hex('')).slice(0, 8); // 'e3b0c442'
 * ```
 */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The cache key of a result: a synthetic GET URL over the SHA-256 of the rendered SQL, the token's
 * scope and the format, so two scopes never share an entry and the key holds no SQL or secret.
 *
 * @example
 * ```ts
 * import { cacheKey } from './result-cache.ts';
 * (await cacheKey('SELECT 1', 'scope', 'json')).url.startsWith('https://query-api.cache/'); // true
 * ```
 */
export async function cacheKey(sql: string, scope: string, format: string): Promise<Request> {
  const hash = await sha256Hex(JSON.stringify([sql, scope, format]));
  return new Request(`https://query-api.cache/v1/${hash}`, { method: 'GET' });
}

/**
 * Whether an If-None-Match header names this ETag (or is `*`); weak and strong forms compare alike.
 *
 * @example
 * ```ts
 * import { etagMatches } from './result-cache.ts';
 * etagMatches('W/"abc", "def"', '"abc"'); // true
 * ```
 */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}
