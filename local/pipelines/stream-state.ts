import { statSync } from 'node:fs';
import type { TABLES } from '../../schemas/index.ts';
import type { RejectsFile } from './rejects-file.ts';
import type { RolledFile } from './sinks/index.ts';
import { createCountersFile, type StreamCounters } from './stream-counters.ts';
import { parseLines, WriteAheadLog } from './write-ahead-log.ts';
import { readFileSync } from 'node:fs';

/** Counters, per stream; they survive a restart. */
export interface StreamStats {
  /** Records acknowledged with a 2xx (durable in the log, or committed). */
  accepted: number;
  /** Records of refused requests (none of a refused request is kept). */
  rejected: number;
  /** Of those, the records that did not match the schema. */
  invalid: number;
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

/** A sealed segment whose files are not committed yet. */
export interface PendingRoll {
  fileId: string;
  segment: string;
  records: number;
  /** Set once a write was attempted (or after a restart): the sinks are asked before writing again. */
  uncertain: boolean;
}

/** One stream's log, pending rolls and counters, as the stand-in drives them. */
export interface StreamState {
  readonly name: string;
  readonly table: keyof typeof TABLES;
  readonly wal: WriteAheadLog;
  readonly rejects: RejectsFile;
  readonly counters: StreamCounters;
  pending: PendingRoll[];
  openRecords: number;
  openBytes: number;
  inFlight: boolean;
  /** Refusal counters changed since the last save. */
  dirty: boolean;
  /** Appends an accepted request (a JSON array of `records` records) to the log, fsynced. */
  append(arrayText: string, records: number): void;
  /**
   * Appends an accepted request to the log and counts it now; the promise resolves once it is fsynced
   * (off the event loop, shared with the appends made meanwhile). Acknowledge only after it resolves.
   */
  appendDurably(arrayText: string, records: number): Promise<void>;
  /** Seals the open segment into a pending roll, if it holds records. */
  seal(): void;
  /** Waits for the pending rolls: `done` is called once they are all committed or one fails. */
  listen(done: (error: Error | null) => void): RolledFile[];
  collect(files: RolledFile[]): void;
  finish(error: Error | null): void;
  saveCounters(): void;
  stats(): StreamStats;
  close(): void;
}

const countRecords = (path: string): number => parseLines(readFileSync(path, 'utf8')).length;

/**
 * Opens a stream's state from its log directory: the open segment is the buffer, sealed segments are
 * rolls to finish (but the one the counters already counted, whose release a crash cut off).
 *
 * @example
 * ```ts
 * import { createRejectsFile } from './rejects-file.ts';
 * import { createStreamState } from './stream-state.ts';
 * const rejects = createRejectsFile({ dir: '.data/pipelines/rejects', stream: 'events', maxFileBytes: 2 ** 24, maxFiles: 4 });
 * const state = createStreamState({ name: 'events', table: 'events', walDir: '.data/pipelines/wal', rejects });
 * state.stats().buffered;
 * ```
 */
export function createStreamState(input: {
  name: string;
  table: keyof typeof TABLES;
  walDir: string;
  rejects: RejectsFile;
}): StreamState {
  const wal = new WriteAheadLog(input.walDir, input.name);
  const countersFile = createCountersFile(input.walDir, input.name);
  const counters = countersFile.read();
  const pending: PendingRoll[] = [];
  for (const { fileId, path } of wal.sealedPaths()) {
    if (fileId === counters.lastRolled) wal.release(path);
    else pending.push({ fileId, segment: path, records: countRecords(path), uncertain: true });
  }
  const listeners = new Set<{ files: RolledFile[]; done: (error: Error | null) => void }>();
  const openPath = `${input.walDir}/${input.name}.open.ndjson`;
  let openBytes = 0;
  try {
    openBytes = statSync(openPath).size;
  } catch {}

  const state: StreamState = {
    name: input.name,
    table: input.table,
    wal,
    rejects: input.rejects,
    counters,
    pending,
    openRecords: wal.readOpen().length,
    openBytes,
    inFlight: false,
    dirty: false,
    append(arrayText, records) {
      wal.appendJson(arrayText);
      state.openRecords += records;
      state.openBytes += arrayText.length;
    },
    appendDurably(arrayText, records) {
      // Counted with the write, not the fsync: a seal in between takes these records into its segment.
      const durable = wal.appendJsonDurably(arrayText);
      state.openRecords += records;
      state.openBytes += arrayText.length;
      return durable;
    },
    seal() {
      if (state.openRecords === 0) return;
      const fileId = crypto.randomUUID();
      const segment = wal.seal(fileId);
      state.pending.push({ fileId, segment, records: state.openRecords, uncertain: false });
      state.openRecords = 0;
      state.openBytes = 0;
    },
    listen(done) {
      const files: RolledFile[] = [];
      listeners.add({ files, done });
      return files;
    },
    collect(files) {
      for (const listener of listeners) listener.files.push(...files);
    },
    finish(error) {
      for (const listener of [...listeners]) {
        listeners.delete(listener);
        listener.done(error);
      }
    },
    saveCounters() {
      countersFile.save(counters);
      state.dirty = false;
    },
    stats() {
      const buffered = state.openRecords + state.pending.reduce((n, p) => n + p.records, 0);
      const { rolled, lastRolled, ...rest } = counters;
      return { ...rest, accepted: rolled + buffered, buffered };
    },
    close() {
      state.saveCounters();
      wal.close();
    },
  };
  return state;
}
