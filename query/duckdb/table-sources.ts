import { existsSync, readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { z } from 'zod';
import {
  createIcebergTable,
  type IcebergPrimitive,
  type IcebergSchema,
  type IcebergTable,
  peekMetadataVersion,
} from '../../lake/iceberg/index.ts';
import { columnsOf, duckDbTypeOf } from '../../schemas/index.ts';
import { type SqlFragment, sql } from '../../sql/index.ts';

/** What a table reads from right now: its relation (SQL) and the files it covers. */
export interface TableState {
  kind: 'iceberg' | 'directory';
  /** A SELECT the table's view is defined as. */
  relation: SqlFragment;
  /** Data files the relation reads (the live files, for an Iceberg table). */
  files: string[];
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

// A typed relation with no rows, so an empty table has the right columns.
const emptyRelation = (columns: SqlFragment[]): SqlFragment =>
  sql`SELECT * FROM (SELECT ${sql.join(columns)}) WHERE false`;

const nullColumn = (name: string, type: SqlFragment): SqlFragment =>
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
      const files = table.liveFiles().map((f) => f.localPath);
      const { metadata } = table.current();
      version = now;
      // Files written before a column was appended lack it: match columns by name only then.
      const byName = sql.raw(metadata.schemas.length > 1 ? ', union_by_name = true' : '');
      const relation =
        files.length > 0
          ? sql`SELECT * FROM read_parquet([${sql.join(files)}]${byName}, hive_partitioning = false)`
          : emptyRelation(icebergEmptyColumns(table.schema()));
      return { kind: 'iceberg', relation, files };
    },
  };
}

async function parquetFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.filter((entry) => entry.endsWith('.parquet')).map((entry) => join(dir, entry));
}

/**
 * A table backed by a plain directory as the r2 sink writes it (`<dir>/<partition>/<uuid>.parquet`):
 * once its first file lands the view is a glob, which DuckDB re-expands on every query.
 *
 * @example
 * ```ts
 * import { eventRow } from '../../schemas/index.ts';
 * import { directorySource } from './table-sources.ts';
 * (await directorySource('.data/r2/lake/events', eventRow).poll())?.relation; // SELECT * FROM read_parquet(...)
 * ```
 */
export function directorySource(dir: string, schema: z.ZodObject): TableSource {
  let state: 'unset' | 'empty' | 'glob' = 'unset';
  return {
    kind: 'directory',
    async poll() {
      if (state === 'glob') return null;
      const files = await parquetFiles(dir);
      if (files.length > 0) {
        state = 'glob';
        const glob = join(dir, '**', '*.parquet');
        return {
          kind: 'directory',
          relation: sql`SELECT * FROM read_parquet(${glob}, union_by_name = true, hive_partitioning = false)`,
          files,
        };
      }
      if (state === 'empty') return null;
      state = 'empty';
      const columns = columnsOf(schema).map((c) => nullColumn(c.name, sql.raw(duckDbTypeOf(c.lakeType))));
      return { kind: 'directory', relation: emptyRelation(columns), files: [] };
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
