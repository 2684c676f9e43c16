/**
 * The roll worker (a worker thread): owns every sink and the pipeline transforms, and turns a sealed
 * write-ahead-log segment into committed files (Parquet encode, Iceberg commit, DuckDB transforms)
 * away from the event loop that answers ingest. The stand-in releases a segment only after the
 * worker answered that its files are committed.
 *
 * @module
 */
import { readFileSync, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import type { MessagePort } from 'node:worker_threads';
import { TABLES } from '../../schemas/index.ts';
import type { ResolvedPipelinesConfig } from './pipelines-config.ts';
import type { RolledFile } from './sinks/index.ts';
import type { SinkBatch } from './transforms/create-pipeline-transforms.ts';
import { createStreamOutputs, type StreamOutputs } from './transforms/create-stream-outputs.ts';
import { fillAbsent } from './validate-records.ts';
import { parseLines } from './write-ahead-log.ts';

/** One roll to commit: the segment `segment` of `stream` becomes the files named `fileId`. */
export interface RollJob {
  id: number;
  kind: 'roll';
  stream: string;
  fileId: string;
  segment: string;
  /** A write may have happened already (a retry, or a segment found after a restart): ask the sinks first. */
  uncertain: boolean;
}

/** A transform reject as the rejects file keeps it. */
export interface TransformRejectEntry {
  pipeline: string;
  sink: string;
  field: string;
  message: string;
  record: Record<string, unknown>;
}

/** An error carried across the thread boundary. */
export interface WorkerError {
  name: string;
  message: string;
  fields?: Record<string, unknown>;
}

/** The worker's answer to a job (id 0 answers the start: the sinks and transforms are ready). */
export type RollReply =
  | {
      id: number;
      ok: true;
      files: RolledFile[];
      /** Rows a sink's schema refused, distinct. */
      transformRejected: number;
      /** The first of those, for the rejects file. */
      rejects: TransformRejectEntry[];
      /** In the start's reply: the worker thread, once its priority was lowered (Linux). */
      thread?: RollWorkerThread;
    }
  | { id: number; ok: false; error: WorkerError };

/** What the worker is started with. */
export interface RollWorkerData {
  config: ResolvedPipelinesConfig;
  bucketDir: string;
  port: MessagePort;
  /** Incremented after each reply, so a caller that must wait can sleep on it. */
  flag: SharedArrayBuffer;
}

const MAX_REJECT_ENTRIES = 1_000;

function toWorkerError(cause: unknown): WorkerError {
  if (!(cause instanceof Error)) return { name: 'Error', message: String(cause) };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(cause)) {
    try {
      fields[key] = JSON.parse(JSON.stringify(value));
    } catch {}
  }
  return { name: cause.name, message: cause.message, fields };
}

function commit(outputs: StreamOutputs, config: ResolvedPipelinesConfig, job: RollJob): RollReply {
  const table = TABLES[config.streams[job.stream]!.table];
  const rows = fillAbsent(table, parseLines(readFileSync(job.segment, 'utf8')));
  const files: RolledFile[] = [];
  const rejects: TransformRejectEntry[] = [];
  const rejectedRows = new Set<Record<string, unknown>>();
  let batches: Map<string, SinkBatch> | undefined;
  for (const output of outputs.byStream.get(job.stream) ?? []) {
    if (job.uncertain && output.sink.committed([job.fileId]).has(job.fileId)) continue;
    let sinkRows: readonly Record<string, unknown>[] = rows;
    if (!output.identity) {
      batches ??= outputs.transforms!.apply(job.stream, rows, job.fileId);
      const batch = batches.get(output.name)!;
      for (const { row, ...problem } of batch.rejects) {
        rejectedRows.add(row);
        if (rejects.length < MAX_REJECT_ENTRIES) rejects.push({ ...problem, record: row });
      }
      sinkRows = batch.rows;
    }
    if (sinkRows.length > 0) files.push(output.sink.write(sinkRows, job.fileId));
  }
  return { id: job.id, ok: true, files, transformRejected: rejectedRows.size, rejects };
}

/** How much nicer than the process the roll worker's thread runs while ingest is being answered. */
const ROLL_WORKER_NICE_STEP = 10;

/** The roll worker's thread and its niceness: the process's (`base`) and its own (`lowered`). */
export interface RollWorkerThread {
  id: number;
  base: number;
  lowered: number;
}

/**
 * On a machine with few CPUs, encoding competes with the thread that answers ingest: the roll worker's
 * own thread runs at a lower priority (Linux: a thread id is a valid target of setpriority), so a roll
 * takes a little longer instead of requests waiting behind it. Elsewhere it stays as it is. Answers the
 * thread and its niceness, so a caller that blocks on a roll can raise it again meanwhile.
 */
function lowerPriority(): RollWorkerThread | undefined {
  try {
    const id = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(id) || id <= 0) return undefined;
    // Relative to the process's niceness: under `nice -n 15` the worker runs below the server, never above.
    const base = getPriority(id);
    const lowered = Math.min(19, base + ROLL_WORKER_NICE_STEP);
    setPriority(id, lowered);
    return { id, base, lowered };
  } catch {
    return undefined;
  }
}

/**
 * Serves roll jobs on `data.port` until it receives `{ kind: 'close' }`.
 *
 * @example
 * ```ts
 * import { workerData } from 'node:worker_threads';
 * import { runRollWorker } from './roll-worker.ts';
 * runRollWorker(workerData);
 * ```
 */
export function runRollWorker(data: RollWorkerData): void {
  const thread = lowerPriority();
  const signal = new Int32Array(data.flag);
  const send = (reply: RollReply) => {
    data.port.postMessage(reply);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  };
  let outputs: StreamOutputs | null = null;
  let failed: WorkerError | null = null;
  try {
    outputs = createStreamOutputs(data.config, data.bucketDir);
    send({ id: 0, ok: true, files: [], transformRejected: 0, rejects: [], ...(thread ? { thread } : {}) });
  } catch (cause) {
    failed = toWorkerError(cause);
    send({ id: 0, ok: false, error: failed });
  }
  data.port.on('message', (job: RollJob | { id: number; kind: 'close' }) => {
    if (job.kind === 'close') {
      outputs?.close();
      send({ id: job.id, ok: true, files: [], transformRejected: 0, rejects: [] });
      data.port.close();
      return;
    }
    if (!outputs) {
      send({ id: job.id, ok: false, error: failed! });
      return;
    }
    try {
      send(commit(outputs, data.config, job));
    } catch (cause) {
      send({ id: job.id, ok: false, error: toWorkerError(cause) });
    }
  });
}
