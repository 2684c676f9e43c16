import {
  type DuckDbTranslation,
  type DuckDbTranslationResult,
  R2SQL_ERROR_CODES,
  type TableReference,
  type TimeBound,
  type ToDuckDbSqlOptions,
  toDuckDbSql,
} from '../sql/index.ts';
import type { QueryEngine, QueryResult } from './query-engine.ts';
import { isQueryEngineError, type QueryEngineErrorReason } from './query-engine-error.ts';
import { isR2SqlError, R2SqlError, type R2SqlErrorCode } from './r2sql/r2sql-error.ts';

/** The files a query read of one table; `narrowed` when its time bound let it skip some. */
export interface TableFileScan {
  namespace: string;
  table: string;
  files: string[];
  narrowed: boolean;
}

/** A result of R2-dialect SQL with the translation that ran (what it read, whether LIMIT was added). */
export interface R2SqlRun<Row = Record<string, unknown>> {
  result: QueryResult<Row>;
  translation: DuckDbTranslation;
  /** The files each table was read from, when the engine plans its scans. */
  scans?: TableFileScan[];
}

/**
 * An engine that plans what a query reads: each table's files, and for a table whose time column the
 * query bounds, the files that can hold matching rows with a relation (DuckDB SQL) that reads only
 * those (the local DuckDB engine is one).
 */
export interface ScanPlanningEngine {
  planScans(
    tables: readonly TableReference[],
    bounds: ReadonlyMap<string, TimeBound>,
  ): Promise<{ namespace: string; table: string; files: string[]; relation?: string }[]>;
}

const plansScans = (engine: object): engine is ScanPlanningEngine =>
  typeof (engine as Partial<ScanPlanningEngine>).planScans === 'function';

/** An engine that takes R2 SQL's dialect: {@link withR2SqlDialect}'s answer. */
export interface R2SqlDialectEngine extends QueryEngine {
  /** Checks, translates and runs `sql`, answering the result with its translation. */
  run<Row = Record<string, unknown>>(sql: string): Promise<R2SqlRun<Row>>;
}

// The engine's reasons as R2 SQL's codes. R2 SQL answers 40015 when a query is over its scan budget;
// a query over the local time, memory or result-size bound is refused for cost in the same way.
const CODES: Record<QueryEngineErrorReason, number> = {
  syntax: R2SQL_ERROR_CODES.syntax,
  refused: R2SQL_ERROR_CODES.unsupported,
  failed: R2SQL_ERROR_CODES.unsupported,
  timeout: R2SQL_ERROR_CODES.budget,
  memory: R2SQL_ERROR_CODES.budget,
  too_large: R2SQL_ERROR_CODES.budget,
  busy: R2SQL_ERROR_CODES.retryable,
  crashed: R2SQL_ERROR_CODES.retryable,
};

/**
 * What any failure of a query becomes: an `R2SqlError` with R2 SQL's code. An engine's own refusal
 * keeps its message under the mapped code; anything unexpected is a retryable 80001.
 *
 * @example
 * ```ts
 * import { toR2SqlError } from './with-r2-sql-dialect.ts';
 * toR2SqlError(new Error('boom'), 'SELECT 1').code; // 80001
 * ```
 */
export function toR2SqlError(cause: unknown, sql: string): R2SqlError {
  if (isR2SqlError(cause)) return cause;
  if (isQueryEngineError(cause)) {
    return new R2SqlError({
      code: CODES[cause.reason] as R2SqlErrorCode,
      message: cause.message,
      sql,
      attempts: 1,
    });
  }
  const message = cause instanceof Error ? cause.message : String(cause);
  return new R2SqlError({
    code: R2SQL_ERROR_CODES.retryable,
    message: `internal error: ${message.split('\n')[0]}`,
    sql,
    attempts: 1,
  });
}

/** Construction options of {@link withR2SqlDialect}: the translation's, plus where the catalog comes from. */
export interface R2SqlDialectConfig extends ToDuckDbSqlOptions {
  /**
   * The tables the engine holds. With it, a query naming any other table is refused (40004) by name,
   * listing those that exist, as R2 SQL refuses it. Read once, and again only when a query names a
   * table not seen yet (a table can appear after a roll).
   */
  catalog?: () => Promise<TableReference[]>;
}

const tableKey = (t: TableReference): string => `${t.namespace}.${t.table}`;

type Translator = (sql: string, relations?: ReadonlyMap<string, string>) => Promise<DuckDbTranslationResult>;

function createTranslator(config: R2SqlDialectConfig): Translator {
  const { catalog, ...options } = config;
  let known: Set<string> | null = null;
  let tables: TableReference[] | undefined;
  return async (sql, relations) => {
    const translated = toDuckDbSql(sql, { ...options, tables, relations });
    if (!catalog || !translated.ok) return translated;
    if (known && translated.value.tables.every((t) => known!.has(tableKey(t)))) return translated;
    // Without the catalog the engine still refuses an unknown table, in its own words.
    const listed = await catalog().catch(() => null);
    if (!listed) return translated;
    known = new Set(listed.map(tableKey));
    tables = listed;
    return toDuckDbSql(sql, { ...options, tables, relations });
  };
}

/**
 * The engine's plan of what the query reads and, when some table was narrowed to fewer files, the
 * translation again with those tables read through their narrowed relations.
 */
async function planned(
  engine: QueryEngine,
  translate: Translator,
  sql: string,
  translation: DuckDbTranslation,
): Promise<{ translation: DuckDbTranslation; scans?: TableFileScan[] }> {
  if (!plansScans(engine) || translation.statement !== 'select') return { translation };
  const plans = await engine.planScans(translation.tables, translation.timeBounds);
  const relations = new Map(
    plans.filter((p) => p.relation !== undefined).map((p) => [`${p.namespace}.${p.table}`, p.relation!]),
  );
  const scans = plans.map(({ namespace, table, files, relation }) => ({
    namespace,
    table,
    files,
    narrowed: relation !== undefined,
  }));
  if (relations.size === 0) return { translation, scans };
  const again = await translate(sql, relations);
  return again.ok ? { translation: again.value, scans } : { translation, scans: undefined };
}

/**
 * Wraps an engine that speaks DuckDB (the local DuckDB engine) so it takes R2 SQL's dialect — the one
 * place R2-dialect SQL is checked, translated, run and its failures mapped: what R2 SQL refuses is
 * thrown before it runs as the `R2SqlError` (40003/40004, message, position) the R2 SQL client
 * throws; what the engine refuses or fails (a DuckDB error, a timeout, the memory or result bound) is
 * thrown as an `R2SqlError` with the closest platform code (40003, 40004, 40015, 80001). So a view that
 * passes locally runs in production, and code handles both engines' errors alike. When the engine
 * plans its scans (`planScans`), a SELECT reads each table only from the files its time bound can
 * match (see timeBounds), and the result carries `metrics.files_scanned`; the run names the files.
 *
 * @example
 * ```ts
 * import { createDuckDbEngine } from './duckdb/index.ts';
 * import { withR2SqlDialect } from './with-r2-sql-dialect.ts';
 * const engine = withR2SqlDialect(await createDuckDbEngine({ lake: '.data/r2/lake' }));
 * await engine.query("SELECT json_get_str(data, 'name') AS name FROM analytics.events");
 * ```
 */
export function withR2SqlDialect<E extends QueryEngine>(
  engine: E,
  config: R2SqlDialectConfig = {},
): Omit<E, 'query'> & R2SqlDialectEngine {
  const translate = createTranslator(config);
  async function run<Row>(sql: string): Promise<R2SqlRun<Row>> {
    let translated: DuckDbTranslationResult;
    try {
      translated = await translate(sql);
    } catch (cause) {
      // The same query would fail the same way again: not retryable.
      throw new R2SqlError({
        code: R2SQL_ERROR_CODES.unsupported,
        message: `the query is too complex to translate (${(cause as Error).message}); simplify it`,
        sql,
        attempts: 0,
      });
    }
    if (!translated.ok) {
      const { code, message, position } = translated.problem;
      throw new R2SqlError({
        code,
        message,
        sql,
        attempts: 0,
        position: { line: position.line, column: position.column },
      });
    }
    try {
      const { translation, scans } = await planned(engine, translate, sql, translated.value);
      const result = await engine.query<Row>(translation.sql);
      if (!scans) return { result, translation };
      const files_scanned = scans.reduce((n, scan) => n + scan.files.length, 0);
      return { result: { ...result, metrics: { ...result.metrics, files_scanned } }, translation, scans };
    } catch (cause) {
      throw toR2SqlError(cause, sql);
    }
  }
  return {
    ...engine,
    run,
    async query<Row = Record<string, unknown>>(sql: string): Promise<QueryResult<Row>> {
      return (await run<Row>(sql)).result;
    },
  };
}
