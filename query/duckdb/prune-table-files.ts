import type { TimeBound } from '../../sql/index.ts';
import { type SqlFragment, sql } from '../../sql/index.ts';
import type { TableScanAnswer } from '../with-r2-sql-dialect.ts';
import type { DuckDbReaderLike } from './duckdb-engine-config.ts';
import { emptyRelation, type FileBounds, nullColumn, type TableState } from './table-sources.ts';

/** A column of a table's relation, as DuckDB describes it. */
export interface RelationColumn {
  name: string;
  type: string;
}

/**
 * What one read of a table (the mentions of it with one bound) covers: its files, and the relation to
 * read them through when narrowed or pinned beside a narrowed read (see {@link FilePruner}).
 */
export type TableScanPlan = TableScanAnswer;

/** A table as one statement reads it: the state its views saw, and that relation's columns. */
export interface TableSnapshot {
  state: TableState;
  /** The columns of the table's relation, as DuckDB describes them. */
  columns: readonly RelationColumn[] | undefined;
  /** Every file of the state has the same columns: a narrowed table reads its files directly. */
  uniform?: boolean;
}

/** Narrows a table's reads to the files their time bounds can match. */
export interface FilePruner {
  /**
   * One plan per bound (`undefined`: an unbounded read), all over the snapshot's files. When some
   * plan is narrowed, every other plan also gets a relation, over all the snapshot's files: a
   * statement then reads one list of files for the table in every FROM item, never the live view.
   */
  plan(
    snapshot: TableSnapshot,
    bounds: readonly (TimeBound | undefined)[],
  ): Promise<Pick<TableScanPlan, 'files' | 'relation' | 'narrowed'>[]>;
}

/** Files whose footers are read in one statement. */
const BATCH = 256;
/** Cached footers at most (a file never changes, so an entry never goes stale). */
const MAX_CACHED = 200_000;

const overlaps = (file: FileBounds, bound: TimeBound): boolean =>
  (bound.min === null || file.max >= bound.min) && (bound.max === null || file.min <= bound.max);

/**
 * A pruner over the engine's own connection: for a table with a time bound, the files whose
 * `[min, max]` of the column overlaps the bound are kept — bounds from the table's metadata (Iceberg
 * manifests) or else from each Parquet footer's row-group statistics (read once per file and cached:
 * files in a bucket never change); a file whose bounds are unknown is always kept. A narrowed table
 * reads through a relation with exactly the table's columns and types (the kept files directly when
 * every file of the table has the same columns, else a typed empty relation `UNION ALL BY NAME`
 * them), so the query's result cannot change. Several reads of one table are planned over one snapshot
 * of it: beside a narrowed read, an unnarrowed one reads the snapshot's files through the relation the
 * table's view is defined as (so a file landed after the plan is seen by no FROM item of the statement).
 *
 * @example
 * ```ts
 * import { createFilePruner } from './prune-table-files.ts';
 * const pruner = createFilePruner((text) => db.admin.runAndReadAll(text));
 * const columns = [{ name: 'ts', type: 'TIMESTAMP WITH TIME ZONE' }];
 * await pruner.plan({ state, columns, uniform: true }, [{ column: 'ts', min: 0n, max: null }, undefined]);
 * ```
 */
export function createFilePruner(run: (text: string) => Promise<DuckDbReaderLike>): FilePruner {
  const cache = new Map<string, FileBounds | null>();

  async function footerBounds(files: string[], column: string): Promise<void> {
    for (let i = 0; i < files.length; i += BATCH) {
      const batch = files.slice(i, i + BATCH);
      const min = sql.raw('TRY_CAST(stats_min_value AS TIMESTAMPTZ)');
      const max = sql.raw('TRY_CAST(stats_max_value AS TIMESTAMPTZ)');
      const reader = await run(
        sql`SELECT file_name, CAST(epoch_us(min(${min})) AS VARCHAR) AS lo, CAST(epoch_us(max(${max})) AS VARCHAR) AS hi,
          bool_and(${min} IS NOT NULL AND ${max} IS NOT NULL) AS complete
        FROM parquet_metadata([${sql.join(batch)}])
        WHERE lower(path_in_schema) = ${column} AND type = 'INT64' GROUP BY file_name`.text,
      );
      if (cache.size + batch.length > MAX_CACHED) cache.clear();
      for (const path of batch) cache.set(`${column}\0${path}`, null);
      for (const row of reader.getRowObjectsJson()) {
        if (row.complete !== true || row.lo === null || row.hi === null) continue;
        cache.set(`${column}\0${row.file_name}`, {
          min: BigInt(String(row.lo)),
          max: BigInt(String(row.hi)),
        });
      }
    }
  }

  async function boundsOf(
    state: TableState,
    files: string[],
    column: string,
  ): Promise<Map<string, FileBounds>> {
    const known = state.fileBounds?.(column) ?? new Map<string, FileBounds>();
    const missing = files.filter((f) => !known.has(f) && !cache.has(`${column}\0${f}`));
    if (missing.length > 0) await footerBounds(missing, column);
    for (const f of files) {
      const cached = known.has(f) ? undefined : cache.get(`${column}\0${f}`);
      if (cached) known.set(f, cached);
    }
    return known;
  }

  async function keep(
    { state, columns, uniform = false }: TableSnapshot,
    bound: TimeBound | undefined,
  ): Promise<Pick<TableScanPlan, 'files' | 'relation' | 'narrowed'>> {
    const files = state.files;
    const column = columns?.find((c) => c.name.toLowerCase() === bound?.column);
    if (!bound || !columns || !column?.type.startsWith('TIMESTAMP') || files.length === 0)
      return { files, narrowed: false };
    const bounds = await boundsOf(state, files, bound.column);
    const kept = files.filter((f) => {
      const b = bounds.get(f);
      return !b || overlaps(b, bound);
    });
    if (kept.length === files.length) return { files, narrowed: false };
    return { files: kept, relation: narrowed(state, columns, kept, uniform).text, narrowed: true };
  }

  return {
    async plan(snapshot, bounds) {
      const plans: Pick<TableScanPlan, 'files' | 'relation' | 'narrowed'>[] = [];
      for (const bound of bounds) plans.push(await keep(snapshot, bound));
      if (!plans.some((p) => p.narrowed)) return plans;
      // The relation the table's view is defined as (see exposeTables), over the same state.
      const { state, uniform } = snapshot;
      const whole = (uniform ? state.read(state.files, true) : state.relation).text;
      return plans.map((p) => (p.narrowed ? p : { ...p, relation: whole }));
    },
  };
}

/**
 * The table's relation over `kept` alone, with the whole relation's columns in order and types: its
 * files read directly when they all have the same columns (so the whole relation has exactly those),
 * else unified with a typed empty relation.
 */
function narrowed(
  state: TableState,
  columns: readonly RelationColumn[],
  kept: string[],
  uniform: boolean,
): SqlFragment {
  if (kept.length > 0 && uniform) return state.read(kept, true);
  const empty = emptyRelation(columns.map((c) => nullColumn(c.name, sql.raw(c.type))));
  return kept.length === 0 ? empty : sql`SELECT * FROM (${empty}) UNION ALL BY NAME ${state.read(kept)}`;
}
