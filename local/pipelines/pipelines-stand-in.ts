import { join } from 'node:path';
import { TABLES } from '../../schemas/index.ts';
import { isBearer, type StandInResponse } from '../stand-in-response.ts';
import { checkRecords, createRecordChecker, type RecordCheck, summarize } from './check-records.ts';
import { ingestError, rejectsEntry, schemaMismatch } from './ingest-answers.ts';
import { type PipelinesConfig, pipelinesConfig, type ResolvedPipelinesConfig } from './pipelines-config.ts';
import { createRejectsFile } from './rejects-file.ts';
import { createRollScheduler } from './roll-scheduler.ts';
import { createRollWorkerClient } from './roll-worker-client.ts';
import type { RolledFile } from './sinks/index.ts';
import { createStreamState, type StreamState } from './stream-state.ts';

export type { RolledFile } from './sinks/index.ts';
export type { StreamStats } from './stream-state.ts';

/** The Pipelines stand-in, independent of any HTTP server. */
export interface PipelinesStandIn {
  readonly config: ResolvedPipelinesConfig;
  /** The directory that mirrors the R2 bucket. */
  readonly bucketDir: string;
  /** Ingests one request, synchronously (a roll it triggers runs before it returns). */
  ingest(stream: string, body: string | null, authorization: string | undefined): StandInResponse;
  /**
   * Ingests one request, handing the event loop back while it checks the records; a roll it triggers
   * runs in the roll worker while other requests are answered. What the HTTP server calls.
   */
  ingestAsync(
    stream: string,
    body: string | null,
    authorization: string | undefined,
  ): Promise<StandInResponse>;
  /**
   * Rolls buffered records of every stream (or one) into Parquet files (or snapshots) now, after any
   * earlier roll that failed, and waits for them; throws if a roll fails (its records stay in the log).
   */
  roll(stream?: string): RolledFile[];
  /** {@link roll} without blocking the event loop. */
  rollAsync(stream?: string): Promise<RolledFile[]>;
  /** Makes the next ingest requests answer these failure statuses (400–599), in order, keeping nothing. */
  injectFaults(statuses: number[]): void;
  stats(): Record<string, import('./stream-state.ts').StreamStats>;
  /** Rolls what is buffered and stops the worker and timers; throws (after closing) if a roll failed. */
  close(): void;
}

type Admitted = { state: StreamState; records: unknown[]; body: string } | { answer: StandInResponse };

/**
 * Creates the stand-in for Pipelines HTTP ingest and its sinks: validated records are logged to a
 * write-ahead log (fsynced before the 2xx), buffered, and rolled by interval, size, and on close into
 * zstd Parquet — for the `r2` sink at `<dataDir>/r2/<bucket>/<table>/<partition>/<uuid>.parquet`, for
 * the `r2-data-catalog` sink as one appended snapshot of the Iceberg table at
 * `<dataDir>/r2/<bucket>/__r2_data_catalog/<namespace>/<table>/`.
 * Rolls run in a worker thread (roll-worker.ts), so encoding and commits never hold up ingest; a log
 * segment is deleted only after its files are committed. Counters are kept beside the log.
 * Unlike the platform, invalid records are never dropped silently: the request fails with the
 * contract's `schema_mismatch` answer, and the rejected records are kept once each in a bounded,
 * rotated rejects file with their reasons.
 * With `pipelines` configured, each roll runs their stateless SQL over the batch (in DuckDB) and writes
 * one file per named sink; rows a sink's schema refuses are counted and kept in the rejects file.
 *
 * @example
 * ```ts
 * import { createPipelinesStandIn } from './pipelines-stand-in.ts';
 * const pipelines = createPipelinesStandIn({ dataDir: '.data' });
 * pipelines.ingest('events', JSON.stringify(rows), undefined);
 * pipelines.roll();
 * pipelines.close();
 * ```
 */
export function createPipelinesStandIn(input: PipelinesConfig): PipelinesStandIn {
  const config = pipelinesConfig.parse(input);
  const bucketDir = join(config.dataDir, 'r2', config.bucket);
  const walDir = join(config.dataDir, 'pipelines', 'wal');
  const rejectsDir = join(config.dataDir, 'pipelines', 'rejects');
  const worker = createRollWorkerClient(config, bucketDir);
  try {
    worker.ready();
  } catch (error) {
    worker.close();
    throw error;
  }
  const faults: number[] = [];
  const streams = new Map<string, StreamState>();
  for (const [name, stream] of Object.entries(config.streams)) {
    const rejects = createRejectsFile({
      dir: rejectsDir,
      stream: name,
      maxFileBytes: config.rejectsFileBytes,
      maxFiles: config.rejectsFiles,
    });
    streams.set(name, createStreamState({ name, table: stream.table, walDir, rejects }));
  }

  const rolls = createRollScheduler(worker);

  // Recovery: sealed segments are rolls that may not have finished; they are committed in the background.
  for (const state of streams.values()) rolls.resume(state);

  const timer = setInterval(() => {
    for (const state of streams.values()) rolls.inBackground(state);
  }, config.rollIntervalMs);
  timer.unref();
  // Refusal counters change on every bad request: saved at most once a second, and by every roll and close.
  const saver = setInterval(() => {
    for (const state of streams.values()) {
      try {
        if (state.dirty) state.saveCounters();
      } catch {
        // Kept dirty: saved by the next tick, roll or close.
      }
    }
  }, 1_000);
  saver.unref();

  function admit(name: string, body: string | null, authorization: string | undefined): Admitted {
    const state = streams.get(name);
    const refuse = (answer: StandInResponse): Admitted => {
      if (state) {
        state.counters.requestsRejected += 1;
        state.dirty = true;
      }
      return { answer };
    };
    // The token first: a caller without it learns nothing, not even which streams exist.
    if (config.token && !isBearer(authorization, config.token)) {
      return refuse(
        ingestError(
          401,
          'unauthorized',
          authorization ? 'invalid bearer token' : 'missing Authorization: Bearer <token>',
        ),
      );
    }
    if (!state) {
      return {
        answer: ingestError(
          404,
          'unknown_stream',
          `no stream "${summarize(name, 100)}"; streams: ${[...streams.keys()].join(', ')}`,
        ),
      };
    }
    // Consumed only by a request that passed the token check.
    const fault = faults.shift();
    if (fault !== undefined) return refuse(ingestError(fault, 'injected_fault', `injected fault ${fault}`));
    if (body === null)
      return refuse(ingestError(413, 'too_large', `request body over ${config.maxRequestBytes} bytes`));
    let records: unknown;
    try {
      records = JSON.parse(body);
    } catch (cause) {
      return refuse(
        ingestError(400, 'malformed_json', `malformed JSON: ${summarize((cause as Error).message, 200)}`),
      );
    }
    if (!Array.isArray(records))
      return refuse(ingestError(400, 'not_an_array', 'body must be a JSON array of records'));
    return { state, records, body };
  }

  /** Answers a checked request; an accepted one is appended by `append` (sync or durable later). */
  function conclude<T>(
    state: StreamState,
    records: unknown[],
    body: string,
    check: RecordCheck | null,
    append: (body: string, records: number) => T,
  ): { answer: StandInResponse; appended?: T } {
    if (check) {
      state.counters.requestsRejected += 1;
      state.counters.rejected += records.length;
      state.counters.invalid += check.invalid;
      state.dirty = true;
      state.rejects.keep(rejectsEntry({ stream: state.name, table: state.table, records, check, body }));
      return { answer: schemaMismatch(state.table, records.length, check) };
    }
    const appended = records.length > 0 ? append(body, records.length) : undefined;
    const answer = { status: 200, body: { success: true, result: { committed: records.length } } };
    return appended === undefined ? { answer } : { answer, appended };
  }

  const full = (state: StreamState) =>
    state.openRecords >= config.rollRows || state.openBytes >= config.rollBytes;

  return {
    config,
    bucketDir,
    ingest(name, body, authorization) {
      const admitted = admit(name, body, authorization);
      if ('answer' in admitted) return admitted.answer;
      const { state, records } = admitted;
      const checker = createRecordChecker(TABLES[state.table], records, { maxDepth: config.maxDepth });
      checker.step(0, records.length);
      const { answer } = conclude(state, records, admitted.body, checker.result(), state.append);
      if (full(state)) {
        try {
          rolls.rollSync(state);
        } catch {
          // Counted in the stream's stats; the records are durable and the next roll retries.
        }
      }
      return answer;
    },
    async ingestAsync(name, body, authorization) {
      const admitted = admit(name, body, authorization);
      if ('answer' in admitted) return admitted.answer;
      const { state, records } = admitted;
      const check = await checkRecords(TABLES[state.table], records, { maxDepth: config.maxDepth });
      const { answer, appended } = conclude(state, records, admitted.body, check, state.appendDurably);
      if (full(state)) rolls.inBackground(state);
      // The 200 waits for the fsync; meanwhile the event loop serves other requests.
      await appended;
      return answer;
    },
    roll(name) {
      const selected = name ? [streams.get(name)].filter((s) => !!s) : [...streams.values()];
      return selected.flatMap(rolls.rollSync);
    },
    async rollAsync(name) {
      const selected = name ? [streams.get(name)].filter((s) => !!s) : [...streams.values()];
      return (await Promise.all(selected.map(rolls.rollAsync))).flat();
    },
    injectFaults(statuses) {
      const bad = statuses.find((s) => !Number.isInteger(s) || s < 400 || s > 599);
      if (bad !== undefined) throw new RangeError(`an injected fault must be a status 400–599, not ${bad}`);
      faults.push(...statuses);
    },
    stats() {
      return Object.fromEntries([...streams].map(([name, s]) => [name, s.stats()]));
    },
    close() {
      clearInterval(timer);
      clearInterval(saver);
      const failures: string[] = [];
      for (const state of streams.values()) {
        try {
          rolls.rollSync(state);
        } catch (cause) {
          failures.push(`${state.name}: ${(cause as Error).message}`);
        }
        state.close();
      }
      worker.close();
      if (failures.length > 0) {
        throw new Error(
          `rolls failed on close; their records stay in the write-ahead log and are committed on the next start: ${failures.join('; ')}`,
        );
      }
    },
  };
}
