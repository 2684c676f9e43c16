/**
 * `verify` throughput: events per second through the streaming verifier (normalize the row as an
 * engine returns it, canonical JSON, SHA-256, links, gaps) against the raw SHA-256 rate of the same
 * canonical rows on this machine — the limit — and the peak memory while a chain of 1e6 and 1e7
 * events streams through in pages of 5000.
 *
 * @module
 */
import { checkCheckpoints, createChainVerifier } from '../jobs/verify/index.ts';
import { eventHash, hashInput, sha256Hex } from '../lake/chain/index.ts';
import type { BenchReport } from './machine.ts';

const PAGE = 5000;
const NS = 'https://bench.startups.studio';
const INC = '7f3a9c2e-0000-4000-8000-000000000001';
const T0 = 1_764_000_000_000_000;

/** A page of chained rows in the form an engine returns them (ISO µs timestamps, JSON text). */
function page(
  from: number,
  prev: { hash: string | null },
): { rows: Record<string, unknown>[]; texts: string[] } {
  const rows: Record<string, unknown>[] = [];
  const texts: string[] = [];
  for (let seq = from; seq < from + PAGE; seq++) {
    const ts = T0 + seq * 1000;
    const row: Record<string, unknown> = {
      schema_version: 2,
      id: `${NS}/events/${INC}/${seq}`,
      ns: NS,
      incarnation: INC,
      seq,
      ts,
      event: 'Order.updated',
      verb: 'updated',
      action: 'update',
      type: `${NS}/Order`,
      target: `${NS}/order-${seq % 97}`,
      actor: 'https://auth.startups.studio/users/nathan',
      durability: 'try',
      status: 'completed',
      output_version: `${NS}/order-${seq % 97}@v${seq}`,
      data: { step: seq, note: 'bench update', total: seq / 4 },
      action_id: `${NS}/actions/${INC}/${seq}`,
      prev_hash: prev.hash,
    };
    row.hash = eventHash(row);
    prev.hash = row.hash as string;
    texts.push(hashInput(row));
    // As R2 SQL / DuckDB JSON hand it back.
    const micros = String(ts % 1_000_000).padStart(6, '0');
    row.ts = `${new Date(Math.floor(ts / 1000)).toISOString().slice(0, 19)}.${micros}Z`;
    row.data = JSON.stringify(row.data);
    rows.push(row);
  }
  return { rows, texts };
}

async function run(events: number) {
  const verifier = createChainVerifier({ checkpoints: await checkCheckpoints([]) });
  const prev = { hash: null as string | null };
  let verifyMs = 0;
  let hashMs = 0;
  let peakRss = process.memoryUsage().rss;
  const rssBefore = peakRss;
  for (let from = 1; from <= events; from += PAGE) {
    const { rows, texts } = page(from, prev);
    let t = performance.now();
    let sink = 0;
    for (const text of texts) sink ^= sha256Hex(text).charCodeAt(0);
    hashMs += performance.now() - t;
    t = performance.now();
    verifier.push(rows);
    verifyMs += performance.now() - t;
    if (sink < 0) throw new Error('unreachable');
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  const report = verifier.finish({ namespaces: 'all' });
  if (report.summary.events !== events || report.summary.errors.edited)
    throw new Error('bench chain did not verify');
  return {
    events,
    verifyMs,
    hashMs,
    peakRssMiB: peakRss / 2 ** 20,
    growthMiB: (peakRss - rssBefore) / 2 ** 20,
  };
}

/**
 * Runs the verify benchmark (sizes from `VERIFY_BENCH_SIZES`, default 1e6 and 1e7).
 *
 * @example
 * ```ts
 * import { benchVerify } from './verify.bench.ts';
 * console.log((await benchVerify()).markdown);
 * ```
 */
export async function benchVerify(): Promise<BenchReport> {
  const sizes = (process.env.VERIFY_BENCH_SIZES ?? '1000000,10000000').split(',').map(Number);
  const results = [];
  for (const size of sizes) {
    console.error(`  verify: ${size.toLocaleString('en')} events …`);
    results.push(await run(size));
  }
  const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en');
  const lines = [
    '### `verify`: streaming verification vs raw SHA-256 of the same rows',
    '',
    `One chain, pages of ${PAGE} rows as an engine returns them (ISO µs timestamps, JSON text); each row normalized, canonicalized, hashed and linked. The limit is SHA-256 over the same canonical texts (node:crypto). Checkpoints are not part of this run (one per 1000 events, a signature check each).`,
    '',
    '| events | verify (events/s) | raw SHA-256 (rows/s) | verify / SHA-256 | peak RSS (MiB) | RSS growth (MiB) |',
    '|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.events.toLocaleString('en')} | ${rate(r.events, r.verifyMs)} | ${rate(r.events, r.hashMs)} | ${(r.hashMs / r.verifyMs).toFixed(2)} | ${r.peakRssMiB.toFixed(0)} | ${r.growthMiB.toFixed(0)} |`,
    ),
  ];
  const flat = results.length < 2 || results.at(-1)!.growthMiB < results[0]!.growthMiB + 64;
  return { name: 'verify', markdown: lines.join('\n'), passed: flat };
}
