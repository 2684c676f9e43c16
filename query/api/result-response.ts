import { arrowChunks } from './arrow-chunks.ts';
import type { WaitUntilLike } from './query-handler-config.ts';
import { type CacheLike, etagMatches } from './result-cache.ts';
import {
  type EncodableResult,
  FORMAT_CONTENT_TYPES,
  type ResultFormat,
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
 * A result encoded in its format: the body's chunks (500 rows a text chunk, 10,000 an Arrow batch),
 * each as bytes. The engine hands over its rows whole, so encoding them before the headers costs no
 * memory the rows did not already take, and lets the ETag be the hash of the very bytes answered.
 *
 * @example
 * ```ts
 * import { encodeResult } from './result-response.ts';
 * encodeResult({ columns: [], rows: [] }, 'ndjson').length; // 0
 * ```
 */
export function encodeResult(result: EncodableResult, format: ResultFormat): Uint8Array[] {
  const encoder = new TextEncoder();
  if (format === 'arrow') return [...arrowChunks(result)];
  return Array.from(textChunks(format, result), (chunk) => encoder.encode(chunk));
}

/**
 * The strong ETag of an encoded body: SHA-256 over its bytes, with the format named, so a tag that
 * matches means the same bytes (whichever engine or cache produced them).
 *
 * @example
 * ```ts
 * import { resultEtag } from './result-response.ts';
 * (await resultEtag([new TextEncoder().encode('a,b\r\n')], 'csv')).endsWith('-csv"'); // true
 * ```
 */
export async function resultEtag(chunks: readonly Uint8Array[], format: ResultFormat): Promise<string> {
  const bytes = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  const hex = Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
  return `"${hex}-${format}"`;
}

/**
 * Answers a result in its format: 304 when If-None-Match names its ETag, otherwise the body sent
 * chunk by chunk, with the metrics as headers; with a TTL and a cache, the same bytes are stored too
 * (the write handed to `waitUntil` when there is a context).
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
  const chunks = encodeResult(result, options.format);
  const etag = await resultEtag(chunks, options.format);
  const headers: Record<string, string> = {
    etag,
    vary: 'authorization, accept, x-namespace, x-include-sql',
    'cache-control': options.ttl > 0 ? `private, max-age=${options.ttl}` : 'private, no-cache',
    ...metricHeaders(result),
    ...options.headers,
  };
  if (etagMatches(options.ifNoneMatch, etag)) return new Response(null, { status: 304, headers });
  headers['content-type'] = FORMAT_CONTENT_TYPES[options.format];
  const cache = options.cache;
  if (!cache || options.ttl <= 0) return new Response(streamOf(chunks), { status: 200, headers });
  const copy = new Response(streamOf(chunks), {
    status: 200,
    headers: { ...headers, 'cache-control': `public, max-age=${options.ttl}` },
  });
  const put = cache.store.put(cache.key, copy).catch(() => {});
  if (cache.context) cache.context.waitUntil(put);
  return new Response(streamOf(chunks), { status: 200, headers: { ...headers, 'x-cache': 'miss' } });
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
