/**
 * Ingest latency while rolls run: 4 clients send ~1 MiB batches to the Pipelines stand-in over
 * loopback HTTP while 64 MiB rolls (Parquet encode, commit) happen in the roll worker. Baseline: the
 * same requests with rolls held back (no roll during the run), so the ratio shows what rolls cost
 * the requests that arrive meanwhile. Two loads: saturating (each client sends its next batch as soon
 * as the last is answered, ~7× the platform's 5 MB/s per stream) and paced at 20 MB/s in all (4× that
 * limit), where latency is what a request costs rather than how long it queues. Target: p99 < 200 ms
 * with rolls, at the paced load.
 *
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../local/index.ts';
import { batches } from './ingest.bench.ts';
import type { BenchReport } from './machine.ts';

const TOTAL_BYTES = 200 * 2 ** 20;
const CLIENTS = 4;
const TARGET_P99_MS = 200;
/** The paced load: 4× Pipelines' 5 MB/s per stream. */
const PACED_MB_PER_S = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** One load: every client sends its share; with `mbPerSecond`, each waits for its next slot first. */
async function run(bodies: string[], rollBytes: number, mbPerSecond: number | null = null) {
  const dataDir = await mkdtemp(join(tmpdir(), 'dotdo-bench-latency-'));
  const stack = await startLocalStack({ dataDir, port: 0, pipelines: { rollBytes, rollRows: 1e9 } });
  const url = `${stack.ingestUrl}/events`;
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  let closed = false;
  try {
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        let due = performance.now();
        while (next < bodies.length) {
          const body = bodies[next++]!;
          if (mbPerSecond !== null) {
            const wait = due - performance.now();
            if (wait > 0) await sleep(wait);
            due += (CLIENTS * body.length) / (mbPerSecond * 1e3); // ms until this client's next slot
          }
          const sent = performance.now();
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          await response.arrayBuffer();
          if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
          latencies.push(performance.now() - sent);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    closed = true;
    await stack.close(); // rolls the rest, untimed: one file
    // Rolls started during the run (some may have finished after its last answer).
    const rolled = stack.pipelines.stats().events!.files - 1;
    latencies.sort((a, b) => a - b);
    return {
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      max: latencies.at(-1)!,
      seconds,
      rolled,
    };
  } finally {
    if (!closed) await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * Runs the benchmark and returns its markdown section.
 *
 * @example
 * ```ts
 * import { benchIngestLatency } from './ingest-latency.bench.ts';
 * console.log((await benchIngestLatency()).markdown);
 * ```
 */
export async function benchIngestLatency(): Promise<BenchReport> {
  const { bodies, records } = batches(TOTAL_BYTES);
  const mb = bodies.reduce((n, b) => n + b.length, 0) / 1e6;
  const held = await run(bodies, 2 ** 40);
  const rolling = await run(bodies, 64 * 2 ** 20);
  const pacedHeld = await run(bodies, 2 ** 40, PACED_MB_PER_S);
  const paced = await run(bodies, 64 * 2 ** 20, PACED_MB_PER_S);
  const row = (name: string, r: typeof held) =>
    `| ${name} | ${r.rolled} | ${r.p50.toFixed(0)} | **${r.p99.toFixed(0)}** | ${r.max.toFixed(0)} | ${(mb / r.seconds).toFixed(1)} |`;
  const markdown = [
    `### Ingest latency while rolls run (${CLIENTS} clients, ${bodies.length} requests of ≤ 1 MiB, ${mb.toFixed(0)} MB, ${records.toLocaleString('en')} events)`,
    '',
    'Each roll (Parquet encode and commit of 64 MiB, ~60k rows) runs in the roll worker thread; the event',
    'loop only parses, checks and fsyncs requests. Baseline: the same run with rolls held back.',
    '',
    '| run | rolls during the run | p50 ms | p99 ms | max ms | MB/s |',
    '|---|---:|---:|---:|---:|---:|',
    row('saturating, baseline: no roll during the run', held),
    row('saturating, 64 MiB rolls in the worker', rolling),
    row(`paced at ${PACED_MB_PER_S} MB/s, baseline: no roll`, pacedHeld),
    row(`paced at ${PACED_MB_PER_S} MB/s, 64 MiB rolls in the worker`, paced),
    `| **target** (paced, with rolls) | | | **< ${TARGET_P99_MS}** | | p99 with rolls ${(paced.p99 / pacedHeld.p99).toFixed(2)}× the baseline paced, ${(rolling.p99 / held.p99).toFixed(2)}× saturating |`,
    '',
    'Saturating, latency is queueing: four 1 MiB requests in flight wait for one another on the event',
    'loop (JSON parse and record checks, ~25 ms a request), and the clients share this process and its',
    'two CPUs with the server and the roll worker.',
    '',
    `Load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs (other work on this machine competes for them).`,
  ].join('\n');
  return { name: 'ingest-latency', markdown, passed: paced.p99 < TARGET_P99_MS && paced.rolled >= 2 };
}
