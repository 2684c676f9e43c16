import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWorker } from '../cli/dev/start-worker.ts';

/** A benchmark's Worker in workerd, with one Durable Object class bound as `BENCH`. */
export interface BenchWorker {
  /** GETs `path`, answering the JSON value and the round trip in ms (throws on a non-2xx). */
  call<T = unknown>(path: string): Promise<{ ms: number; value: T }>;
  close(): Promise<void>;
}

/**
 * Starts `entry` (a file under bench/workers/) in workerd with `className` bound as `BENCH`, in a
 * data directory of its own that `close()` removes. The sink URL is never reached: benches measure
 * inside the object.
 *
 * @example
 * ```ts
 * import { startBenchWorker } from './bench-worker.ts';
 * const worker = await startBenchWorker('./workers/do-ingest-worker.ts', 'BenchObject');
 * const { ms } = await worker.call('/noop');
 * await worker.close();
 * ```
 */
export async function startBenchWorker(entry: string, className: string): Promise<BenchWorker> {
  const dataDir = await mkdtemp(join(tmpdir(), 'dotdo-bench-'));
  const worker = await startWorker({
    dataDir,
    port: 0,
    ingestUrl: 'http://127.0.0.1:9/unused',
    persist: false,
    entry: new URL(entry, import.meta.url).pathname,
    durableObjects: { BENCH: className },
  });
  return {
    async call<T>(path: string) {
      const started = performance.now();
      const response = await fetch(`${worker.url}${path}`);
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      const value = (await response.json()) as T;
      return { ms: performance.now() - started, value };
    },
    async close() {
      await worker.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
