import { resolve } from 'node:path';
import { AwsClient } from 'aws4fetch';
import { openCatalogSource } from './catalog-source.ts';
import { createDirStore } from './dir-store.ts';
import { planBucket } from './plan-bucket.ts';
import { ReplayError } from './replay-error.ts';
import type { ReplayTable } from './replay-plan.ts';
import type { ReplayStore } from './replay-store.ts';
import { createS3Store } from './s3-store.ts';
import type { FetchLike } from './timed-fetch.ts';

/** Where a replay reads from, parsed from `--source`. */
export type ReplaySourceSpec =
  | { kind: 'dir'; dir: string }
  | { kind: 's3'; bucket: string; prefix: string }
  | { kind: 'catalog'; url: string };

/** Credentials and endpoints, from the environment (`R2_*`) unless given. */
export interface ReplayCredentials {
  /** R2's S3 API endpoint; defaults to `R2_ENDPOINT`, else `https://<R2_ACCOUNT_ID>.r2.cloudflarestorage.com`. */
  endpoint?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Bearer token of an Iceberg REST catalog (`R2_CATALOG_TOKEN`). */
  token?: string;
  warehouse?: string;
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * Parses `--source`: `s3://bucket/prefix`, an `http(s)://` Iceberg REST catalog URI, or a directory.
 *
 * @example
 * ```ts
 * import { parseReplaySource } from './replay-source.ts';
 * parseReplaySource('s3://lake/prod'); // { kind: 's3', bucket: 'lake', prefix: 'prod' }
 * ```
 */
export function parseReplaySource(source: string): ReplaySourceSpec {
  if (/^s3:\/\//i.test(source)) {
    const match = /^s3:\/\/([^/]*)\/?(.*)$/i.exec(source)!;
    const [, bucket, prefix] = match;
    if (!BUCKET.test(bucket!)) {
      throw new ReplayError(
        'invalid_source',
        `"${bucket}" is not a bucket name (s3://<bucket>/<prefix>)`,
        source,
      );
    }
    const clean = prefix!.replace(/\/+$/, '');
    if (clean.split('/').some((s) => s === '..' || s === '.') || clean.startsWith('/')) {
      throw new ReplayError('invalid_source', 'the prefix may not have "." or ".." segments', source);
    }
    return { kind: 's3', bucket: bucket!, prefix: clean };
  }
  if (/^https?:\/\//i.test(source)) {
    let url: URL;
    try {
      url = new URL(source);
    } catch {
      throw new ReplayError('invalid_source', 'not a valid URL', source);
    }
    if (url.search || url.hash || url.username || url.password) {
      throw new ReplayError(
        'invalid_source',
        'a catalog URI has no query, fragment or credentials in it (the token goes in R2_CATALOG_TOKEN)',
        source,
      );
    }
    return { kind: 'catalog', url: url.href.replace(/\/+$/, '') };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    throw new ReplayError(
      'invalid_source',
      'use a directory, s3://bucket/prefix or an http(s):// catalog URI',
      source,
    );
  }
  return { kind: 'dir', dir: resolve(source) };
}

/**
 * Credentials from the environment: `R2_ACCESS_KEY_ID`, `R2_SECRET_ACCESS_KEY`, `R2_ENDPOINT` or
 * `R2_ACCOUNT_ID`, `R2_CATALOG_TOKEN`, `R2_WAREHOUSE`.
 *
 * @example
 * ```ts
 * import { credentialsFromEnv } from './replay-source.ts';
 * credentialsFromEnv(process.env).endpoint;
 * ```
 */
export function credentialsFromEnv(env: Record<string, string | undefined>): ReplayCredentials {
  const endpoint =
    env.R2_ENDPOINT ||
    (env.R2_ACCOUNT_ID ? `https://${env.R2_ACCOUNT_ID}.r2.cloudflarestorage.com` : undefined);
  return {
    ...(endpoint ? { endpoint } : {}),
    ...(env.R2_ACCESS_KEY_ID ? { accessKeyId: env.R2_ACCESS_KEY_ID } : {}),
    ...(env.R2_SECRET_ACCESS_KEY ? { secretAccessKey: env.R2_SECRET_ACCESS_KEY } : {}),
    ...(env.R2_CATALOG_TOKEN ? { token: env.R2_CATALOG_TOKEN } : {}),
    ...(env.R2_WAREHOUSE ? { warehouse: env.R2_WAREHOUSE } : {}),
  };
}

/** Per-call options of {@link openReplaySource}. */
export interface OpenSourceOptions {
  credentials?: ReplayCredentials;
  /** The fetch under the signing (tests count requests with it). */
  fetch?: FetchLike;
  idleMs?: number;
  signal?: AbortSignal;
}

function signedS3(bucket: string, prefix: string, options: OpenSourceOptions, where: string): ReplayStore {
  const { endpoint, accessKeyId, secretAccessKey } = options.credentials ?? {};
  if (!endpoint)
    throw new ReplayError('invalid_source', 'no S3 endpoint: set R2_ENDPOINT or R2_ACCOUNT_ID', where);
  if (!accessKeyId || !secretAccessKey) {
    throw new ReplayError(
      'invalid_source',
      'no S3 credentials: set R2_ACCESS_KEY_ID and R2_SECRET_ACCESS_KEY',
      where,
    );
  }
  const client = new AwsClient({ accessKeyId, secretAccessKey, service: 's3', region: 'auto', retries: 0 });
  const inner = options.fetch ?? ((input, init) => fetch(input, init));
  const signed: FetchLike = async (input, init) => {
    const request = await client.sign(input, { method: init?.method ?? 'GET', headers: init?.headers });
    return inner(request.url, { method: request.method, headers: request.headers, signal: init?.signal });
  };
  return createS3Store({ endpoint, bucket, prefix, fetch: signed, idleMs: options.idleMs });
}

/**
 * Opens a source and lists what it holds, as tables with their live files.
 *
 * @example
 * ```ts
 * import { openReplaySource, parseReplaySource } from './replay-source.ts';
 * const { tables } = await openReplaySource(parseReplaySource('.data/r2/lake'));
 * ```
 */
export async function openReplaySource(
  spec: ReplaySourceSpec,
  options: OpenSourceOptions = {},
): Promise<{ store: ReplayStore; tables: ReplayTable[] }> {
  if (spec.kind === 'catalog') {
    const credentials = options.credentials ?? {};
    return openCatalogSource({
      url: spec.url,
      ...(credentials.token ? { token: credentials.token } : {}),
      ...(credentials.warehouse ? { warehouse: credentials.warehouse } : {}),
      files: (bucket) => signedS3(bucket, '', options, spec.url),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.idleMs ? { idleMs: options.idleMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }
  const store =
    spec.kind === 'dir'
      ? createDirStore(spec.dir)
      : signedS3(spec.bucket, spec.prefix, options, `s3://${spec.bucket}/${spec.prefix}`);
  return { store, tables: await planBucket(store, { signal: options.signal }) };
}
