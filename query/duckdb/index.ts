export { createDuckDbEngine, type DuckDbEngine } from './duckdb-engine.ts';
export type { DuckDbConnectionLike, DuckDbEngineConfig, DuckDbReaderLike } from './duckdb-engine-config.ts';
export { quoteIdent, quoteString } from './duckdb-quote.ts';
