export { createR2SqlEngine, type R2SqlEngine } from './r2sql-engine.ts';
export { type FetchLike, R2SQL_ENDPOINT, type R2SqlEngineConfig } from './r2sql-engine-config.ts';
export { isR2SqlError, R2SqlError, type R2SqlErrorCode, type R2SqlErrorInit } from './r2sql-error.ts';
