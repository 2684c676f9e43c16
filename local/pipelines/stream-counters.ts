import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A stream's counters as kept beside its write-ahead log. Accepted records are not counted here one
 * by one: those still in the log are counted from it on start, and `rolled` holds those whose roll
 * was committed (and whose segment was released), so the count is exact across any crash.
 */
export interface StreamCounters {
  /** Accepted records whose roll is committed. */
  rolled: number;
  /** The roll last added to `rolled`: if its segment outlived a crash, it is not counted twice. */
  lastRolled: string | null;
  /** Records of requests that were refused (none of them kept). */
  rejected: number;
  /** Records of refused requests that did not match the schema (the N of "N of M"). */
  invalid: number;
  requestsRejected: number;
  files: number;
  transformRejected: number;
  rollFailures: number;
  lastRollError?: string;
}

const EMPTY: StreamCounters = {
  rolled: 0,
  lastRolled: null,
  rejected: 0,
  invalid: 0,
  requestsRejected: 0,
  files: 0,
  transformRejected: 0,
  rollFailures: 0,
};

/** Where a stream's counters live and how they are read and saved. */
export interface CountersFile {
  read(): StreamCounters;
  /** Writes atomically (temporary file, fsync, rename). */
  save(counters: StreamCounters): void;
}

/**
 * The counters file of one stream, `<walDir>/<stream>.counters.json`.
 *
 * @example
 * ```ts
 * import { createCountersFile } from './stream-counters.ts';
 * const file = createCountersFile('.data/pipelines/wal', 'events');
 * file.save({ ...file.read(), rejected: 3 });
 * ```
 */
export function createCountersFile(walDir: string, stream: string): CountersFile {
  const path = join(walDir, `${stream}.counters.json`);
  return {
    read() {
      try {
        const saved = JSON.parse(readFileSync(path, 'utf8')) as Partial<StreamCounters>;
        const counters = { ...EMPTY };
        for (const key of Object.keys(EMPTY) as (keyof StreamCounters)[]) {
          const value = saved[key];
          if (typeof value === typeof EMPTY[key] || (key === 'lastRolled' && typeof value === 'string'))
            (counters as Record<string, unknown>)[key] = value;
        }
        if (typeof saved.lastRollError === 'string') counters.lastRollError = saved.lastRollError;
        return counters;
      } catch {
        return { ...EMPTY };
      }
    },
    save(counters) {
      const temp = `${path}.tmp`;
      const fd = openSync(temp, 'w');
      try {
        writeSync(fd, JSON.stringify(counters));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temp, path);
    },
  };
}
