import { IcebergError, IcebergRestCatalog } from 'iceberg-js';
import { CATALOG_PREFIX, type TableMetadata } from '../../lake/iceberg/index.ts';
import { liveFiles } from './live-files.ts';
import { ReplayError } from './replay-error.ts';
import type { ReplayTable } from './replay-plan.ts';
import type { ReplayStore } from './replay-store.ts';
import { createS3Store } from './s3-store.ts';
import { type FetchLike, statusError, timedFetch } from './timed-fetch.ts';

/** Construction options of {@link openCatalogSource}. */
export interface CatalogSourceConfig {
  /** The catalog URI, e.g. `https://catalog.cloudflarestorage.com/<account>/<bucket>`. */
  url: string;
  /** Bearer token of the catalog (and of the stand-in's file route). */
  token?: string;
  /** `<account>_<bucket>`; defaults to the URI's last two path segments joined by `_`. */
  warehouse?: string;
  /**
   * Reads data and metadata files when the catalog does not name a file endpoint (`s3.endpoint` in
   * its config): R2's S3 API, signed (see `createS3Store`). Given the bucket the files are in.
   */
  files?: (bucket: string) => ReplayStore;
  fetch?: FetchLike;
  idleMs?: number;
  signal?: AbortSignal;
}

/** A catalog's tables and the store their files are read from. */
export interface CatalogSource {
  store: ReplayStore;
  tables: ReplayTable[];
}

interface CatalogConfig {
  defaults?: Record<string, string>;
  overrides?: Record<string, string>;
}

const IDENTIFIER = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

function checkName(name: string, what: string, where: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new ReplayError(
      'unsafe_key',
      `the catalog names a ${what} "${name.slice(0, 100)}" that is not a plain identifier`,
      where,
    );
  }
  return name;
}

async function readConfig(
  config: CatalogSourceConfig,
  base: string,
  fetchLike: FetchLike,
): Promise<Record<string, string>> {
  const warehouse = config.warehouse ?? new URL(base).pathname.split('/').filter(Boolean).slice(-2).join('_');
  const url = `${base}/v1/config${warehouse ? `?warehouse=${encodeURIComponent(warehouse)}` : ''}`;
  const timed = await timedFetch(fetchLike, url, { idleMs: config.idleMs, signal: config.signal });
  if (!timed.response.ok) throw await statusError(timed, url);
  const text = await timed.response.text();
  timed.close();
  let answer: CatalogConfig;
  try {
    answer = JSON.parse(text) as CatalogConfig;
  } catch {
    throw new ReplayError(
      'invalid_source',
      'the catalog config is not JSON: is this an Iceberg REST catalog?',
      url,
    );
  }
  return { ...answer.defaults, ...answer.overrides };
}

// The key of a table's root in its bucket: the path of an s3:// location, or (a local catalog's file://
// location) the part from `__r2_data_catalog/` on.
function tableRoot(location: string, ns: string, table: string): { bucket?: string; key: string } {
  const s3 = /^s3a?:\/\/([^/]+)\/(.+?)\/*$/.exec(location);
  if (s3) return { bucket: s3[1]!, key: s3[2]! };
  const at = location.lastIndexOf(`/${CATALOG_PREFIX}/`);
  return { key: at >= 0 ? location.slice(at + 1).replace(/\/+$/, '') : `${CATALOG_PREFIX}/${ns}/${table}` };
}

function catalogError(cause: unknown, where: string): never {
  if (cause instanceof ReplayError) throw cause;
  if (cause instanceof IcebergError) {
    const code =
      cause.status === 401 || cause.status === 403
        ? 'unauthorized'
        : cause.status === 404
          ? 'not_found'
          : 'source_failed';
    throw new ReplayError(code, `the catalog answered ${cause.status}: ${cause.message}`, where);
  }
  if ((cause as Error)?.name === 'TimeoutError')
    throw new ReplayError('timeout', 'the catalog did not answer in time', where);
  throw new ReplayError(
    'source_failed',
    `the catalog request failed: ${(cause as Error)?.message ?? cause}`,
    where,
  );
}

/**
 * Opens an Iceberg REST catalog (R2 Data Catalog or the local stand-in) with iceberg-js: every table of
 * every namespace, each with its current snapshot's live files. Files are read from the endpoint the
 * catalog's config names (`s3.endpoint`, with the same bearer token), else through `files`.
 *
 * @example
 * ```ts
 * import { openCatalogSource } from './catalog-source.ts';
 * const { tables } = await openCatalogSource({ url: 'http://127.0.0.1:8788/catalog/local/lake', token: 'dev' });
 * ```
 */
export async function openCatalogSource(config: CatalogSourceConfig): Promise<CatalogSource> {
  const base = config.url.replace(/\/+$/, '');
  const idleMs = config.idleMs ?? 30_000;
  const auth: Record<string, string> = config.token ? { Authorization: `Bearer ${config.token}` } : {};
  const plain: FetchLike = config.fetch ?? ((input, init) => fetch(input, init));
  const bearer: FetchLike = (input, init) =>
    plain(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...auth } });
  const settings = await readConfig(config, base, bearer);
  const catalog = new IcebergRestCatalog({
    baseUrl: base,
    ...(settings.prefix ? { catalogName: settings.prefix } : {}),
    ...(config.token ? { auth: { type: 'bearer' as const, token: config.token } } : {}),
    fetch: ((input: string, init?: RequestInit) =>
      plain(String(input), {
        ...init,
        signal: AbortSignal.any([AbortSignal.timeout(idleMs), ...(config.signal ? [config.signal] : [])]),
      })) as typeof fetch,
  });
  let store: ReplayStore | undefined;
  const storeFor = (bucket: string): ReplayStore => {
    if (store) return store;
    const endpoint = settings['s3.endpoint'];
    if (endpoint) store = createS3Store({ endpoint, bucket, fetch: bearer, idleMs });
    else if (config.files) store = config.files(bucket);
    else
      throw new ReplayError(
        'invalid_source',
        'the catalog names no file endpoint: set R2_ENDPOINT (or R2_ACCOUNT_ID) and R2 S3 credentials',
        base,
      );
    return store;
  };
  const tables: ReplayTable[] = [];
  const namespaces = await catalog
    .listNamespaces()
    .catch((cause) => catalogError(cause, `${base} namespaces`));
  for (const { namespace } of namespaces) {
    const ns = checkName(namespace.join('.'), 'namespace', base);
    const ids = await catalog
      .listTables({ namespace })
      .catch((cause) => catalogError(cause, `${base} ${ns}`));
    for (const id of ids) {
      const name = checkName(id.name, 'table', `${base} ${ns}`);
      const metadata = (await catalog
        .loadTable(id)
        .catch((cause) => catalogError(cause, `${base} ${ns}.${name}`))) as unknown as TableMetadata;
      if (typeof metadata?.location !== 'string') {
        throw new ReplayError(
          'bad_metadata',
          'the catalog answered table metadata without a location',
          `${ns}.${name}`,
        );
      }
      const root = tableRoot(metadata.location, ns, name);
      const files = await liveFiles(
        storeFor(root.bucket ?? settings.prefix ?? ''),
        {
          key: root.key,
          dir: `${CATALOG_PREFIX}/${ns}/${name}`,
          metadata,
        },
        { signal: config.signal },
      );
      tables.push({
        kind: 'iceberg',
        name: `${ns}.${name}`,
        dir: `${CATALOG_PREFIX}/${ns}/${name}`,
        files,
        metadata,
      });
    }
  }
  // No table named a file: the store is only opened (and credentials asked for) when one is read.
  const lazy: ReplayStore = {
    describe: base,
    list: (prefix, options) => storeFor(settings.prefix ?? '').list(prefix, options),
    get: (key, options) => storeFor(settings.prefix ?? '').get(key, options),
  };
  return { store: store ?? lazy, tables };
}
