/**
 * The local stand-ins (Node only): Pipelines HTTP ingest with an r2 sink that really writes Parquet,
 * the R2 SQL API backed by DuckDB, and the local R2 Data Catalog (Iceberg REST, read side).
 *
 * @module
 */
export * from './catalog/index.ts';
export { type LocalStack, type LocalStackConfig, startLocalStack } from './local-stack.ts';
export * from './pipelines/index.ts';
export * from './r2sql/index.ts';
export type { StandInResponse } from './stand-in-response.ts';
