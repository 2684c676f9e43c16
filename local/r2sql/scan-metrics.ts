import { stat } from 'node:fs/promises';
import type { DuckDbEngine } from '../../query/duckdb/index.ts';
import type { QueryMetrics } from '../../query/index.ts';
import { sql } from '../../sql/index.ts';

/** What one Parquet file holds, read once from its footer (files in a bucket never change). */
interface FileLayout {
  footerBytes: number;
  /** Compressed bytes per top-level column, per row group. */
  rowGroups: Map<string, number>[];
}

/** What a query reads from one table. */
export interface TableScan {
  files: string[];
  /** Top-level column names the query reads; null means every column. */
  columns: Set<string> | null;
}

/** Computes R2 SQL's metrics for a query from the files its tables resolve to. */
export interface ScanMetrics {
  measure(scans: TableScan[]): Promise<Required<QueryMetrics>>;
}

/**
 * Measures a query the way R2 SQL bills it, from the Parquet files of the tables it names:
 * - `files_scanned`: the data files read of those tables — the files the engine kept after pruning on
 *   the query's time bounds (per-file min/max of the time column, from Iceberg manifests or Parquet
 *   footers), as R2 SQL prunes on partition values and column statistics;
 * - `bytes_scanned`: for each file, its footer plus the compressed column chunks of the columns the
 *   query mentions (all of them for `SELECT *`) — the byte ranges a columnar reader fetches;
 * - `r2_requests_count`: per file, one ranged GET for the footer and one per row group that has a column
 *   to read (adjacent chunks of a row group coalesce into one range).
 * Layouts come from DuckDB's `parquet_metadata`/`parquet_file_metadata` and are cached per path, size
 * and mtime, so a repeated query costs one stat per file.
 *
 * @example
 * ```ts
 * import { createScanMetrics } from './scan-metrics.ts';
 * const metrics = createScanMetrics(engine);
 * await metrics.measure([{ files: ['/lake/events/a.parquet'], columns: new Set(['ts']) }]);
 * ```
 */
export function createScanMetrics(engine: Pick<DuckDbEngine, 'trusted'>): ScanMetrics {
  const layouts = new Map<string, { key: string; layout: FileLayout }>();

  async function load(paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    const list = sql`[${sql.join(paths)}]`;
    const footers = await engine.trusted(
      sql`SELECT file_name, footer_size FROM parquet_file_metadata(${list})`,
    );
    const chunks = await engine.trusted(
      sql`SELECT file_name, row_group_id, path_in_schema, total_compressed_size FROM parquet_metadata(${list})`,
    );
    const fresh = new Map<string, FileLayout>();
    for (const row of footers.getRowObjectsJson()) {
      fresh.set(String(row.file_name), { footerBytes: Number(row.footer_size) + 8, rowGroups: [] });
    }
    for (const row of chunks.getRowObjectsJson()) {
      const layout = fresh.get(String(row.file_name));
      if (!layout) continue;
      const group = Number(row.row_group_id);
      const column = String(row.path_in_schema).split(/[.,]/)[0]!;
      layout.rowGroups[group] ??= new Map();
      const columns = layout.rowGroups[group]!;
      columns.set(column, (columns.get(column) ?? 0) + Number(row.total_compressed_size));
    }
    await Promise.all(
      [...fresh].map(async ([path, layout]) => {
        const info = await stat(path);
        layouts.set(path, { key: `${info.size}:${info.mtimeMs}`, layout });
      }),
    );
  }

  return {
    async measure(scans) {
      const paths = [...new Set(scans.flatMap((scan) => scan.files))];
      const infos = await Promise.all(paths.map((path) => stat(path).catch(() => null)));
      const stale = paths.filter((path, i) => {
        const info = infos[i];
        return info && layouts.get(path)?.key !== `${info.size}:${info.mtimeMs}`;
      });
      await load(stale);
      let files = 0;
      let bytes = 0;
      let requests = 0;
      for (const scan of scans) {
        for (const path of scan.files) {
          const layout = layouts.get(path)?.layout;
          if (!layout) continue;
          files += 1;
          bytes += layout.footerBytes;
          requests += 1;
          for (const group of layout.rowGroups) {
            let read = 0;
            for (const [column, size] of group ?? []) {
              if (!scan.columns || scan.columns.has(column)) read += size;
            }
            if (read > 0) {
              bytes += read;
              requests += 1;
            }
          }
        }
      }
      return { files_scanned: files, bytes_scanned: bytes, r2_requests_count: requests };
    },
  };
}
