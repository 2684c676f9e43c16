import { ReplayError } from './replay-error.ts';
import type { ReplayStore, StoredObject } from './replay-store.ts';
import { type FetchLike, statusError, timedFetch } from './timed-fetch.ts';

/** Construction options of {@link createS3Store}. */
export interface S3StoreConfig {
  /** The S3 API endpoint, e.g. `https://<account>.r2.cloudflarestorage.com`; buckets are addressed path-style. */
  endpoint: string;
  bucket: string;
  /** Keys of the store are relative to this prefix (`lake/` → `lake/events/a.parquet` is `events/a.parquet`). */
  prefix?: string;
  /** Signs each request: aws4fetch's `client.fetch` for R2's S3 API, or a fetch that adds a bearer token. */
  fetch: FetchLike;
  /** Idle timeout of every request (default 30 s). */
  idleMs?: number;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescapeXml = (text: string): string =>
  text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X'))
      return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
const tag = (xml: string, name: string): string | undefined =>
  xml.match(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`))?.[1];

/**
 * The objects of one ListObjectsV2 page, and the continuation token when there are more.
 *
 * @example
 * ```ts
 * import { parseListObjectsV2 } from './s3-store.ts';
 * parseListObjectsV2('<ListBucketResult><Contents><Key>a</Key><Size>3</Size></Contents></ListBucketResult>', 'x');
 * ```
 */
export function parseListObjectsV2(xml: string, where: string): { objects: StoredObject[]; next?: string } {
  if (!xml.includes('<ListBucketResult')) {
    throw new ReplayError('source_failed', 'the listing is not a ListObjectsV2 answer', where);
  }
  const objects: StoredObject[] = [];
  for (const match of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
    const entry = match[1]!;
    const key = tag(entry, 'Key');
    const size = Number(tag(entry, 'Size'));
    if (key === undefined || !Number.isSafeInteger(size) || size < 0) {
      throw new ReplayError('source_failed', 'a listing entry has no key or no valid size', where);
    }
    const etag = tag(entry, 'ETag');
    objects.push({ key: unescapeXml(key), size, ...(etag ? { etag: unescapeXml(etag) } : {}) });
  }
  const truncated = tag(xml, 'IsTruncated') === 'true';
  const next = tag(xml, 'NextContinuationToken');
  if (truncated && !next)
    throw new ReplayError('source_failed', 'a truncated listing has no continuation token', where);
  return { objects, ...(truncated ? { next: unescapeXml(next!) } : {}) };
}

const encodeKey = (key: string): string => key.split('/').map(encodeURIComponent).join('/');

/**
 * A store over an S3-compatible bucket prefix (R2's S3 API, s3rver): ListObjectsV2 (paginated) and GET.
 *
 * @example
 * ```ts
 * import { AwsClient } from 'aws4fetch';
 * import { createS3Store } from './s3-store.ts';
 * const client = new AwsClient({ accessKeyId, secretAccessKey, service: 's3', region: 'auto' });
 * const store = createS3Store({ endpoint, bucket: 'lake', fetch: client.fetch.bind(client) });
 * (await store.list('events/')).length;
 * ```
 */
export function createS3Store(config: S3StoreConfig): ReplayStore {
  const endpoint = config.endpoint.replace(/\/+$/, '');
  const prefix = config.prefix ? `${config.prefix.replace(/\/+$/, '')}/` : '';
  const base = `${endpoint}/${encodeURIComponent(config.bucket)}`;
  return {
    describe: `s3://${config.bucket}/${prefix}`,
    async list(under, options = {}) {
      const objects: StoredObject[] = [];
      let token: string | undefined;
      do {
        const query = new URLSearchParams({ 'list-type': '2', prefix: `${prefix}${under}` });
        if (token) query.set('continuation-token', token);
        const url = `${base}?${query}`;
        const timed = await timedFetch(config.fetch, url, { idleMs: config.idleMs, signal: options.signal });
        if (!timed.response.ok) throw await statusError(timed, url);
        const chunks: Uint8Array[] = [];
        for await (const chunk of timed.body) chunks.push(chunk);
        const page = parseListObjectsV2(Buffer.concat(chunks).toString('utf8'), url);
        for (const object of page.objects) {
          if (!object.key.startsWith(prefix)) {
            throw new ReplayError(
              'unsafe_key',
              `the listing names a key outside the prefix "${prefix}"`,
              object.key,
            );
          }
          objects.push({ ...object, key: object.key.slice(prefix.length) });
        }
        token = page.next;
      } while (token);
      return objects;
    },
    async get(key, options = {}) {
      const url = `${base}/${encodeKey(`${prefix}${key}`)}`;
      const timed = await timedFetch(config.fetch, url, { idleMs: config.idleMs, signal: options.signal });
      if (!timed.response.ok) throw await statusError(timed, url);
      const length = timed.response.headers.get('content-length');
      const etag = timed.response.headers.get('etag') ?? undefined;
      return {
        body: timed.body,
        ...(length !== null ? { size: Number(length) } : {}),
        ...(etag ? { etag } : {}),
      };
    },
  };
}
