import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import {
  createIcebergTable,
  decodeLongBound,
  type IcebergPrimitive,
  type IcebergSchema,
  type IcebergTable,
  peekMetadataVersion,
} from '../../lake/iceberg/index.ts';
import { columnsOf, duckDbTypeOf } from '../../schemas/index.ts';
import { type SqlFragment, sql } from '../../sql/index.ts';
import { createParquetFileLister } from './list-parquet-files.ts';

/** What a table reads from right now: its relation (SQL) and the files it covers. */
export interface TableState {
  kind: 'iceberg' | 'directory';
  /** A SELECT the table's view is defined as. */
  relation: SqlFragment;
  /** Data files the relation reads (the live files, for an Iceberg table). */
  files: string[];
  /**
   * A relation over some of the table's files, read as the whole relation reads them; `uniform`
   * when they all have the same columns (see `createParquetSchemas`), read without unifying names.
   */
  read(files: readonly string[], uniform?: boolean): SqlFragment;
  /** Per-file bounds of a timestamp column from the table's own metadata (Iceberg manifests), if any. */
  fileBounds?(column: string): Map<string, FileBounds>;
}

/** The least and greatest value of a timestamp column in one file, in epoch microseconds. */
export interface FileBounds {
  min: bigint;
  max: bigint;
}

/** A source of one table: `poll` answers a new state when what the table reads changed, else null. */
export interface TableSource {
  readonly kind: TableState['kind'];
  poll(): Promise<TableState | null>;
}

const DUCKDB_TYPES: Record<IcebergPrimitive, SqlFragment> = {
  string: sql`VARCHAR`,
  int: sql`INTEGER`,
  long: sql`BIGINT`,
  double: sql`DOUBLE`,
  boolean: sql`BOOLEAN`,
  timestamptz: sql`TIMESTAMPTZ`,
};

/**
 * A typed relation with no rows, so an empty table (or a table narrowed to no file) has the right
 * columns.
 *
 * @example
 * ```ts
 * import { sql } from '../../sql/index.ts';
 * import { emptyRelation } from './table-sources.ts';
 * emptyRelation([sql`CAST(NULL AS BIGINT) AS seq`]).text; // SELECT * FROM (SELECT CAST(NULL AS BIGINT) AS seq) WHERE false
 * ```
 */
export const emptyRelation = (columns: SqlFragment[]): SqlFragment =>
  sql`SELECT * FROM (SELECT ${sql.join(columns)}) WHERE false`;

export const nullColumn = (name: string, type: SqlFragment): SqlFragment =>
  sql`CAST(NULL AS ${type}) AS ${sql.id(name)}`;

const icebergEmptyColumns = (schema: IcebergSchema): SqlFragment[] =>
  schema.fields.map((f) => nullColumn(f.name, DUCKDB_TYPES[f.type]));

/**
 * A table backed by an Iceberg table directory: re-resolved through metadata → manifest list →
 * manifests whenever the metadata version moves, so compacted (DELETED) files that stay on disk are
 * never read.
 *
 * @example
 * ```ts
 * import { icebergSource } from './table-sources.ts';
 * const state = await icebergSource('.data/r2/lake/__r2_data_catalog/analytics/events').poll();
 * state?.files; // the current snapshot's live files
 * ```
 */
export function icebergSource(dir: string): TableSource {
  let version = -1;
  let table: IcebergTable | null = null;
  return {
    kind: 'iceberg',
    async poll() {
      const now = peekMetadataVersion(dir);
      if (now === version) return null;
      table ??= createIcebergTable({ dir });
      const live = table.liveFiles();
      const files = live.map((f) => f.localPath);
      const { metadata } = table.current();
      const schema = table.schema();
      version = now;
      // Files written before a column was appended lack it: match columns by name only then.
      const byName = sql.raw(metadata.schemas.length > 1 ? ', union_by_name = true' : '');
      const read = (subset: readonly string[], uniform = false) =>
        sql`SELECT * FROM read_parquet([${sql.join(subset)}]${uniform ? sql`` : byName}, hive_partitioning = false)`;
      const relation = files.length > 0 ? read(files) : emptyRelation(icebergEmptyColumns(schema));
      const fileBounds = (column: string): Map<string, FileBounds> => {
        const field = schema.fields.find((f) => f.name.toLowerCase() === column && f.type === 'timestamptz');
        const bounds = new Map<string, FileBounds>();
        if (!field) return bounds;
        for (const file of live) {
          const min = decodeLongBound(file.lower_bounds?.get(field.id));
          const max = decodeLongBound(file.upper_bounds?.get(field.id));
          if (min !== null && max !== null) bounds.set(file.localPath, { min, max });
        }
        return bounds;
      };
      return { kind: 'iceberg', relation, files, read, fileBounds };
    },
  };
}

/**
 * A table backed by a plain directory as the r2 sink writes it (`<dir>/<partition>/<uuid>.parquet`),
 * read through the explicit list of its files: listed on every poll (see `createParquetFileLister`:
 * one `stat` per directory while nothing lands), with a new state whenever the list changed. One
 * statement therefore reads one list of files however often it names the table, and a file that
 * landed before a poll is read by every query after it.
 *
 * @example
 * ```ts
 * import { eventRow } from '../../schemas/index.ts';
 * import { directorySource } from './table-sources.ts';
 * (await directorySource('.data/r2/lake/events', eventRow).poll())?.files; // the Parquet files under it
 * ```
 */
export function directorySource(dir: string, schema: z.ZodObject): TableSource {
  const lister = createParquetFileLister(dir);
  let seen: string[] | null = null;
  const read = (subset: readonly string[], uniform = false) =>
    sql`SELECT * FROM read_parquet([${sql.join(subset)}]${uniform ? sql`` : sql`, union_by_name = true`}, hive_partitioning = false)`;
  return {
    kind: 'directory',
    async poll() {
      const files = await lister.list();
      if (seen && files.length === seen.length && files.every((f, i) => f === seen![i])) return null;
      seen = files;
      const columns = () =>
        columnsOf(schema).map((c) => nullColumn(c.name, sql.raw(duckDbTypeOf(c.lakeType))));
      const relation = files.length > 0 ? read(files) : emptyRelation(columns());
      return { kind: 'directory', relation, files, read };
    },
  };
}

/**
 * The Iceberg tables of a local catalog directory (`<catalog>/<namespace>/<table>/metadata/`), as
 * `[namespace, table, dir]`.
 *
 * @example
 * ```ts
 * import { listCatalogTables } from './table-sources.ts';
 * listCatalogTables('.data/r2/lake/__r2_data_catalog'); // [['analytics', 'events', '.../events']]
 * ```
 */
export function listCatalogTables(catalogDir: string): [string, string, string][] {
  if (!existsSync(catalogDir)) return [];
  const found: [string, string, string][] = [];
  for (const namespace of readdirSync(catalogDir)) {
    const nsDir = join(catalogDir, namespace);
    let tables: string[] = [];
    try {
      tables = readdirSync(nsDir);
    } catch {
      continue;
    }
    for (const table of tables) {
      const dir = join(nsDir, table);
      if (peekMetadataVersion(dir) > 0) found.push([namespace, table, dir]);
    }
  }
  return found;
}
