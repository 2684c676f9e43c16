/**
 * The query API: a Workers-safe fetch handler over a view registry and an engine, with tenancy by
 * token (namespace-filtered tables), output formats, caching and an OpenAPI document.
 *
 * @module
 */
export { type ApiErrorBody, apiError } from './api-error.ts';
export { builtInRegistry, builtInViews } from './built-in-registry.ts';
export { coerceQueryParams, type QueryParamProblem } from './coerce-query-params.ts';
export { createQueryHandler } from './create-query-handler.ts';
export {
  type NamespacePattern,
  namespaceInScope,
  namespacePattern,
  namespacePredicate,
  tenantTables,
} from './namespace-scope.ts';
export type {
  MaterializedRead,
  MaterializedReader,
  QueryApiEngine,
  QueryCacheConfig,
  QueryHandler,
  QueryHandlerConfig,
  WaitUntilLike,
} from './query-handler-config.ts';
export {
  createTokenVerifier,
  hashToken,
  type QueryTokenConfig,
  queryTokenConfig,
  type TokenScope,
  type TokenVerifier,
} from './query-tokens.ts';
export { type CacheLike, defaultCache } from './result-cache.ts';
export {
  type ColumnKind,
  FORMAT_CONTENT_TYPES,
  negotiateFormat,
  RESULT_FORMATS,
  type ResultFormat,
  type TypedColumn,
} from './result-formats.ts';
