export { type R2SqlConfig, r2SqlConfig } from './r2sql-config.ts';
export { createR2SqlStandIn, R2SQL_ERRORS, type R2SqlStandIn } from './r2sql-stand-in.ts';
