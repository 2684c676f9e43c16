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
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startLocalStack } from '../local/index.ts';
import { MAX_ROLL_BYTES } from '../local/pipelines/pipelines-config.ts';
import { batches } from './ingest.bench.ts';
import type { BenchReport } from './machine.ts';

/**
 * The baselines and the saturating load send 200 MiB (below the largest roll size, so "held back"
 * means no roll); the paced load with rolls lasts long enough for several rolls to commit within it.
 */
const SHORT_BYTES = 200 * 2 ** 20;
const PACED_BYTES = 640 * 2 ** 20;
const ROLL_BYTES = 64 * 2 ** 20;
const CLIENTS = 4;
const TARGET_P99_MS = 200;
/** The paced load: 4× Pipelines' 5 MB/s per stream. */
const PACED_MB_PER_S = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** What the client process is asked to do, and what it answers. */
type ClientRequest = { url: string; mbPerSecond: number | null; bytes: number } | { done: true };
type ClientReply =
  | { ready: true }
  | { latencies: number[]; seconds: number; requests: number; bytes: number; records: number }
  | { error: string };

/** One load: every client sends its share; with `mbPerSecond`, each waits for its next slot first. */
async function load(all: Body[], url: string, mbPerSecond: number | null, bytes: number) {
  const bodies: string[] = [];
  let sent = 0;
  let records = 0;
  for (const body of all) {
    if (sent >= bytes) break;
    bodies.push(body.text);
    sent += body.text.length;
    records += body.records;
  }
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
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
  return { latencies, seconds, requests: bodies.length, bytes: sent, records };
}

const countRecords = (body: string): number => (JSON.parse(body) as unknown[]).length;

/** One request body and how many records it carries. */
interface Body {
  text: string;
  records: number;
}

/** The client process: builds the bodies once, then runs each load it is sent. */
function serveClients(): void {
  const send = (reply: ClientReply) => process.send!(reply);
  const all: Body[] = batches(PACED_BYTES).bodies.map((text) => ({ text, records: countRecords(text) }));
  send({ ready: true });
  process.on('message', (request: ClientRequest) => {
    if ('done' in request) process.disconnect();
    else
      load(all, request.url, request.mbPerSecond, request.bytes).then(send, (error: Error) =>
        send({ error: String(error.stack ?? error) }),
      );
  });
}

/**
 * Starts the clients in their own process, as a real deployment's clients are: their JSON and HTTP
 * work does not share the server's event loop (it still shares the machine's CPUs).
 */
function startClients() {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--clients'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const replies: ClientReply[] = [];
  const waiting: ((reply: ClientReply) => void)[] = [];
  const deliver = (reply: ClientReply) => {
    const next = waiting.shift();
    if (next) next(reply);
    else replies.push(reply);
  };
  child.on('message', (reply: ClientReply) => deliver(reply));
  child.on('exit', (code) => deliver({ error: `the client process exited (${code})` }));
  const reply = async (): Promise<ClientReply> => {
    const found = replies.shift() ?? (await new Promise<ClientReply>((resolve) => waiting.push(resolve)));
    if ('error' in found) throw new Error(found.error);
    return found;
  };
  return {
    async ready() {
      return (await reply()) as Extract<ClientReply, { ready: true }>;
    },
    async load(url: string, mbPerSecond: number | null, bytes: number) {
      child.send({ url, mbPerSecond, bytes } satisfies ClientRequest);
      return (await reply()) as Extract<ClientReply, { latencies: number[] }>;
    },
    close() {
      if (child.connected) child.send({ done: true } satisfies ClientRequest);
    },
  };
}

type Clients = ReturnType<typeof startClients>;

/** One load against a fresh stand-in, timed by the client process. */
async function run(clients: Clients, rollBytes: number, mbPerSecond: number | null, bytes: number) {
  const dataDir = await mkdtemp(join(tmpdir(), 'dotdo-bench-latency-'));
  const stack = await startLocalStack({ dataDir, port: 0, pipelines: { rollBytes, rollRows: 1e9 } });
  let closed = false;
  // How long the server's event loop was held up at a time while it answered the load.
  const loop = monitorEventLoopDelay({ resolution: 5 });
  try {
    loop.enable();
    const sent = await clients.load(`${stack.ingestUrl}/events`, mbPerSecond, bytes);
    const { latencies, seconds } = sent;
    loop.disable();
    const loopP99 = loop.percentile(99) / 1e6;
    const loopMax = loop.max / 1e6;
    // Parquet files the rolls committed while requests were answered (a roll writes one per day).
    const rolled = stack.pipelines.stats().events!.files;
    const sorted = [...latencies].sort((a, b) => a - b);
    console.error(
      `  rollBytes ${rollBytes}, ${mbPerSecond ?? 'saturating'}: p50 ${quantile(sorted, 0.5).toFixed(0)} p99 ${quantile(sorted, 0.99).toFixed(0)} ms, ${rolled} files rolled, event-loop delay p99 ${loopP99.toFixed(0)} max ${loopMax.toFixed(0)} ms`,
    );
    closed = true;
    await stack.close(); // rolls the rest, untimed
    latencies.sort((a, b) => a - b);
    return {
      p50: quantile(latencies, 0.5),
      p99: quantile(latencies, 0.99),
      max: latencies.at(-1)!,
      seconds,
      mb: sent.bytes / 1e6,
      requests: sent.requests,
      records: sent.records,
      rolled,
      loopP99,
      loopMax,
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
  const clients = startClients();
  try {
    await clients.ready();
    // Held back: the largest roll size, more than a baseline run sends.
    const held = await run(clients, MAX_ROLL_BYTES, null, SHORT_BYTES);
    const rolling = await run(clients, ROLL_BYTES, null, SHORT_BYTES);
    const pacedHeld = await run(clients, MAX_ROLL_BYTES, PACED_MB_PER_S, SHORT_BYTES);
    const paced = await run(clients, ROLL_BYTES, PACED_MB_PER_S, PACED_BYTES);
    return report({ held, rolling, pacedHeld, paced });
  } finally {
    clients.close();
  }
}

type Run = Awaited<ReturnType<typeof run>>;

function report({
  held,
  rolling,
  pacedHeld,
  paced,
}: Record<'held' | 'rolling' | 'pacedHeld' | 'paced', Run>): BenchReport {
  const row = (name: string, r: Run) =>
    `| ${name} | ${r.requests} / ${r.mb.toFixed(0)} MB / ${r.records.toLocaleString('en')} | ${r.rolled} | ${r.p50.toFixed(0)} | **${r.p99.toFixed(0)}** | ${r.max.toFixed(0)} | ${(r.mb / r.seconds).toFixed(1)} | ${r.loopP99.toFixed(0)} / ${r.loopMax.toFixed(0)} |`;
  const markdown = [
    `### Ingest latency while rolls run (${CLIENTS} clients, requests of ≤ 1 MiB)`,
    '',
    'Each roll (Parquet encode and commit of 64 MiB, ~84k rows, into events, things and actions) runs in',
    'the roll worker thread; the event loop only parses, checks and fsyncs requests. Baseline: the same',
    'run with rolls held back. The paced load lasts long enough for rolls to commit while it runs.',
    '',
    '| run | requests / MB / events | files rolled during the run | p50 ms | p99 ms | max ms | MB/s | event-loop delay p99 / max ms |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    row('saturating, baseline: no roll during the run', held),
    row('saturating, 64 MiB rolls in the worker', rolling),
    row(`paced at ${PACED_MB_PER_S} MB/s, baseline: no roll`, pacedHeld),
    row(`paced at ${PACED_MB_PER_S} MB/s, 64 MiB rolls in the worker`, paced),
    `| **target** (paced, with rolls) | | | **< ${TARGET_P99_MS}** | | | p99 with rolls ${(paced.p99 / pacedHeld.p99).toFixed(2)}× the baseline paced, ${(rolling.p99 / held.p99).toFixed(2)}× saturating |`,
    '',
    "The clients run in a process of their own, as a deployment's clients do (their JSON and HTTP work",
    "does not share the server's event loop), on the same two CPUs as the server and the roll worker.",
    'Saturating, latency is queueing: four 1 MiB requests in flight wait for one another on the event',
    'loop (JSON parse, record check, fsync).',
    '',
    `Load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs (other work on this machine competes for them).`,
  ].join('\n');
  return { name: 'ingest-latency', markdown, passed: paced.p99 < TARGET_P99_MS && paced.rolled >= 2 };
}

if (process.argv.includes('--clients') && process.argv[1] === fileURLToPath(import.meta.url)) serveClients();
