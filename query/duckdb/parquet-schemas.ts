import { sql } from '../../sql/index.ts';
import type { DuckDbReaderLike } from './duckdb-engine-config.ts';

/** Each Parquet file's schema as DuckDB reads it, read once per file. */
export interface ParquetSchemas {
  /**
   * True when every file has the same columns (names, order, DuckDB types, nesting): read together
   * without `union_by_name`, or any of them alone, they then read as the same relation.
   */
  uniform(files: readonly string[]): Promise<boolean>;
}

/** Files whose schemas are read in one statement. */
const BATCH = 256;
/** Cached schemas at most (a lake file never changes, so an entry never goes stale). */
const MAX_CACHED = 200_000;

/**
 * Reads Parquet schemas with `parquet_schema` (the footer alone, cached by DuckDB too) and keeps a
 * signature per file: every schema element's (the root's aside) name, DuckDB type, repetition and children, in order.
 * Lake files are written whole under fresh names and never rewritten, so a file's signature never
 * changes.
 *
 * @example
 * ```ts
 * import { createParquetSchemas } from './parquet-schemas.ts';
 * const schemas = createParquetSchemas((text) => db.admin.runAndReadAll(text));
 * await schemas.uniform(['/lake/events/a.parquet', '/lake/events/b.parquet']); // true
 * ```
 */
export function createParquetSchemas(run: (text: string) => Promise<DuckDbReaderLike>): ParquetSchemas {
  const signatures = new Map<string, string>();

  async function read(files: string[]): Promise<void> {
    for (let i = 0; i < files.length; i += BATCH) {
      const batch = files.slice(i, i + BATCH);
      const reader = await run(
        sql`SELECT file_name, string_agg(concat_ws(' ', name, coalesce(duckdb_type, type, ''), repetition_type, coalesce(num_children, 0)), '|' ORDER BY column_id) AS signature
        FROM parquet_schema([${sql.join(batch)}]) WHERE column_id > 0 GROUP BY file_name`.text,
      );
      if (signatures.size + batch.length > MAX_CACHED) signatures.clear();
      for (const row of reader.getRowObjectsJson()) {
        signatures.set(String(row.file_name), String(row.signature));
      }
    }
  }

  return {
    async uniform(files) {
      if (files.length < 2) return true;
      const missing = files.filter((f) => !signatures.has(f));
      if (missing.length > 0) await read(missing);
      const first = signatures.get(files[0]!);
      return first !== undefined && files.every((f) => signatures.get(f) === first);
    },
  };
}
