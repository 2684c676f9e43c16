import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { reply } from '../serve-json.ts';
import { errorResponse, isBearer } from '../stand-in-response.ts';
import { bucketDir, bucketFile } from './bucket-paths.ts';

/** What the file route reads. */
export interface BucketFileConfig {
  dataDir: string;
  buckets: readonly string[];
  token?: string;
}

/** Serves `GET|HEAD /r2/<bucket>/<key>`: one file, with Range, ETag and If-None-Match. */
export type BucketFileHandler = (request: IncomingMessage, response: ServerResponse) => void;

function parseRange(header: string, size: number): [number, number] | 'invalid' | 'unsatisfiable' {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return 'invalid';
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return [start, end];
}

/**
 * The stand-in's S3-like file route, so a client can fetch what catalog metadata names:
 * `GET|HEAD /r2/<bucket>/<key>` answers the bytes with `ETag: "<md5>"` (as S3 gives for a single-part
 * object; cached per size and modification time), `Accept-Ranges`, `Range` → 206 (416 when it cannot
 * be met) and `If-None-Match` → 304. Keys are decoded segment by segment; `..`, empty segments and
 * symbolic links out of the bucket are a 404, never a read outside it. With a token, it is required.
 *
 * @example
 * ```ts
 * import { createBucketFileHandler } from './serve-bucket-file.ts';
 * const serveFile = createBucketFileHandler({ dataDir: '.data', buckets: ['lake'] });
 * // in a node:http server: if (request.url?.startsWith('/r2/')) serveFile(request, response);
 * ```
 */
export function createBucketFileHandler(config: BucketFileConfig): BucketFileHandler {
  const etags = new Map<string, { stamp: string; etag: Promise<string> }>();
  const etagOf = (path: string, size: number, mtimeMs: number): Promise<string> => {
    const stamp = `${size}:${mtimeMs}`;
    const cached = etags.get(path);
    if (cached?.stamp === stamp) return cached.etag;
    const etag = new Promise<string>((resolve, reject) => {
      const hash = createHash('md5');
      createReadStream(path)
        .on('data', (chunk) => hash.update(chunk))
        .on('end', () => resolve(`"${hash.digest('hex')}"`))
        .on('error', reject);
    });
    if (etags.size > 10_000) etags.clear();
    etags.set(path, { stamp, etag });
    etag.catch(() => etags.delete(path));
    return etag;
  };

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      return reply(
        response,
        errorResponse(405, 'method_not_allowed', `${method}: the file route is read-only (GET, HEAD)`),
      );
    }
    if (config.token && !isBearer(request.headers.authorization, config.token)) {
      return reply(
        response,
        errorResponse(401, 'unauthorized', 'the file route requires Authorization: Bearer <token>'),
      );
    }
    const path = (request.url ?? '').split(/[?#]/, 1)[0]!;
    const [, , bucketSegment, ...rest] = path.split('/');
    let segments: string[];
    let bucket: string;
    try {
      bucket = decodeURIComponent(bucketSegment ?? '');
      segments = rest.map((s) => decodeURIComponent(s));
    } catch {
      return reply(response, errorResponse(400, 'invalid_key', 'the key is not valid percent-encoding'));
    }
    const dir = bucketDir(config.dataDir, config.buckets, bucket);
    if (!dir)
      return reply(response, errorResponse(404, 'no_such_bucket', `no bucket "${bucket.slice(0, 100)}"`));
    const file = bucketFile(dir, segments);
    if (!file)
      return reply(
        response,
        errorResponse(404, 'no_such_key', `no object "${segments.join('/').slice(0, 300)}" in ${bucket}`),
      );
    const { size, mtimeMs } = statSync(file);
    const etag = await etagOf(file, size, mtimeMs);
    const headers: Record<string, string | number> = {
      etag,
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
    };
    if (request.headers['if-none-match'] === etag) {
      response.writeHead(304, headers).end();
      return;
    }
    let start = 0;
    let end = size - 1;
    let status = 200;
    const range = request.headers.range;
    if (range && size > 0) {
      const parsed = parseRange(range, size);
      if (parsed === 'unsatisfiable') {
        response
          .writeHead(416, { ...headers, 'content-range': `bytes */${size}`, 'content-length': 0 })
          .end();
        return;
      }
      if (parsed !== 'invalid') {
        [start, end] = parsed;
        status = 206;
        headers['content-range'] = `bytes ${start}-${end}/${size}`;
      }
    }
    headers['content-length'] = size === 0 ? 0 : end - start + 1;
    response.writeHead(status, headers);
    if (method === 'HEAD' || size === 0) {
      response.end();
      return;
    }
    const stream = createReadStream(file, { start, end });
    stream.on('error', () => response.destroy());
    response.on('close', () => stream.destroy());
    stream.pipe(response);
  }

  return (request, response) => {
    serve(request, response).catch((cause: unknown) => {
      reply(
        response,
        errorResponse(
          500,
          'internal',
          `internal error: ${String((cause as Error)?.message ?? cause).slice(0, 300)}`,
        ),
      );
    });
  };
}
