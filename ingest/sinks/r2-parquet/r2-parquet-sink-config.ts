import type { z } from 'zod';
import type { EncodeParquetOptions, ParquetWasm } from '../../../lake/index.ts';
import type { TableName } from '../../../schemas/index.ts';

/** The options of one object write, a subset of R2's `R2PutOptions`. */
export interface R2PutOptionsLike {
  httpMetadata?: { contentType?: string };
  customMetadata?: Record<string, string>;
  /** R2 verifies the upload against it and rejects the put on a mismatch. */
  sha256?: ArrayBuffer | string;
}

/**
 * The part of an R2 bucket binding the sink drives (`env.LAKE` from `[[r2_buckets]]`). Declared
 * structurally, so the core does not depend on @cloudflare/workers-types; an `R2Bucket` is one.
 */
export interface R2BucketLike {
  /** Resolves once the object is stored (R2 is strongly consistent: a resolved put is durable). */
  put(key: string, value: Uint8Array, options?: R2PutOptionsLike): Promise<unknown>;
  /** Used, when present, to remove the files of a send that failed half-way. */
  delete?(keys: string | string[]): Promise<unknown>;
}

/** Construction options of {@link createR2ParquetSink}. */
export interface R2ParquetSinkConfig {
  /**
   * The global table the rows belong to: its schema gives the Parquet columns. A table name from
   * `TABLES`, or a zod object built with `col.*` (then `prefix` is required). Defaults to `'events'`.
   */
  table?: TableName | z.ZodObject;
  /** Where the table's files go in the bucket (the Pipelines r2 sink's `--path`); defaults to the table name. */
  prefix?: string;
  /** strftime pattern of the partition directories (UTC); defaults to `year=%Y/month=%m/day=%d`. */
  partitioning?: string;
  /** Rows per file at most; a larger send is split into several files. Defaults to 100,000. */
  rollRows?: number;
  /**
   * Bytes per Parquet file at most; a larger send is split into several files. A single row larger
   * than this still gets a file of its own (a row is never split). Defaults to 64 MiB.
   */
  rollBytes?: number;
  /** Defaults to zstd, as the Pipelines sinks write. */
  compression?: EncodeParquetOptions['compression'];
  /**
   * Validate every row against the table schema before writing (default true). An invalid row fails
   * the whole send with a message naming the row and the field, and nothing of it is written.
   */
  validate?: boolean;
  /**
   * The compiled parquet-wasm binary, required inside workerd:
   * `import parquetWasm from 'parquet-wasm/esm/parquet_wasm_bg.wasm'`. Not needed under Node.
   */
  parquetWasm?: ParquetWasm;
  /** The clock that picks the partition; defaults to the current time. */
  now?: () => Date;
}
