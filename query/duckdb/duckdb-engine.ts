import { resolve as resolvePath, join } from 'node:path';
import { CATALOG_PREFIX } from '../../lake/iceberg/index.ts';
import { TABLES } from '../../schemas/index.ts';
import type { SqlFragment } from '../../sql/index.ts';
import type { QueryEngine, QueryResult } from '../query-engine.ts';
import type { TableScanRequest } from '../with-r2-sql-dialect.ts';
import { createPool } from './connection-pool.ts';
import {
  type DuckDbEngineConfig,
  type DuckDbReaderLike,
  type ResolvedDuckDbQueryLimits,
  resolveQueryLimits,
} from './duckdb-engine-config.ts';
import { openSandboxedDuckDb } from './open-sandboxed-duckdb.ts';
import { exposeTables } from './expose-tables.ts';
import { createFilePruner, type TableScanPlan, type TableSnapshot } from './prune-table-files.ts';
import { readBoundedResult } from './read-bounded-result.ts';

/** A {@link QueryEngine} over a local lake directory, in DuckDB's dialect, sandboxed and bounded. */
export interface DuckDbEngine extends QueryEngine {
  /** The bounds every query runs within. */
  readonly limits: ResolvedDuckDbQueryLimits;
  /**
   * One statement reads one snapshot of each table, however often it names it: every table is a
   * view over an explicit list of files, replaced (never edited) when the list changes.
   */
  readonly readsOneSnapshot: true;
  /**
   * The data files a table (`namespace.table`, or a bare name in the engine's namespace) read at the
   * last query: an Iceberg table's live files, or a directory's Parquet files.
   */
  tableFiles(table: string): Promise<string[]>;
  /** The `namespace.table`s the engine exposes now (the lake's catalog), read afresh. */
  tables(): Promise<{ namespace: string; table: string }[]>;
  /**
   * What one statement's reads cover, one plan per request in order (null for a table the engine
   * does not expose): each read's files, narrowed (with the relation to read them through) where its
   * bound on the time column lets it skip files. All reads of a table see one snapshot of it; beside
   * a narrowed read, the others get a relation over that snapshot's files (see createFilePruner).
   */
  planScans(requests: readonly TableScanRequest[]): Promise<(TableScanPlan | null)[]>;
  /** Runs a statement the project wrote (never a caller's SQL) on the engine's own connection. */
  trusted(statement: SqlFragment): Promise<DuckDbReaderLike>;
  close(): Promise<void> | void;
}

/**
 * Opens DuckDB (in memory) over a lake directory and exposes tables as `namespace.table` (and, in the
 * engine's namespace, by bare name). Iceberg tables of the bucket's local R2 Data Catalog
 * (`<lake>/__r2_data_catalog/<namespace>/<table>`) are read through their current snapshot's live
 * files, re-resolved whenever the table's metadata version moves, so a compaction never doubles rows.
 * Configured tables not in the catalog read the r2 sink's directories (`<lake>/<table>/**.parquet`)
 * through their listed files (see `directorySource`). Every statement first polls the sources (one
 * `stat` per directory, or the metadata version), and the view of each table it names is replaced
 * when what the table reads changed: files and snapshots written after creation are seen by the next
 * query, and a statement reads one snapshot of each table however often it names it.
 *
 * DuckDB is sandboxed (see `openSandboxedDuckDb`: it opens nothing outside the lake, its configuration
 * locked), and each query is one read-only statement run within the engine's limits (time, memory,
 * result bytes, connections); a refusal is a `QueryEngineError` naming the bound.
 *
 * @example
 * ```ts
 * import { createDuckDbEngine } from './duckdb-engine.ts';
 * const engine = await createDuckDbEngine({ lake: '.data/r2/lake', timeoutMs: 10_000 });
 * const { rows } = await engine.query('SELECT count(*) AS n FROM analytics.events');
 * ```
 */
export async function createDuckDbEngine(config: DuckDbEngineConfig): Promise<DuckDbEngine> {
  const namespace = config.namespace ?? 'analytics';
  const tables = config.tables ?? TABLES;
  const lake = resolvePath(config.lake);
  const catalogDir = resolvePath(config.catalog ?? join(lake, CATALOG_PREFIX));
  const limits = resolveQueryLimits(config);
  const allowed = catalogDir.startsWith(`${lake}/`) ? [lake] : [lake, catalogDir];
  const db = await openSandboxedDuckDb(allowed, namespace, limits);
  const pool = createPool(db.workers, limits.maxQueuedQueries);
  const admin = (text: string) => db.admin.runAndReadAll(text);
  const pruner = createFilePruner(admin);
  const { exposed, refresh, named } = await exposeTables(db.admin, {
    namespace,
    tables,
    lake,
    catalogDir,
  });

  return {
    limits,
    readsOneSnapshot: true,
    async tableFiles(name) {
      const key = name.includes('.') ? name : `${namespace}.${name}`;
      const table = exposed.get(key);
      if (!table) throw new Error(`no table "${name}"; tables: ${[...exposed.keys()].join(', ')}`);
      return table.state?.files ?? [];
    },
    async tables() {
      await refresh();
      return [...exposed.values()]
        .filter((t) => t.state)
        .map((t) => ({ namespace: t.namespace, table: t.name }));
    },
    async planScans(requests) {
      const keys = requests.map((r) => `${r.namespace}.${r.table}`);
      await refresh((t) => keys.includes(`${t.namespace}.${t.name}`));
      // Each table's state taken once, before any await: a refresh that lands meanwhile (another
      // statement's) cannot give two reads of one table two snapshots.
      const snapshots = new Map<string, TableSnapshot>();
      for (const key of keys) {
        const table = exposed.get(key);
        if (table?.state && !snapshots.has(key))
          snapshots.set(key, { state: table.state, columns: table.columns, uniform: table.uniform });
      }
      const plans: (TableScanPlan | null)[] = requests.map(() => null);
      for (const [key, snapshot] of snapshots) {
        const reads = keys.flatMap((k, i) => (k === key ? [i] : []));
        const planned = await pruner.plan(
          snapshot,
          reads.map((i) => requests[i]!.bound),
        );
        reads.forEach((i, n) => {
          const { namespace: ns, table } = requests[i]!;
          plans[i] = { namespace: ns, table, ...planned[n]! };
        });
      }
      return plans;
    },
    async trusted(statement) {
      return db.admin.runAndReadAll(statement.text);
    },
    async query<Row>(text: string): Promise<QueryResult<Row>> {
      await refresh(named(text));
      return pool.use((connection) => readBoundedResult<Row>(connection, text, limits));
    },
    close(): void {
      db.close();
    },
  };
}
