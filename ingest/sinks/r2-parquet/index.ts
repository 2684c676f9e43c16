export { createR2ParquetSink } from './r2-parquet-sink.ts';
export type { R2BucketLike, R2ParquetSinkConfig, R2PutOptionsLike } from './r2-parquet-sink-config.ts';
