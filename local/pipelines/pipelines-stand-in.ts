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
  /** Accepted records not yet in a committed file (buffered, or in a roll waiting to be retried). */
  buffered: number;
  files: number;
  /** Rolls that failed; their records stay in the write-ahead log and are retried by the next roll. */
  rollFailures: number;
  lastRollError?: string;
}

/** The Pipelines stand-in, independent of any HTTP server. */
export interface PipelinesStandIn {
  readonly config: ResolvedPipelinesConfig;
  /** The directory that mirrors the R2 bucket. */
  readonly bucketDir: string;
  ingest(stream: string, body: string | null, authorization: string | undefined): StandInResponse;
  /**
   * Rolls buffered records of every stream (or one) into Parquet files (or snapshots) now, after any
   * earlier roll that failed; throws if a roll fails (its records stay in the log for the next roll).
   */
  roll(stream?: string): RolledFile[];
  /** Makes the next ingest requests answer these HTTP statuses, in order, without keeping anything. */
  injectFaults(statuses: number[]): void;
  stats(): Record<string, StreamStats>;
  /** Rolls what is buffered and stops the timer; throws (after closing) if a roll failed. */
  close(): void;
}

/** A sealed segment whose file is not committed yet. */
interface PendingRoll {
  fileId: string;
  segment: string;
  rows: Record<string, unknown>[];
  /** Set once a write was attempted (or after a restart): ask the sink before writing again. */
  uncertain: boolean;
}

interface StreamState {
  name: string;
  table: keyof typeof TABLES;
  sink: StreamSink;
  wal: WriteAheadLog;
  pending: PendingRoll[];
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

  // Commits pending rolls in order. One whose earlier attempt failed (or that a restart found sealed)
  // may have landed anyway: the sink is asked first, so no file is committed twice. A failure leaves it
  // and those after it pending, with their records still in the write-ahead log.
  function commitPending(state: StreamState): RolledFile[] {
    const files: RolledFile[] = [];
    while (state.pending.length > 0) {
      const roll = state.pending[0]!;
      const done = roll.uncertain && state.sink.committed([roll.fileId]).has(roll.fileId);
      roll.uncertain = true;
      if (!done && roll.rows.length > 0) files.push(writeFile(state, roll.rows, roll.fileId));
      state.wal.release(roll.segment);
      state.pending.shift();
    }
    return files;
  }

  function rollStream(state: StreamState): RolledFile[] {
    if (state.buffer.length > 0) {
      const fileId = crypto.randomUUID();
      state.pending.push({ fileId, segment: state.wal.seal(fileId), rows: state.buffer, uncertain: false });
      state.buffer = [];
      state.bufferedBytes = 0;
    }
    return commitPending(state);
  }

  // For rolls nobody waits on (timer, size, close): records are already durable, so a failure is
  // counted and retried by the next roll instead of failing an acknowledged request or the process.
  function rollQuietly(state: StreamState): void {
    try {
      rollStream(state);
    } catch (cause) {
      state.stats.rollFailures += 1;
      state.stats.lastRollError = `${new Date().toISOString()} ${(cause as Error).message}`;
    }
  }

  // Recovery: sealed segments are rolls that may not have finished; the open segment is the buffer.
  for (const [name, stream] of Object.entries(config.streams)) {
    const wal = new WriteAheadLog(walDir, name);
    const state: StreamState = {
      name,
      table: stream.table,
      sink: createSink(name, stream),
      wal,
      pending: wal.sealed().map((segment) => ({
        fileId: segment.fileId,
        segment: segment.path,
        rows: segment.records,
        uncertain: true,
      })),
      buffer: wal.readOpen(),
      bufferedBytes: 0,
      stats: { accepted: 0, rejected: 0, requestsRejected: 0, buffered: 0, files: 0, rollFailures: 0 },
    };
    state.bufferedBytes = state.buffer.reduce((n, r) => n + JSON.stringify(r).length, 0);
    commitPending(state);
    streams.set(name, state);
  }

  const timer = setInterval(() => {
    for (const state of streams.values()) rollQuietly(state);
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
        rollQuietly(state);
      return json(200, { success: true, result: { committed: records.length } });
    },
    roll(name) {
      const selected = name
        ? [streams.get(name)].filter((s): s is StreamState => !!s)
        : [...streams.values()];
      return selected.flatMap(rollStream);
    },
    injectFaults(statuses) {
      faults.push(...statuses);
    },
    stats() {
      return Object.fromEntries(
        [...streams].map(([name, s]) => [
          name,
          { ...s.stats, buffered: s.buffer.length + s.pending.reduce((n, p) => n + p.rows.length, 0) },
        ]),
      );
    },
    close() {
      clearInterval(timer);
      const failures: string[] = [];
      for (const state of streams.values()) {
        try {
          rollStream(state);
        } catch (cause) {
          failures.push(`${state.name}: ${(cause as Error).message}`);
        }
        state.wal.close();
      }
      if (failures.length > 0) {
        throw new Error(
          `rolls failed on close; their records stay in the write-ahead log and are committed on the next start: ${failures.join('; ')}`,
        );
      }
    },
  };
}
