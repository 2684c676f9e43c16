import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CATALOG_PREFIX,
  catalogTableDir,
  fileUri,
  peekMetadataVersion,
  readCurrentMetadata,
} from '../../lake/iceberg/index.ts';
import { isBearer, type StandInResponse } from '../stand-in-response.ts';
import { bucketDir } from './bucket-paths.ts';
import { type CatalogConfig, catalogConfig } from './catalog-config.ts';
import { icebergError } from './catalog-errors.ts';

/** One catalog request, as the router hands it over (path segments after `/catalog/<account>/<bucket>/v1/`, decoded). */
export interface CatalogRequest {
  method: string;
  bucket: string;
  /** Decoded segments after `v1/`, e.g. `['lake', 'namespaces', 'analytics', 'tables']`. */
  segments: string[];
  query: URLSearchParams;
  authorization?: string;
  /** The stack's base URL, to name the file endpoint (`<url>/r2`) in the config. */
  baseUrl: string;
}

/** The local R2 Data Catalog: the Iceberg REST Catalog API, read side. */
export interface CatalogStandIn {
  readonly config: ReturnType<typeof catalogConfig.parse>;
  handle(request: CatalogRequest): StandInResponse;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const list = (dir: string): string[] => {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && NAME.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
};

function warehouseMatches(warehouse: string | null, bucket: string): boolean {
  return warehouse === null || warehouse === bucket || warehouse.endsWith(`_${bucket}`);
}

function configOf(request: CatalogRequest): StandInResponse {
  if (!warehouseMatches(request.query.get('warehouse'), request.bucket)) {
    return icebergError(
      404,
      'NoSuchWarehouseException',
      `this catalog serves the bucket ${request.bucket} (warehouse <account>_${request.bucket}), not ${request.query.get('warehouse')?.slice(0, 100)}`,
    );
  }
  return {
    status: 200,
    body: {
      defaults: {},
      overrides: {
        prefix: request.bucket,
        's3.endpoint': `${request.baseUrl}/r2`,
        's3.path-style-access': 'true',
      },
    },
  };
}

function tableAnswer(dir: string, ns: string, table: string, request: CatalogRequest): StandInResponse {
  const found = peekMetadataVersion(dir) > 0 ? readCurrentMetadata(dir) : null;
  if (!found) return icebergError(404, 'NoSuchTableException', `Table does not exist: ${ns}.${table}`);
  if (request.method === 'HEAD') return { status: 204, body: null };
  return {
    status: 200,
    body: {
      'metadata-location': fileUri(found.path),
      metadata: found.metadata,
      config: { 's3.endpoint': `${request.baseUrl}/r2`, 's3.path-style-access': 'true' },
    },
  };
}

function route(root: string, request: CatalogRequest, rest: string[]): StandInResponse {
  const catalog = join(root, CATALOG_PREFIX);
  const [first, ns, third, table, ...extra] = rest;
  if (first !== 'namespaces' || extra.length > 0) return notFound(request);
  if (ns === undefined) {
    if (request.query.get('parent')) return { status: 200, body: { namespaces: [] } };
    return { status: 200, body: { namespaces: list(catalog).map((n) => [n]) } };
  }
  if (!NAME.test(ns))
    return icebergError(
      400,
      'BadRequestException',
      `"${ns.slice(0, 100)}" is not a namespace name (letters, digits, _)`,
    );
  if (!existsSync(join(catalog, ns)))
    return icebergError(404, 'NoSuchNamespaceException', `Namespace does not exist: ${ns}`);
  if (third === undefined) {
    return request.method === 'HEAD'
      ? { status: 204, body: null }
      : { status: 200, body: { namespace: [ns], properties: {} } };
  }
  if (third !== 'tables') return notFound(request);
  if (table === undefined) {
    const tables = list(join(catalog, ns)).filter(
      (t) => peekMetadataVersion(catalogTableDir(root, ns, t)) > 0,
    );
    return { status: 200, body: { identifiers: tables.map((name) => ({ namespace: [ns], name })) } };
  }
  if (!NAME.test(table))
    return icebergError(
      400,
      'BadRequestException',
      `"${table.slice(0, 100)}" is not a table name (letters, digits, _)`,
    );
  return tableAnswer(catalogTableDir(root, ns, table), ns, table, request);
}

const notFound = (request: CatalogRequest): StandInResponse =>
  icebergError(
    404,
    'NotFoundException',
    `no catalog route ${request.method} /v1/${request.segments.join('/').slice(0, 200)}`,
  );

/**
 * The local R2 Data Catalog over the stand-in's catalog tables (`<dataDir>/r2/<bucket>/__r2_data_catalog/
 * <namespace>/<table>/`), speaking the Iceberg REST Catalog API's read side as R2 Data Catalog does:
 * `GET /v1/config?warehouse=<account>_<bucket>` (prefix and file endpoint), `GET /v1/{prefix}/namespaces`,
 * `GET|HEAD /v1/{prefix}/namespaces/{ns}`, `GET /v1/{prefix}/namespaces/{ns}/tables`,
 * `GET|HEAD /v1/{prefix}/namespaces/{ns}/tables/{table}` → `{"metadata-location", metadata, config}`.
 * Writes answer 406 (read-only). Failures use the Iceberg error shape; names that are not plain
 * identifiers are a 400, so no path can leave the catalog.
 *
 * @example
 * ```ts
 * import { createCatalogStandIn } from './catalog-stand-in.ts';
 * const catalog = createCatalogStandIn({ dataDir: '.data', buckets: ['lake'] });
 * catalog.handle({ method: 'GET', bucket: 'lake', segments: ['config'], query: new URLSearchParams(), baseUrl: 'http://127.0.0.1:8788' });
 * ```
 */
export function createCatalogStandIn(input: CatalogConfig): CatalogStandIn {
  const config = catalogConfig.parse(input);
  return {
    config,
    handle(request) {
      if (config.token && !isBearer(request.authorization, config.token)) {
        return icebergError(
          401,
          'NotAuthorizedException',
          'the catalog requires Authorization: Bearer <token>',
        );
      }
      const root = bucketDir(config.dataDir, config.buckets, request.bucket);
      if (!root)
        return icebergError(404, 'NoSuchWarehouseException', `no bucket "${request.bucket.slice(0, 100)}"`);
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return icebergError(
          406,
          'UnsupportedOperationException',
          `${request.method}: this catalog is read-only`,
        );
      }
      const [first, ...rest] = request.segments;
      if (first === 'config' && rest.length === 0) return configOf(request);
      if (first === 'namespaces') return route(root, request, request.segments);
      if (first === request.bucket) return route(root, request, rest);
      if (rest[0] === 'namespaces')
        return icebergError(
          404,
          'NoSuchWarehouseException',
          `unknown prefix "${first?.slice(0, 100)}": use ${request.bucket}`,
        );
      return notFound(request);
    },
  };
}
