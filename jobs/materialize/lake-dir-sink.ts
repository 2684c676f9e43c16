import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Sink } from '../../ingest/sink.ts';
import { dataFileKey, encodeParquet } from '../../lake/index.ts';
import { TABLES, type TableName } from '../../schemas/index.ts';

/**
 * A sink that lands each send as one Parquet file of `table` in a lake directory, laid out as the
 * r2 sink does (`<lake>/<table>/year=…/month=…/day=…/<uuid>.parquet`), written whole then renamed so
 * a reader never sees half a file. What a backfill over a lake on disk writes its refreshes through.
 *
 * @example
 * ```ts
 * import { createLakeDirSink } from './lake-dir-sink.ts';
 * const sink = createLakeDirSink('.data/demo/r2/lake', 'rollups');
 * await sink.send([]); // nothing to write: no file
 * ```
 */
export function createLakeDirSink(lake: string, table: TableName): Sink & { files: number } {
  const sink = {
    files: 0,
    async send(rows: Record<string, unknown>[]) {
      if (rows.length === 0) return;
      const path = join(lake, dataFileKey(table, new Date()));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(`${path}.tmp`, encodeParquet(TABLES[table], rows));
      await rename(`${path}.tmp`, path);
      sink.files += 1;
    },
  };
  return sink;
}
