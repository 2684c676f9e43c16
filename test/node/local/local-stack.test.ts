import { readFile } from 'node:fs/promises';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../local/index.ts';
import { createDuckDbEngine } from '../../../query/duckdb/index.ts';
import { eventFixture, postJson, tempDir } from '../helpers.ts';

let stack: LocalStack;
let temp: Awaited<ReturnType<typeof tempDir>>;

beforeEach(async () => {
  temp = await tempDir();
  stack = await startLocalStack({ dataDir: temp.dir, port: 0 });
});
afterEach(async () => {
  await stack.close();
  await temp.remove();
});

describe('Pipelines stand-in → Parquet', () => {
  it('writes zstd Parquet under <bucket>/<table>/year=/month=/day=/<uuid>.parquet that hyparquet reads back identically', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => eventFixture(i + 1));
    expect((await postJson(`${stack.ingestUrl}/events`, rows.slice(0, 10))).status).toBe(200);
    expect((await postJson(`${stack.ingestUrl}/events`, rows.slice(10))).status).toBe(200);
    // The default pipelines fan the events stream out (these fixtures carry no action_id: no actions).
    const rolled = stack.pipelines.roll();
    expect(rolled.map((f) => f.path.split('/r2/lake/')[1]!.split('/')[0]).sort()).toEqual([
      'events',
      'things',
    ]);
    const [file, ...others] = rolled.filter((f) => f.path.includes('/r2/lake/events/'));
    expect(others).toHaveLength(0);
    const now = new Date();
    const day = `year=${now.getUTCFullYear()}/month=${String(now.getUTCMonth() + 1).padStart(2, '0')}/day=${String(now.getUTCDate()).padStart(2, '0')}`;
    expect(file!.path).toMatch(
      new RegExp(
        `/r2/lake/events/${day}/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\\.parquet$`,
      ),
    );

    const buffer = (await readFile(file!.path)).buffer as ArrayBuffer;
    const read = (await parquetReadObjects({ file: buffer, compressors, utf8: true })) as Record<
      string,
      unknown
    >[];
    expect(read).toHaveLength(25);
    read.forEach((got, i) => {
      const want = rows[i]!;
      for (const [key, value] of Object.entries(want)) {
        if (key === 'ts') expect((got.ts as Date).getTime()).toBe(Math.floor(want.ts / 1000));
        else if (key === 'data' || key === 'error')
          expect(got[key] === null ? null : JSON.parse(got[key] as string)).toEqual(value);
        else if (key === 'seq') expect(Number(got.seq)).toBe(value);
        else expect(got[key]).toEqual(value);
      }
    });

    // DuckDB sees the same rows, with µs precision intact.
    const engine = await createDuckDbEngine({ lake: stack.pipelines.bucketDir });
    const result = await engine.query<{ seq: number; us: number }>(
      'SELECT seq, epoch_us(ts) AS us FROM analytics.events ORDER BY seq',
    );
    expect(result.rows).toEqual(rows.map((r) => ({ seq: r.seq, us: r.ts })));
    engine.close();
  });

  it('rejects a request with an invalid record, naming index and field, and keeps nothing of it', async () => {
    const good = eventFixture(1);
    const bad = { ...eventFixture(2), type: 'Startup', seq: 'two' };
    const answer = await postJson(`${stack.ingestUrl}/events`, [good, bad]);
    expect(answer.status).toBe(400);
    expect(answer.body.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ index: 1, field: 'type' }),
        expect.objectContaining({ index: 1, field: 'seq' }),
      ]),
    );
    expect(stack.pipelines.roll()).toEqual([]);
    expect(stack.pipelines.stats().events).toMatchObject({ accepted: 0, rejected: 2, requestsRejected: 1 });
  });

  it('counts R2 SQL queries by outcome over HTTP', async () => {
    const url = `${stack.r2SqlUrl}/accounts/local/r2-sql/query/lake`;
    expect((await postJson(url, { query: 'SELECT 1 AS one' })).status).toBe(200);
    const refused = await postJson(url, { query: 'DELETE FROM analytics.events' });
    expect(refused.body.errors[0].code).toBe(40004);
    const stats = (await (await fetch(`${stack.url}/_admin/stats/r2sql`)).json()) as {
      succeeded: number;
      failed: Record<string, number>;
    };
    expect(stats).toMatchObject({ queries: 2, succeeded: 1, failed: { '40004': 1 } });
  });

  it('keeps every acknowledged record across a crash before the roll (write-ahead log)', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => eventFixture(i + 1));
    for (let i = 0; i < 4; i++) {
      expect((await postJson(`${stack.ingestUrl}/events`, rows.slice(i * 10, i * 10 + 10))).status).toBe(200);
    }
    // A second stand-in on the same directory, as after a crash: nothing was rolled or closed.
    const { createPipelinesStandIn } = await import('../../../local/index.ts');
    const recovered = createPipelinesStandIn({ dataDir: temp.dir });
    expect(recovered.stats().events!.buffered).toBe(40);
    const files = recovered.roll().filter((f) => f.path.includes('/r2/lake/events/'));
    expect(files.reduce((n, f) => n + f.rows, 0)).toBe(40);
    recovered.close();
  });
});

describe('Pipelines stand-in counters', () => {
  it('survive a restart, and count refusals once per request', async () => {
    const temp = await tempDir('dotdo-counters-');
    try {
      const { createPipelinesStandIn } = await import('../../../local/index.ts');
      const first = createPipelinesStandIn({ dataDir: temp.dir, rollIntervalMs: 3_600_000 });
      expect(
        first.ingest('events', JSON.stringify([eventFixture(1), eventFixture(2)]), undefined).status,
      ).toBe(200);
      // The events stream fans out to a sink per table: one roll writes a file for each that got rows.
      const rolled = first.roll().length;
      expect(rolled).toBeGreaterThanOrEqual(1);
      expect(first.ingest('events', JSON.stringify([eventFixture(3)]), undefined).status).toBe(200);
      expect(first.ingest('events', JSON.stringify([eventFixture(4), {}]), undefined).status).toBe(400);
      expect(first.ingest('events', '[', undefined).status).toBe(400);
      const before = first.stats().events;
      expect(before).toMatchObject({
        accepted: 3,
        buffered: 1,
        rejected: 2,
        invalid: 1,
        requestsRejected: 2,
        files: rolled,
      });
      first.close(); // rolls the last record
      const second = createPipelinesStandIn({ dataDir: temp.dir, rollIntervalMs: 3_600_000 });
      expect(second.stats().events).toEqual({ ...before, buffered: 0, files: 2 * rolled });
      second.close();
    } finally {
      await temp.remove();
    }
  });
});
