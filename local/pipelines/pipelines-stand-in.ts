import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TABLES } from '../../schemas/index.ts';
import type { StandInResponse } from '../stand-in-response.ts';
import { type PipelinesConfig, pipelinesConfig, type ResolvedPipelinesConfig } from './pipelines-config.ts';
import type { RolledFile } from './sinks/index.ts';
import type { SinkBatch } from './transforms/create-pipeline-transforms.ts';
import { createStreamOutputs, type StreamOutput } from './transforms/create-stream-outputs.ts';
import { fillAbsent, validateRecords } from './validate-records.ts';
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
  /** Rows a pipeline produced that its sink's table schema refused (kept in the rejects file). */
  transformRejected: number;
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
  /** The sinks this stream's rolls land in: its own, or those its pipelines name. */
  outputs: StreamOutput[];
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
 * With `pipelines` configured, each roll runs their stateless SQL over the batch (in DuckDB) and writes
 * one file per named sink; rows a sink's schema refuses are counted and kept in the rejects file. The
 * write-ahead log keeps the raw records, and the transform is redone on recovery for the sinks that
 * have not committed the roll's file, so each sink still gets every record exactly once.
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

  const outputs = createStreamOutputs(config, bucketDir);

  function writeFile(
    state: StreamState,
    output: StreamOutput,
    rows: readonly Record<string, unknown>[],
    fileId: string,
  ): RolledFile {
    const file = output.sink.write(rows, fileId);
    state.stats.files += 1;
    return file;
  }

  function keepRejects(state: StreamState, batch: SinkBatch): void {
    if (batch.rejects.length === 0) return;
    state.stats.transformRejected += new Set(batch.rejects.map((r) => r.row)).size;
    const at = new Date().toISOString();
    appendFileSync(
      join(rejectsDir, `${state.name}.ndjson`),
      `${batch.rejects
        .map(({ row, ...problem }) => JSON.stringify({ at, ...problem, record: row }))
        .join('\n')}\n`,
    );
  }

  // Writes one roll to every sink of its stream that has not committed it yet. The transform runs only
  // when such a sink needs it, over the raw records from the log: the same batch gives the same rows.
  function commitRoll(state: StreamState, roll: PendingRoll): RolledFile[] {
    const files: RolledFile[] = [];
    const uncertain = roll.uncertain;
    roll.uncertain = true;
    let batches: Map<string, SinkBatch> | undefined;
    for (const output of state.outputs) {
      if (uncertain && output.sink.committed([roll.fileId]).has(roll.fileId)) continue;
      let rows: readonly Record<string, unknown>[] = roll.rows;
      if (!output.identity) {
        batches ??= outputs.transforms!.apply(state.name, roll.rows, roll.fileId);
        const batch = batches.get(output.name)!;
        keepRejects(state, batch);
        rows = batch.rows;
      }
      if (rows.length > 0) files.push(writeFile(state, output, rows, roll.fileId));
    }
    return files;
  }

  // Commits pending rolls in order. One whose earlier attempt failed (or that a restart found sealed)
  // may have landed anyway: the sink is asked first, so no file is committed twice. A failure leaves it
  // and those after it pending, with their records still in the write-ahead log.
  function commitPending(state: StreamState): RolledFile[] {
    const files: RolledFile[] = [];
    while (state.pending.length > 0) {
      const roll = state.pending[0]!;
      if (roll.rows.length > 0) files.push(...commitRoll(state, roll));
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
      outputs: outputs.byStream.get(name)!,
      wal,
      pending: wal.sealed().map((segment) => ({
        fileId: segment.fileId,
        segment: segment.path,
        rows: segment.records,
        uncertain: true,
      })),
      buffer: wal.readOpen(),
      bufferedBytes: 0,
      stats: {
        accepted: 0,
        rejected: 0,
        requestsRejected: 0,
        buffered: 0,
        files: 0,
        transformRejected: 0,
        rollFailures: 0,
      },
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
      fillAbsent(TABLES[state.table], records as Record<string, unknown>[]);
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
      outputs.close();
      if (failures.length > 0) {
        throw new Error(
          `rolls failed on close; their records stay in the write-ahead log and are committed on the next start: ${failures.join('; ')}`,
        );
      }
    },
  };
}
