import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import type { z } from 'zod';
import { rowsToArrow } from './rows-to-arrow.ts';

/** Per-call options of {@link encodeParquet}. */
export interface EncodeParquetOptions {
  compression?: 'zstd' | 'snappy' | 'gzip' | 'lz4' | 'none';
}

/** The compiled parquet-wasm binary (`parquet-wasm/esm/parquet_wasm_bg.wasm`), or its bytes. */
export type ParquetWasm = WebAssembly.Module | BufferSource;

// 'parquet-wasm' resolves to two different builds. Under Node it is the CommonJS build, which reads
// its .wasm from disk and instantiates it at import time; it has no `initSync`. Under a bundler for
// Workers (conditions workerd/worker/browser) it is the ESM build, which must be handed the compiled
// module (Workers import .wasm files as WebAssembly.Module) before its first call.
const initSync = (parquet as { initSync?: (input: { module: ParquetWasm }) => unknown }).initSync;
let ready = typeof initSync !== 'function';

/**
 * Initialises parquet-wasm where it cannot initialise itself: inside workerd, pass the compiled
 * module imported from `parquet-wasm/esm/parquet_wasm_bg.wasm` once, before the first encode. Under
 * Node it is a no-op (the Node build loads its binary itself), so shared code may always call it.
 * Calling it again is a no-op.
 *
 * @example
 * ```ts
 * // A Worker entry (wrangler treats *.wasm imports as CompiledWasm by default):
 * import parquetWasm from 'parquet-wasm/esm/parquet_wasm_bg.wasm';
 * import { initParquet } from './encode-parquet.ts';
 * initParquet(parquetWasm);
 * ```
 */
export function initParquet(wasm?: ParquetWasm): void {
  if (ready) return;
  if (wasm === undefined) {
    // The ESM build answers an already-initialised instance without looking at its argument, so a
    // module someone else initialised (another copy of this call, or parquet-wasm used directly)
    // counts as ready; an uninitialised one throws and gets a message a person can act on.
    try {
      initSync!(undefined as never);
      ready = true;
      return;
    } catch {
      throw new Error(
        'parquet-wasm is not initialised: inside a Worker, `import parquetWasm from ' +
          "'parquet-wasm/esm/parquet_wasm_bg.wasm'` and call initParquet(parquetWasm) (or pass it as " +
          '`parquetWasm` to the sink) before encoding; bundle *.wasm as CompiledWasm modules',
      );
    }
  }
  initSync!({ module: wasm });
  ready = true;
}

const CODECS = {
  zstd: parquet.Compression.ZSTD,
  snappy: parquet.Compression.SNAPPY,
  gzip: parquet.Compression.GZIP,
  lz4: parquet.Compression.LZ4_RAW,
  none: parquet.Compression.UNCOMPRESSED,
} as const;

/**
 * Encodes rows as one Parquet file (zstd by default, as the Pipelines sinks write). Synchronous; under
 * Node it works as is, inside workerd after {@link initParquet}.
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
  initParquet();
  const table = parquet.Table.fromIPCStream(arrow.tableToIPC(rowsToArrow(schema, rows), 'stream'));
  const properties = new parquet.WriterPropertiesBuilder()
    .setCompression(CODECS[options.compression ?? 'zstd'])
    .build();
  return parquet.writeParquet(table, properties);
}
