import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FetchLike, type FinishedFile, replay } from '../../../jobs/replay/index.ts';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { tempDir } from '../helpers.ts';
import { ingestAndRoll, queryLake, SUMMARY } from './replay-fixtures.ts';
import { type S3Fixture, startS3rver } from './s3rver-fixture.ts';

let stack: LocalStack;
let s3: S3Fixture;
let temp: Awaited<ReturnType<typeof tempDir>>;
let expected: Record<string, unknown>[];
const ROLLS = 6;
// Each roll writes one file of events and one of things (the default streams fan events out).
const FILES = 2 * ROLLS;

// One lake (r2 sink layout, 12 files) uploaded to s3rver under a prefix, shared by the file's tests.
beforeAll(async () => {
  temp = await tempDir('dotdo-replay-s3-');
  stack = await startLocalStack({ dataDir: join(temp.dir, 'data'), port: 0 });
  for (let roll = 0; roll < ROLLS; roll++) await ingestAndRoll(stack, roll * 10 + 1, 10);
  expected = await queryLake(stack.pipelines.bucketDir, SUMMARY);
  expect(expected[0]).toMatchObject({ n: ROLLS * 10 });
  s3 = await startS3rver(join(temp.dir, 's3'));
  expect(await s3.upload(stack.pipelines.bucketDir, 'prod/')).toBeGreaterThanOrEqual(FILES);
});
afterAll(async () => {
  await stack.close();
  await s3.close();
  await temp.remove();
});

/** A fetch that counts data-file GETs and can rewrite the answer for a key once. */
function countingFetch(tamper?: (url: string, bytes: Uint8Array, headers: Headers) => Response | null): {
  fetch: FetchLike;
  gets: string[];
} {
  const gets: string[] = [];
  const tampered = new Set<string>();
  return {
    gets,
    async fetch(input, init) {
      const answer = await fetch(input, init);
      if (!input.includes('.parquet')) return answer;
      gets.push(input);
      if (!tamper || tampered.has(input)) return answer;
      const bytes = new Uint8Array(await answer.arrayBuffer());
      const changed = tamper(input, bytes, answer.headers);
      if (changed) tampered.add(input);
      return changed ?? new Response(bytes, { status: answer.status, headers: answer.headers });
    },
  };
}

const source = 's3://lake/prod';
const THINGS = 'SELECT count(*) AS n, count(DISTINCT id) AS ids FROM analytics.things';

describe('replay from s3rver over the r2 layout', () => {
  it('gives the same rows as the source lake, read by the DuckDB engine', async () => {
    const to = join(temp.dir, 'same');
    const counting = countingFetch();
    const result = await replay({ source, to, credentials: s3.credentials, fetch: counting.fetch });
    expect(result.tables).toEqual([
      expect.objectContaining({ name: 'events', kind: 'r2', files: ROLLS }),
      expect.objectContaining({ name: 'things', kind: 'r2', files: ROLLS }),
    ]);
    expect(result).toMatchObject({ fetched: FILES, skipped: 0, retried: 0 });
    expect(counting.gets).toHaveLength(FILES);
    expect(await queryLake(to, SUMMARY)).toEqual(expected);
    expect(await queryLake(to, THINGS)).toEqual(await queryLake(stack.pipelines.bucketDir, THINGS));
  });

  it('resumes an interrupted replay without fetching finished files again', async () => {
    const to = join(temp.dir, 'resume');
    const controller = new AbortController();
    const first = countingFetch();
    const finished: FinishedFile[] = [];
    await expect(
      replay({
        source,
        to,
        credentials: s3.credentials,
        fetch: first.fetch,
        concurrency: 2,
        signal: controller.signal,
        onFile: (file) => {
          finished.push(file);
          if (finished.length === 4) controller.abort(new Error('interrupted'));
        },
      }),
    ).rejects.toThrow('interrupted');
    expect(finished.length).toBeGreaterThanOrEqual(4);
    expect(finished.length).toBeLessThan(FILES);

    const second = countingFetch();
    const result = await replay({ source, to, credentials: s3.credentials, fetch: second.fetch });
    expect(result.skipped).toBe(finished.length);
    expect(result.fetched).toBe(FILES - finished.length);
    expect(second.gets).toHaveLength(FILES - finished.length);
    const finishedKeys = new Set(finished.map((f) => f.key));
    for (const url of second.gets)
      expect(finishedKeys.has(decodeURIComponent(url.split('/prod/')[1]!))).toBe(false);
    expect(await queryLake(to, SUMMARY)).toEqual(expected);

    const third = countingFetch();
    expect(await replay({ source, to, credentials: s3.credentials, fetch: third.fetch })).toMatchObject({
      fetched: 0,
      skipped: FILES,
    });
    expect(third.gets).toHaveLength(0);
  });

  it('detects a file cut short or altered in transit and fetches it again', async () => {
    const to = join(temp.dir, 'transit');
    let cut = 0;
    const counting = countingFetch((_url, bytes, headers) => {
      if (cut === 0) {
        cut++;
        return new Response(bytes.slice(0, bytes.byteLength - 100), { headers }); // announces the full length
      }
      if (cut === 1) {
        cut++;
        const altered = bytes.slice();
        altered[10] = (altered[10]! + 1) % 256;
        return new Response(altered, { headers }); // same size, other bytes: the MD5 is not the ETag's
      }
      return null;
    });
    const result = await replay({
      source,
      to,
      credentials: s3.credentials,
      fetch: counting.fetch,
      concurrency: 1,
    });
    expect(cut).toBe(2);
    expect(result).toMatchObject({ fetched: FILES, retried: 2 });
    expect(counting.gets).toHaveLength(FILES + 2);
    expect(await queryLake(to, SUMMARY)).toEqual(expected);
  });

  it('detects a finished file truncated or altered in the target and fetches it again', async () => {
    const to = join(temp.dir, 'target');
    await replay({ source, to, credentials: s3.credentials });
    const lines = readFileSync(join(to, '.replay', 'finished.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const [a, b] = lines.map((l) => JSON.parse(l) as FinishedFile);
    truncateSync(join(to, a!.path), a!.size - 1);
    const path = join(to, b!.path);
    const bytes = readFileSync(path);
    bytes[20] = (bytes[20]! + 1) % 256;
    writeFileSync(path, bytes);
    expect(statSync(path).size).toBe(b!.size);

    const counting = countingFetch();
    const result = await replay({ source, to, credentials: s3.credentials, fetch: counting.fetch });
    expect(result).toMatchObject({ fetched: 2, skipped: FILES - 2 });
    expect(counting.gets.map((u) => decodeURIComponent(u.split('/prod/')[1]!)).sort()).toEqual(
      [a!.key, b!.key].sort(),
    );
    expect(await queryLake(to, SUMMARY)).toEqual(expected);
  });
});
