/**
 * Sustained ingest into the Pipelines stand-in over loopback HTTP, in ~1 MB batches (the platform's
 * request cap), rolls included; against a baseline server on the same loopback that only reads the body.
 * Target: ≥ 5 MB/s, the platform's per-stream cap.
 *
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../local/index.ts';
import { EVENTS_SCHEMA_VERSION, type EventRow } from '../schemas/index.ts';
import type { BenchReport } from './machine.ts';

const TOTAL_BYTES = 128 * 2 ** 20;
const MAX_BODY = 1024 * 1024;
const TARGET_MBPS = 5;

function event(i: number): EventRow {
  const ns = `https://ns${i % 100}.startups.studio`;
  return {
    schema_version: EVENTS_SCHEMA_VERSION,
    id: `${ns}/events/inc-1/${i}`,
    ns,
    incarnation: 'inc-1',
    seq: i,
    ts: 1_764_000_000_000_000 + i * 1000,
    event: 'Startup.updated',
    verb: 'updated',
    action: 'update',
    type: 'https://startups.studio/Startup',
    target: `${ns}/thing-${i % 5000}`,
    actor: 'https://auth.startups.studio/users/u1',
    durability: 'try',
    status: 'completed',
    branch: null,
    input_version: i > 1 ? `${ns}/thing-${i % 5000}@v${i - 1}` : null,
    output_version: `${ns}/thing-${i % 5000}@v${i}`,
    data: { name: `Thing ${i}`, plan: 'pro', amount: i % 1000, tags: ['a', 'b'] },
    error: null,
    request_id: `req-${i}`,
    session_id: 'sess-1',
    workflow_id: null,
    correlation_id: null,
    started_at: null,
    completed_at: null,
    duration_ms: 1.5,
    prev_hash: null,
    hash: null,
  };
}

/**
 * JSON bodies just under 1 MiB each, `totalBytes` in all, built before timing starts.
 *
 * @example
 * ```ts
 * import { batches } from './ingest.bench.ts';
 * batches(2 ** 20).bodies.length; // 2
 * ```
 */
export function batches(totalBytes = TOTAL_BYTES): { bodies: string[]; records: number } {
  const bodies: string[] = [];
  let total = 0;
  let i = 0;
  while (total < totalBytes) {
    const parts: string[] = [];
    let size = 2;
    for (;;) {
      const json = JSON.stringify(event(i + 1));
      if (size + json.length + 1 > MAX_BODY) break;
      parts.push(json);
      size += json.length + 1;
      i++;
    }
    const body = `[${parts.join(',')}]`;
    bodies.push(body);
    total += body.length;
  }
  return { bodies, records: i };
}

async function send(url: string, bodies: string[], concurrency: number): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`);
        await response.arrayBuffer();
      }
    }),
  );
  return performance.now() - start;
}

/**
 * Runs the benchmark and returns its markdown section.
 *
 * @example
 * ```ts
 * import { benchIngest } from './ingest.bench.ts';
 * console.log((await benchIngest()).markdown);
 * ```
 */
export async function benchIngest(): Promise<BenchReport> {
  const { bodies, records } = batches();
  const bytes = bodies.reduce((n, b) => n + b.length, 0);
  const mb = bytes / 1e6;

  // Baseline: the same requests to a server that reads the body and answers 200, nothing else.
  const sink = createServer((request, response) => {
    request.on('data', () => {});
    request.on('end', () => response.end('{"success":true}'));
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`;
  const baselineMs = await send(baseUrl, bodies, 1);
  sink.closeAllConnections();
  await new Promise<void>((resolve) => sink.close(() => resolve()));

  const rows: string[] = [];
  let worst = Infinity;
  for (const concurrency of [1, 4]) {
    const dataDir = await mkdtemp(join(tmpdir(), 'dotdo-bench-ingest-'));
    const stack = await startLocalStack({ dataDir, port: 0 });
    try {
      const ms = await send(`${stack.ingestUrl}/events`, bodies, concurrency);
      const closing = performance.now();
      await stack.close(); // rolls the rest
      const closeMs = performance.now() - closing;
      const stats = stack.pipelines.stats().events!;
      if (stats.accepted !== records) throw new Error(`accepted ${stats.accepted} of ${records}`);
      const rate = mb / (ms / 1000);
      worst = Math.min(worst, rate);
      rows.push(
        `| stand-in, ${concurrency} in flight | ${(ms / 1000).toFixed(2)} | **${rate.toFixed(1)}** | ${(rate / (mb / (baselineMs / 1000))).toFixed(2)}× | roll of the rest on close: ${closeMs.toFixed(0)} ms (not timed) |`,
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  const markdown = [
    `### Sustained ingest into the Pipelines stand-in (${mb.toFixed(0)} MB, ${records.toLocaleString('en')} events, ${bodies.length} requests of ≤ 1 MiB)`,
    '',
    'Each request is parsed, every record validated against the events schema, appended to the WAL and',
    'fsynced before the 200; rolls to zstd Parquet (every 64 MiB buffered) happen inside the timed run.',
    'Baseline: the same requests, one in flight, to a loopback server that only reads the body.',
    '',
    '| run | seconds | MB/s | vs baseline | notes |',
    '|---|---:|---:|---:|---|',
    `| baseline (read body, answer 200) | ${(baselineMs / 1000).toFixed(2)} | ${(mb / (baselineMs / 1000)).toFixed(1)} | 1.00× | |`,
    ...rows,
    `| **target** | | **≥ ${TARGET_MBPS}** | | worst run ${worst.toFixed(1)} MB/s |`,
    '',
    `Load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs (other work on this machine competes for them).`,
  ].join('\n');
  return { name: 'ingest', markdown, passed: worst >= TARGET_MBPS };
}
