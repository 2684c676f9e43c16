import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Sink } from '../../ingest/sink.ts';
import { dataFileKey, encodeParquet } from '../../lake/index.ts';
import { TABLES, type TableName } from '../../schemas/index.ts';

const FLUSH_ROWS = 100_000;

/**
 * A sink that lands rows as Parquet files of `table` in a lake directory, laid out as the r2 sink
 * does (`<lake>/<table>/year=…/month=…/day=…/<uuid>.parquet`), each written whole then renamed so a
 * reader never sees half a file. Rows are held until a refresh's commit row arrives (or 100k are
 * held), so a refresh lands as one file: what a backfill over a lake on disk writes through.
 *
 * @example
 * ```ts
 * import { createLakeDirSink } from './lake-dir-sink.ts';
 * const sink = createLakeDirSink('.data/demo/r2/lake', 'rollups');
 * await sink.send([]); // nothing to write: no file
 * ```
 */
export function createLakeDirSink(lake: string, table: TableName): Sink & { files: number } {
  let held: Record<string, unknown>[] = [];
  const sink = {
    files: 0,
    async send(rows: Record<string, unknown>[]) {
      held.push(...rows);
      if (held.length < FLUSH_ROWS && !rows.some((r) => r.kind === 'commit')) return;
      const out = held;
      held = [];
      if (out.length === 0) return;
      const path = join(lake, dataFileKey(table, new Date()));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(`${path}.tmp`, encodeParquet(TABLES[table], out));
      await rename(`${path}.tmp`, path);
      sink.files += 1;
    },
  };
  return sink;
}
