import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TABLES } from '../../schemas/index.ts';
import type { StandInResponse } from '../stand-in-response.ts';
import { type PipelinesConfig, pipelinesConfig, type ResolvedPipelinesConfig } from './pipelines-config.ts';
import { createCatalogSink, createR2FileSink, type RolledFile, type StreamSink } from './sinks/index.ts';
import { validateRecords } from './validate-records.ts';
import { WriteAheadLog } from './write-ahead-log.ts';

export type { RolledFile } from './sinks/index.ts';

/** Counters, per stream. */
export interface StreamStats {
  accepted: number;
  rejected: number;
  requestsRejected: number;
  buffered: number;
  files: number;
}

/** The Pipelines stand-in, independent of any HTTP server. */
export interface PipelinesStandIn {
  readonly config: ResolvedPipelinesConfig;
  /** The directory that mirrors the R2 bucket. */
  readonly bucketDir: string;
  ingest(stream: string, body: string | null, authorization: string | undefined): StandInResponse;
  /** Rolls buffered records of every stream (or one) into Parquet files (or snapshots) now. */
  roll(stream?: string): RolledFile[];
  /** Makes the next ingest requests answer these HTTP statuses, in order, without keeping anything. */
  injectFaults(statuses: number[]): void;
  stats(): Record<string, StreamStats>;
  /** Rolls what is buffered and stops the timer. */
  close(): void;
}

interface StreamState {
  name: string;
  table: keyof typeof TABLES;
  sink: StreamSink;
  wal: WriteAheadLog;
  buffer: Record<string, unknown>[];
  bufferedBytes: number;
  stats: StreamStats;
}

const json = (status: number, body: unknown): StandInResponse => ({ status, body });

/**
 * Creates the stand-in for Pipelines HTTP ingest and its sinks: validated records are logged to a
 * write-ahead log (fsynced before the 2xx), buffered, and rolled by interval, size, and on close into
 * zstd Parquet — for the `r2` sink at `<dataDir>/r2/<bucket>/<table>/<partition>/<uuid>.parquet`, for
 * the `r2-data-catalog` sink as one appended snapshot of the Iceberg table at
 * `<dataDir>/r2/<bucket>/__r2_data_catalog/<namespace>/<table>/`.
 * Unlike the platform, invalid records are never dropped silently: the request fails, naming the
 * record and field, and the records are kept in a rejects file with the reason.
 *
 * @example
 * ```ts
 * import { createPipelinesStandIn } from './pipelines-stand-in.ts';
 * const pipelines = createPipelinesStandIn({ dataDir: '.data' });
 * pipelines.ingest('events', JSON.stringify(rows), undefined);
 * pipelines.roll();
 * ```
 */
export function createPipelinesStandIn(input: PipelinesConfig): PipelinesStandIn {
  const config = pipelinesConfig.parse(input);
  const bucketDir = join(config.dataDir, 'r2', config.bucket);
  const walDir = join(config.dataDir, 'pipelines', 'wal');
  const rejectsDir = join(config.dataDir, 'pipelines', 'rejects');
  mkdirSync(rejectsDir, { recursive: true });
  const faults: number[] = [];
  const streams = new Map<string, StreamState>();

  function createSink(name: string, stream: ResolvedPipelinesConfig['streams'][string]): StreamSink {
    const schema = TABLES[stream.table];
    if (stream.sink.kind === 'r2-data-catalog') {
      return createCatalogSink({
        stream: name,
        bucketDir,
        namespace: stream.sink.namespace,
        table: stream.sink.table ?? stream.table,
        schema,
      });
    }
    return createR2FileSink({
      stream: name,
      bucketDir,
      table: stream.table,
      schema,
      partitioning: stream.partitioning,
    });
  }

  function writeFile(state: StreamState, rows: Record<string, unknown>[], fileId: string): RolledFile {
    const file = state.sink.write(rows, fileId);
    state.stats.files += 1;
    return file;
  }

  // Recovery: a sealed segment whose file the sink already committed was rolled before a crash (drop
  // the segment); any other is rolled now under the same file id. The open segment becomes the buffer.
  for (const [name, stream] of Object.entries(config.streams)) {
    const wal = new WriteAheadLog(walDir, name);
    const state: StreamState = {
      name,
      table: stream.table,
      sink: createSink(name, stream),
      wal,
      buffer: [],
      bufferedBytes: 0,
      stats: { accepted: 0, rejected: 0, requestsRejected: 0, buffered: 0, files: 0 },
    };
    const sealed = wal.sealed();
    const committed = sealed.length > 0 ? state.sink.committed(sealed.map((s) => s.fileId)) : new Set();
    for (const segment of sealed) {
      if (!committed.has(segment.fileId) && segment.records.length > 0)
        writeFile(state, segment.records, segment.fileId);
      wal.release(segment.path);
    }
    state.buffer = wal.readOpen();
    state.bufferedBytes = state.buffer.reduce((n, r) => n + JSON.stringify(r).length, 0);
    streams.set(name, state);
  }

  function rollStream(state: StreamState): RolledFile | null {
    if (state.buffer.length === 0) return null;
    const fileId = crypto.randomUUID();
    const sealed = state.wal.seal(fileId);
    const rows = state.buffer;
    state.buffer = [];
    state.bufferedBytes = 0;
    const file = writeFile(state, rows, fileId);
    state.wal.release(sealed);
    return file;
  }

  const timer = setInterval(() => {
    for (const state of streams.values()) rollStream(state);
  }, config.rollIntervalMs);
  timer.unref();

  return {
    config,
    bucketDir,
    ingest(name, body, authorization) {
      const state = streams.get(name);
      if (!state)
        return json(404, {
          success: false,
          error: `no stream "${name}"; streams: ${[...streams.keys()].join(', ')}`,
        });
      const reject = (status: number, error: string, details?: unknown): StandInResponse => {
        state.stats.requestsRejected += 1;
        return json(status, { success: false, error, ...(details ? { details } : {}) });
      };
      const fault = faults.shift();
      if (fault !== undefined) return reject(fault, `injected fault ${fault}`);
      if (config.token && authorization !== `Bearer ${config.token}`) {
        return reject(401, authorization ? 'invalid bearer token' : 'missing Authorization: Bearer <token>');
      }
      if (body === null) return reject(413, `request body over ${config.maxRequestBytes} bytes`);
      let records: unknown;
      try {
        records = JSON.parse(body);
      } catch (cause) {
        return reject(400, `malformed JSON: ${(cause as Error).message}`);
      }
      if (!Array.isArray(records)) return reject(400, 'body must be a JSON array of records');
      const invalid = validateRecords(TABLES[state.table], records);
      if (invalid.length > 0) {
        state.stats.rejected += records.length;
        const at = new Date().toISOString();
        appendFileSync(
          join(rejectsDir, `${name}.ndjson`),
          `${invalid
            .map((problem) => JSON.stringify({ at, ...problem, record: records[problem.index] }))
            .join('\n')}\n`,
        );
        return reject(
          400,
          `${invalid.length} of ${records.length} records do not match the ${state.table} schema; none kept`,
          invalid.slice(0, 20),
        );
      }
      state.wal.append(records);
      state.buffer.push(...(records as Record<string, unknown>[]));
      state.bufferedBytes += body.length;
      state.stats.accepted += records.length;
      if (state.buffer.length >= config.rollRows || state.bufferedBytes >= config.rollBytes)
        rollStream(state);
      return json(200, { success: true, result: { committed: records.length } });
    },
    roll(name) {
      const selected = name
        ? [streams.get(name)].filter((s): s is StreamState => !!s)
        : [...streams.values()];
      return selected.map(rollStream).filter((f): f is RolledFile => f !== null);
    },
    injectFaults(statuses) {
      faults.push(...statuses);
    },
    stats() {
      return Object.fromEntries(
        [...streams].map(([name, s]) => [name, { ...s.stats, buffered: s.buffer.length }]),
      );
    },
    close() {
      clearInterval(timer);
      for (const state of streams.values()) {
        rollStream(state);
        state.wal.close();
      }
    },
  };
}
