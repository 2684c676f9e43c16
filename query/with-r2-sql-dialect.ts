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

/**
 * The files a query read of one table: the union over its mentions (FROM items); `narrowed` when the
 * time bound of some mention let it skip some of the table's files.
 */
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

/** One read a statement makes of a table: every mention of it with this bound (none: unbounded). */
export interface TableScanRequest {
  namespace: string;
  table: string;
  bound?: TimeBound;
}

/** The engine's answer to one {@link TableScanRequest}. */
export interface TableScanAnswer {
  namespace: string;
  table: string;
  /** The data files the read covers. */
  files: string[];
  /**
   * DuckDB SQL of a relation over `files` alone, to read instead of the table: present when the read
   * is narrowed, and for every read of a table some other read of which is narrowed in the same call.
   */
  relation?: string;
  /** True when `files` are fewer than the table's. */
  narrowed: boolean;
}

/**
 * An engine that plans what a statement reads: for each requested read of a table, its files, and
 * where the read's time bound lets it skip files, a relation (DuckDB SQL) over those alone (the local
 * DuckDB engine is one). One call sees one snapshot of each table: when some reads of a table are
 * narrowed, the others get a relation over exactly the files that snapshot holds, so the statement
 * cannot see a file landed after the plan in one FROM item and not in another.
 */
export interface ScanPlanningEngine {
  /** One answer per request, in order; null for a table the engine does not hold. */
  planScans(requests: readonly TableScanRequest[]): Promise<(TableScanAnswer | null)[]>;
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

type Translator = (sql: string, relations?: ReadonlyMap<number, string>) => Promise<DuckDbTranslationResult>;

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

/** The reads a statement makes (one per distinct bound of a table), and which read each mention is. */
function scanRequests({ tables, mentions }: DuckDbTranslation): {
  requests: TableScanRequest[];
  byMention: Map<number, number>;
} {
  // A mention's key is case-folded; two references that fold to one key leave their mentions unplanned.
  const byKey = new Map<string, TableReference | null>();
  for (const t of tables) {
    const key = tableKey(t).toLowerCase();
    byKey.set(key, byKey.has(key) ? null : t);
  }
  const requests: TableScanRequest[] = [];
  const seen = new Map<string, number>();
  const ask = (t: TableReference, bound: TimeBound | null): number => {
    const id = `${tableKey(t)}\0${bound ? `${bound.column}\0${bound.min}\0${bound.max}` : ''}`;
    let index = seen.get(id);
    if (index === undefined) {
      index = requests.push(bound ? { ...t, bound } : { ...t }) - 1;
      seen.set(id, index);
    }
    return index;
  };
  const byMention = new Map<number, number>();
  for (const mention of mentions) {
    const t = byKey.get(mention.key);
    if (t) byMention.set(mention.start, ask(t, mention.bound));
  }
  for (const t of tables) {
    if (!requests.some((r) => r.namespace === t.namespace && r.table === t.table)) ask(t, null);
  }
  return { requests, byMention };
}

/** Per table, the union of the files its reads planned. */
function tableScans(plans: readonly (TableScanAnswer | null)[]): TableFileScan[] {
  const scans = new Map<string, { scan: TableFileScan; files: Set<string> }>();
  for (const plan of plans) {
    if (!plan) continue;
    const key = tableKey(plan);
    let entry = scans.get(key);
    if (!entry) {
      const scan = { namespace: plan.namespace, table: plan.table, files: [], narrowed: false };
      entry = { scan, files: new Set() };
      scans.set(key, entry);
    }
    for (const file of plan.files) entry.files.add(file);
    entry.scan.narrowed ||= plan.narrowed;
  }
  return [...scans.values()].map(({ scan, files }) => ({ ...scan, files: [...files] }));
}

/**
 * The engine's plan of what the query reads and, when some read was narrowed to fewer files, the
 * translation again with each mention read through its own read's relation.
 */
async function planned(
  engine: QueryEngine,
  translate: Translator,
  sql: string,
  translation: DuckDbTranslation,
): Promise<{ translation: DuckDbTranslation; scans?: TableFileScan[] }> {
  if (!plansScans(engine) || translation.statement !== 'select') return { translation };
  const { requests, byMention } = scanRequests(translation);
  const plans = await engine.planScans(requests);
  const relations = new Map<number, string>();
  for (const [start, index] of byMention) {
    const relation = plans[index]?.relation;
    if (relation !== undefined) relations.set(start, relation);
  }
  const scans = tableScans(plans);
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
 * plans its scans (`planScans`), a SELECT reads each mention of a table (each FROM item) only from the
 * files its own time bound can match (see mentionBounds), and the result carries
 * `metrics.files_scanned`: the distinct files read over all mentions (a file two mentions read counts
 * once); the run names each table's files (the union over its mentions).
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
      // Each file once, however many mentions read it.
      const files_scanned = new Set(scans.flatMap((scan) => scan.files)).size;
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
