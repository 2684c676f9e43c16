import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import type { z } from 'zod';
import { rowsToArrow } from './rows-to-arrow.ts';

/** Per-call options of {@link encodeParquet}. */
export interface EncodeParquetOptions {
  compression?: 'zstd' | 'snappy' | 'gzip' | 'lz4' | 'none';
}

const CODECS = {
  zstd: parquet.Compression.ZSTD,
  snappy: parquet.Compression.SNAPPY,
  gzip: parquet.Compression.GZIP,
  lz4: parquet.Compression.LZ4_RAW,
  none: parquet.Compression.UNCOMPRESSED,
} as const;

/**
 * Encodes rows as one Parquet file (zstd by default, as the Pipelines sinks write).
 *
 * @example
 * ```ts
 * import { eventRow } from '../../schemas/index.ts';
 * import { encodeParquet } from './encode-parquet.ts';
 * const bytes = encodeParquet(eventRow, rows);
 * ```
 */
export function encodeParquet(
  schema: z.ZodObject,
  rows: readonly Record<string, unknown>[],
  options: EncodeParquetOptions = {},
): Uint8Array {
  const table = parquet.Table.fromIPCStream(arrow.tableToIPC(rowsToArrow(schema, rows), 'stream'));
  const properties = new parquet.WriterPropertiesBuilder()
    .setCompression(CODECS[options.compression ?? 'zstd'])
    .build();
  return parquet.writeParquet(table, properties);
}
