/**
 * The shape of data at rest: partition paths and Parquet encoding, shared by the local stand-in, the
 * direct R2 sink and replay.
 *
 * @module
 */
export { DEFAULT_PARTITIONING, dataFileKey, partitionPath } from './partition-path.ts';
export {
  type EncodeParquetOptions,
  encodeParquet,
  initParquet,
  type ParquetWasm,
} from './parquet/encode-parquet.ts';
export { rowsToArrow } from './parquet/rows-to-arrow.ts';
