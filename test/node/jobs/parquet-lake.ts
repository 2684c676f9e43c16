import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sink } from '../../../ingest/sink.ts';
import { encodeParquet } from '../../../lake/index.ts';
import { createDuckDbEngine, type DuckDbEngine } from '../../../query/duckdb/index.ts';
import { type R2SqlDialectEngine, withR2SqlDialect } from '../../../query/index.ts';
import { TABLES, type TableName } from '../../../schemas/index.ts';

/** A lake directory written file by file (as sinks roll), read by the DuckDB engine in R2 SQL's dialect. */
export interface ParquetLake {
  dir: string;
  engine: R2SqlDialectEngine;
  duckdb: DuckDbEngine;
  /** Writes one Parquet file of `rows` into `<dir>/<table>/`. */
  write(table: TableName, rows: Record<string, unknown>[]): Promise<void>;
  /** A sink that lands each send as a Parquet file of `table`. */
  sink(table: TableName): Sink & { sent: number };
  close(): Promise<void>;
}

let files = 0;

export async function createParquetLake(dir: string): Promise<ParquetLake> {
  const duckdb = await createDuckDbEngine({ lake: dir });
  const engine = withR2SqlDialect(duckdb, { catalog: () => duckdb.tables() });
  const write = async (table: TableName, rows: Record<string, unknown>[]) => {
    if (rows.length === 0) return;
    const folder = join(dir, table, 'day=0');
    await mkdir(folder, { recursive: true });
    files += 1;
    await writeFile(
      join(folder, `${String(files).padStart(8, '0')}.parquet`),
      encodeParquet(TABLES[table], rows),
    );
  };
  return {
    dir,
    engine,
    duckdb,
    write,
    sink(table) {
      const sink = {
        sent: 0,
        async send(rows: Record<string, unknown>[]) {
          sink.sent += rows.length;
          await write(table, rows);
        },
      };
      return sink;
    },
    close: async () => {
      await duckdb.close?.();
    },
  };
}
