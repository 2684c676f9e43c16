/**
 * Replay throughput from an S3 server (s3rver, signed with aws4fetch as R2's S3 API is) against raw
 * parallel GETs of the same files from the same server at the same concurrency, interleaved, medians.
 * Replay does more per file (listing, MD5 against the ETag, a `.part` file renamed into place, the
 * record of finished files); the target is ≥ 0.8× the raw GETs' throughput.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { AwsClient } from 'aws4fetch';
import S3rver from 's3rver';
import { replay } from '../jobs/replay/index.ts';
import { type BenchReport, median } from './machine.ts';

const FILES = 32;
const FILE_BYTES = 4 * 1024 * 1024;
const CONCURRENCY = 8;
const RUNS = 5;
const TARGET = 0.8;

async function parallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/**
 * Runs the benchmark and returns its markdown section.
 *
 * @example
 * ```ts
 * import { benchReplay } from './replay.bench.ts';
 * console.log((await benchReplay()).markdown);
 * ```
 */
export async function benchReplay(): Promise<BenchReport> {
  const dir = await mkdtemp(join(tmpdir(), 'dotdo-bench-replay-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: join(dir, 's3'),
    configureBuckets: [{ name: 'lake', configs: [] }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const credentials = { endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  const client = new AwsClient({ ...credentials, service: 's3', region: 'auto', retries: 0 });
  const keys = Array.from({ length: FILES }, (_, i) => `events/day=1/${String(i).padStart(3, '0')}.parquet`);
  try {
    await parallel(keys, 4, async (key) => {
      const answer = await client.fetch(`${endpoint}/lake/${key}`, {
        method: 'PUT',
        body: randomBytes(FILE_BYTES),
      });
      if (!answer.ok) throw new Error(`PUT ${key}: ${answer.status}`);
    });
    const total = FILES * FILE_BYTES;
    const rawRead = async () => {
      await parallel(keys, CONCURRENCY, async (key) => {
        const answer = await client.fetch(`${endpoint}/lake/${key}`);
        const reader = answer.body!.getReader();
        while (!(await reader.read()).done) {
          // read and drop
        }
      });
    };
    let round = 0;
    const rawWrite = async () => {
      const out = join(dir, `raw-${round++}`);
      await parallel(keys, CONCURRENCY, async (key) => {
        const answer = await client.fetch(`${endpoint}/lake/${key}`);
        const path = join(out, ...key.split('/'));
        mkdirSync(join(path, '..'), { recursive: true });
        const file = createWriteStream(path);
        const reader = answer.body!.getReader();
        for (let next = await reader.read(); !next.done; next = await reader.read()) {
          if (!file.write(next.value)) await new Promise<void>((r) => file.once('drain', () => r()));
        }
        file.end();
        await finished(file);
      });
    };
    const replayed = async () => {
      const result = await replay({
        source: 's3://lake/',
        to: join(dir, `replay-${round++}`),
        credentials,
        concurrency: CONCURRENCY,
      });
      if (result.fetched !== FILES) throw new Error(`replay fetched ${result.fetched} of ${FILES}`);
    };
    const times: Record<'read' | 'write' | 'replay', number[]> = { read: [], write: [], replay: [] };
    await rawRead();
    await replayed();
    for (let run = 0; run < RUNS; run++) {
      for (const [name, work] of [
        ['read', rawRead],
        ['write', rawWrite],
        ['replay', replayed],
      ] as const) {
        const started = performance.now();
        await work();
        times[name].push(performance.now() - started);
      }
    }
    const mibps = (ms: number) => total / 2 ** 20 / (ms / 1000);
    const read = median(times.read);
    const write = median(times.write);
    const copy = median(times.replay);
    const ratio = read / copy;
    const row = (label: string, ms: number, of: number) =>
      `| ${label} | ${ms.toFixed(0)} | ${mibps(ms).toFixed(1)} | ${(of / ms).toFixed(2)}× |`;
    const markdown = [
      `### Replay from an S3 server vs raw parallel GETs (${FILES} files × ${FILE_BYTES / 2 ** 20} MiB, concurrency ${CONCURRENCY}, median of ${RUNS})`,
      '',
      'The server is s3rver 3.7.1 on loopback; every request is signed with aws4fetch (SigV4), as for',
      "R2's S3 API. Raw GETs read each body and drop it, or write it to a file; replay lists the prefix,",
      'streams each file to a `.part` file while hashing it (MD5 against the ETag), renames it into place',
      'and records it in the target’s record of finished files. Replay’s time includes listing the',
      'prefix (the raw GETs are handed the keys), a fixed cost that shrinks as files grow (R2 Data',
      'Catalog compacts to 64–512 MB).',
      '',
      '| run | ms | MiB/s | throughput vs raw GETs |',
      '| --- | ---: | ---: | ---: |',
      row('raw parallel GETs (read, drop)', read, read),
      row('raw parallel GETs (write to files)', write, read),
      `| **replay** | ${copy.toFixed(0)} | ${mibps(copy).toFixed(1)} | **${ratio.toFixed(2)}×** (target ≥ ${TARGET}×) |`,
    ].join('\n');
    return { name: 'replay', markdown, passed: ratio >= TARGET };
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}
