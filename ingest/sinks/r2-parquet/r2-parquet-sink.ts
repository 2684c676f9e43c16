import type { z } from 'zod';
import { DEFAULT_PARTITIONING, dataFileKey, encodeParquet, initParquet } from '../../../lake/index.ts';
import { TABLES } from '../../../schemas/index.ts';
import { type RejectedRecord, type Sink, SinkError } from '../../sink.ts';
import type { R2BucketLike, R2ParquetSinkConfig } from './r2-parquet-sink-config.ts';

const DEFAULT_ROLL_ROWS = 100_000;
const DEFAULT_ROLL_BYTES = 64 * 1024 * 1024;
const PARQUET_CONTENT_TYPE = 'application/vnd.apache.parquet';
/** How many invalid rows one error message names before it stops listing. */
const MAX_LISTED_PROBLEMS = 5;

type Row = Record<string, unknown>;

const jsonSize = (row: Row): number =>
  JSON.stringify(row, (_, value) => (typeof value === 'bigint' ? value.toString() : value)).length;

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new TypeError(`createR2ParquetSink: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

function resolveTable(config: R2ParquetSinkConfig): { schema: z.ZodObject; prefix: string } {
  const table = config.table ?? 'events';
  if (typeof table === 'string') {
    const schema = TABLES[table];
    if (!schema) {
      throw new TypeError(
        `createR2ParquetSink: unknown table "${table}"; use one of ${Object.keys(TABLES).join(', ')} or pass its zod schema`,
      );
    }
    return { schema, prefix: config.prefix ?? table };
  }
  if (config.prefix === undefined) {
    throw new TypeError('createR2ParquetSink: a table given as a schema needs a prefix (e.g. "events_v2")');
  }
  return { schema: table, prefix: config.prefix };
}

/** Parses every row; the parsed form is canonical (int64 as number or bigint). */
function validateRows(schema: z.ZodObject, rows: readonly Row[]): Row[] {
  const parsed: Row[] = [];
  const problems: string[] = [];
  const rejected: RejectedRecord[] = [];
  let invalid = 0;
  for (let i = 0; i < rows.length; i++) {
    const result = schema.safeParse(rows[i]);
    if (result.success) {
      parsed.push(result.data as Row);
      continue;
    }
    invalid++;
    const issue = result.error.issues[0]!;
    const reason = `field "${issue.path.join('.') || '(row)'}": ${issue.message}`;
    rejected.push({ index: i, reason });
    if (problems.length < MAX_LISTED_PROBLEMS) problems.push(`row ${i} ${reason}`);
  }
  if (invalid > 0) {
    const more = invalid > problems.length ? `; and ${invalid - problems.length} more invalid row(s)` : '';
    throw new SinkError(
      `${invalid} of ${rows.length} row(s) do not match the table schema, so nothing of this send was ` +
        `written: ${problems.join('; ')}${more}`,
      { code: 'schema_mismatch', rejected },
    );
  }
  return parsed;
}

/** Cuts rows into runs of at most `rollRows` rows and about `rollBytes` bytes of JSON each. */
function chunk(rows: Row[], rollRows: number, rollBytes: number): Row[][] {
  const chunks: Row[][] = [];
  let current: Row[] = [];
  let bytes = 0;
  for (const row of rows) {
    const size = jsonSize(row);
    if (current.length > 0 && (current.length >= rollRows || bytes + size > rollBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(row);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * A {@link Sink} that writes Parquet files straight to an R2 bucket, in the layout of the Pipelines
 * r2 sink (`<prefix>/year=%Y/month=%m/day=%d/<uuid>.parquet`, zstd), for users without Pipelines.
 *
 * Each send writes its own file(s) and resolves only after R2 acknowledged every one of them; there
 * is no buffer between sends, so nothing acknowledged lives only in memory and an evicted isolate
 * loses nothing. A send larger than `rollRows` / `rollBytes` becomes several files, written one after
 * another so only one encoded file is in memory at a time. If any put fails the send rejects with a
 * {@link SinkError} and the files it had already written are deleted (best effort) — the caller sends
 * the batch again, and any file that survived the cleanup only repeats rows, which readers dedupe on
 * `id`. Each put carries the file's SHA-256, so R2 rejects a corrupted upload instead of storing it.
 *
 * The price of that honesty is one file per send: a Durable Object that flushes often writes many
 * small files. Batch in the emitter (`batchRows`/`batchBytes`) and compact the table later.
 *
 * @example
 * ```ts
 * import parquetWasm from 'parquet-wasm/esm/parquet_wasm_bg.wasm';
 * import { createR2ParquetSink } from './r2-parquet-sink.ts';
 * const sink = createR2ParquetSink(env.LAKE, { table: 'events', prefix: 'events', parquetWasm });
 * await sink.send(rows); // resolves once events/year=…/month=…/day=…/<uuid>.parquet is in R2
 * ```
 */
export function createR2ParquetSink<R = Row>(
  bucket: R2BucketLike,
  config: R2ParquetSinkConfig = {},
): Sink<R> {
  if (typeof bucket?.put !== 'function') {
    throw new TypeError(
      'createR2ParquetSink: the bucket has no put(key, bytes) method; pass the R2 binding declared in ' +
        'wrangler config (e.g. env.LAKE)',
    );
  }
  const { schema, prefix } = resolveTable(config);
  const partitioning = config.partitioning ?? DEFAULT_PARTITIONING;
  const rollRows = positiveInteger('rollRows', config.rollRows, DEFAULT_ROLL_ROWS);
  const rollBytes = positiveInteger('rollBytes', config.rollBytes, DEFAULT_ROLL_BYTES);
  const compression = config.compression ?? 'zstd';
  const validate = config.validate ?? true;
  const now = config.now ?? (() => new Date());
  // Fail at construction, not at the first send, when the pattern is wrong.
  dataFileKey(prefix, new Date(0), partitioning);

  /**
   * Encodes a run and puts it; a file over rollBytes is halved until it fits or holds a single row.
   * Every key put is pushed to `written` before the next file starts.
   */
  async function writeRun(rows: Row[], at: Date, written: string[]): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = encodeParquet(schema, rows, { compression });
    } catch (cause) {
      throw new Error(`encoding ${rows.length} row(s) as Parquet failed: ${(cause as Error).message}`);
    }
    if (bytes.byteLength > rollBytes && rows.length > 1) {
      const half = Math.ceil(rows.length / 2);
      await writeRun(rows.slice(0, half), at, written);
      await writeRun(rows.slice(half), at, written);
      return;
    }
    const key = dataFileKey(prefix, at, partitioning);
    try {
      await bucket.put(key, bytes, {
        httpMetadata: { contentType: PARQUET_CONTENT_TYPE },
        customMetadata: { rows: String(rows.length) },
        sha256: await crypto.subtle.digest('SHA-256', bytes),
      });
    } catch (cause) {
      throw new Error(
        `R2 put of ${key} (${rows.length} row(s), ${bytes.byteLength} bytes) failed: ${(cause as Error).message}`,
      );
    }
    written.push(key);
  }

  async function removeWritten(keys: string[]): Promise<string> {
    if (keys.length === 0) return 'no file of it had been written';
    if (typeof bucket.delete !== 'function') {
      return `${keys.length} file(s) of it were written and stay (${keys.join(', ')}); their rows come again on retry and dedupe on id`;
    }
    try {
      await bucket.delete(keys);
      return `the ${keys.length} file(s) of it already written were deleted`;
    } catch (cause) {
      return `${keys.length} file(s) of it were written and could not be deleted (${(cause as Error).message}): ${keys.join(', ')}; their rows come again on retry and dedupe on id`;
    }
  }

  return {
    async send(input: R[]): Promise<void> {
      const rows = input as unknown as Row[];
      if (rows.length === 0) return;
      try {
        initParquet(config.parquetWasm);
      } catch (cause) {
        throw new SinkError((cause as Error).message, { cause });
      }
      const parsed = validate ? validateRows(schema, rows) : rows;
      const at = now();
      const written: string[] = [];
      try {
        for (const run of chunk(parsed, rollRows, rollBytes)) await writeRun(run, at, written);
      } catch (cause) {
        const cleanup = await removeWritten(written);
        throw new SinkError(
          `${(cause as Error).message}; the send of ${rows.length} row(s) is not acknowledged and ${cleanup}`,
          { cause },
        );
      }
    },
  };
}
