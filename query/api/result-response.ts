import { arrowChunks } from './arrow-chunks.ts';
import type { WaitUntilLike } from './query-handler-config.ts';
import { type CacheLike, etagMatches, sha256Hex } from './result-cache.ts';
import {
  type EncodableResult,
  FORMAT_CONTENT_TYPES,
  type ResultFormat,
  type RowTexts,
  streamOf,
  textChunks,
} from './result-formats.ts';

/** How one result is answered. */
export interface ResultResponseOptions {
  format: ResultFormat;
  /** The request's If-None-Match header. */
  ifNoneMatch: string | null;
  /** Headers beside the content type (metrics, freshness, the view). */
  headers: Record<string, string>;
  /** Seconds the result may be cached (0: not at all). */
  ttl: number;
  cache?: { store: CacheLike; key: Request; context?: WaitUntilLike };
}

const metricHeaders = (result: EncodableResult): Record<string, string> => {
  const out: Record<string, string> = {};
  const m = result.metrics;
  if (m?.files_scanned !== undefined) out['x-files-scanned'] = String(m.files_scanned);
  if (m?.bytes_scanned !== undefined) out['x-bytes-scanned'] = String(m.bytes_scanned);
  if (m?.r2_requests_count !== undefined) out['x-r2-requests'] = String(m.r2_requests_count);
  return out;
};

/**
 * The strong ETag of a result: SHA-256 over its columns and rows (not the encoding) and the format,
 * so the same rows answer the same tag whichever engine or cache produced them. `texts` are the rows
 * as JSON text (computed when not given); the JSON and NDJSON bodies reuse them.
 *
 * @example
 * ```ts
 * import { resultEtag } from './result-response.ts';
 * (await resultEtag({ columns: [], rows: [] }, 'json')).startsWith('"'); // true
 * ```
 */
export async function resultEtag(
  result: EncodableResult,
  format: ResultFormat,
  texts: RowTexts = result.rows.map((row) => JSON.stringify(row)),
): Promise<string> {
  const hash = await sha256Hex(`${JSON.stringify(result.columns)}\n${texts.join('\n')}`);
  return `"${hash.slice(0, 32)}-${format}"`;
}

/**
 * Answers a result in its format, streamed: 304 when If-None-Match names its ETag, otherwise the
 * body encoded as it is read, with the metrics as headers; with a TTL and a cache, the same bytes
 * are stored too (the stream is teed, the write handed to `waitUntil` when there is a context).
 *
 * @example
 * ```ts
 * import { resultResponse } from './result-response.ts';
 * await resultResponse({ columns: [], rows: [] }, { format: 'json', ifNoneMatch: null, headers: {}, ttl: 0 });
 * ```
 */
export async function resultResponse(
  result: EncodableResult,
  options: ResultResponseOptions,
): Promise<Response> {
  const texts: RowTexts = result.rows.map((row) => JSON.stringify(row));
  const etag = await resultEtag(result, options.format, texts);
  const headers: Record<string, string> = {
    etag,
    vary: 'authorization, accept, x-namespace, x-include-sql',
    'cache-control': options.ttl > 0 ? `private, max-age=${options.ttl}` : 'private, no-cache',
    ...metricHeaders(result),
    ...options.headers,
  };
  if (etagMatches(options.ifNoneMatch, etag)) return new Response(null, { status: 304, headers });
  const chunks = options.format === 'arrow' ? arrowChunks(result) : textChunks(options.format, result, texts);
  const body = streamOf(chunks);
  headers['content-type'] = FORMAT_CONTENT_TYPES[options.format];
  const cache = options.cache;
  if (!cache || options.ttl <= 0) return new Response(body, { status: 200, headers });
  const [client, stored] = body.tee();
  const copy = new Response(stored, {
    status: 200,
    headers: { ...headers, 'cache-control': `public, max-age=${options.ttl}` },
  });
  const put = cache.store.put(cache.key, copy).catch(() => {});
  if (cache.context) cache.context.waitUntil(put);
  return new Response(client, { status: 200, headers: { ...headers, 'x-cache': 'miss' } });
}

/**
 * A cached answer for this request, or null: 304 when If-None-Match names the cached ETag, else the
 * cached body marked `x-cache: hit` (with the client's cache-control again, not the store's).
 *
 * @example
 * ```ts
 * import { cachedResponse } from './result-response.ts';
 * const hit = await cachedResponse(caches.default, key, request.headers.get('if-none-match'), 60);
 * ```
 */
export async function cachedResponse(
  store: CacheLike,
  key: Request,
  ifNoneMatch: string | null,
  ttl: number,
): Promise<Response | null> {
  const cached = await store.match(key).catch(() => undefined);
  if (!cached) return null;
  const headers = new Headers(cached.headers);
  headers.set('cache-control', `private, max-age=${ttl}`);
  headers.set('x-cache', 'hit');
  const etag = headers.get('etag');
  if (etag && etagMatches(ifNoneMatch, etag)) {
    await cached.body?.cancel();
    headers.delete('content-type');
    return new Response(null, { status: 304, headers });
  }
  return new Response(cached.body, { status: 200, headers });
}
