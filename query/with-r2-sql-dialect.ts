import type { QueryEngine, QueryResult } from './query-engine.ts';
import { R2SqlError } from './r2sql/r2sql-error.ts';
import { type ToDuckDbSqlOptions, toDuckDbSql } from '../sql/dialect/index.ts';

/**
 * Wraps an engine that speaks DuckDB (the local DuckDB engine, or anything running DuckDB SQL) so it
 * takes R2 SQL's dialect: each query is checked and translated first, and what R2 SQL refuses is thrown
 * as the same `R2SqlError` (code 40003/40004, message, position) the R2 SQL client throws — so a view
 * that passes locally runs in production, and code handles both engines' errors alike.
 *
 * @example
 * ```ts
 * import { createDuckDbEngine } from './duckdb/index.ts';
 * import { withR2SqlDialect } from './with-r2-sql-dialect.ts';
 * const engine = withR2SqlDialect(await createDuckDbEngine({ lake: '.data/r2/lake' }));
 * await engine.query("SELECT json_get_str(data, 'name') AS name FROM analytics.events");
 * ```
 */
export function withR2SqlDialect<E extends QueryEngine>(engine: E, options: ToDuckDbSqlOptions = {}): E {
  return {
    ...engine,
    query<Row = Record<string, unknown>>(sql: string): Promise<QueryResult<Row>> {
      const translated = toDuckDbSql(sql, options);
      if (!translated.ok) {
        const { code, message, position } = translated.problem;
        return Promise.reject(
          new R2SqlError({
            code,
            message,
            sql,
            attempts: 0,
            position: { line: position.line, column: position.column },
          }),
        );
      }
      return engine.query<Row>(translated.value.sql);
    },
  };
}
