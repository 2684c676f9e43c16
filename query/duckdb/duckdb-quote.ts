/**
 * A DuckDB quoted identifier: `"name"`, with inner quotes doubled.
 *
 * @example
 * ```ts
 * import { quoteIdent } from './duckdb-quote.ts';
 * quoteIdent('my "table"'); // '"my ""table"""'
 * ```
 */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * A DuckDB string literal: `'text'`, with inner quotes doubled.
 *
 * @example
 * ```ts
 * import { quoteString } from './duckdb-quote.ts';
 * quoteString("it's"); // "'it''s'"
 * ```
 */
export const quoteString = (text: string): string => `'${text.replace(/'/g, "''")}'`;
