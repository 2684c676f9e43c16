import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDuckDbEngine } from '../../../query/duckdb/index.ts';
import { eventRows, post, tempDir } from '../fixtures/events.ts';
import { killStandInProcesses, startStandInProcess, stopProcess } from '../fixtures/stand-in-process.ts';

/** Delays between asking for a roll and SIGKILL: before, during and after the Parquet write and WAL release. */
const KILL_DELAYS_MS = [0, 3, 10, 25, 50, 100, 200];
const BATCHES = 8;
const BATCH = 500;

afterAll(killStandInProcesses);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(['r2', 'r2-data-catalog'])('kill -9 of the stand-in during a roll (%s sink)', (sink) => {
  it('keeps every acknowledged record exactly once across crashes at several points of a roll', async () => {
    const { dir, remove } = await tempDir(`dotdo-crash-${sink}-`);
    const acknowledged = new Set<string>();
    let seq = 0;
    /** Per kill: whether it left a sealed WAL segment, i.e. landed inside a roll. */
    const midRoll: boolean[] = [];
    try {
      for (const delay of KILL_DELAYS_MS) {
        const { child, url } = await startStandInProcess(dir, { sink: sink as 'r2' | 'r2-data-catalog' });
        for (let b = 0; b < BATCHES; b++) {
          const rows = eventRows(seq + 1, seq + BATCH);
          seq += BATCH;
          const answer = await post(`${url}/streams/events`, rows);
          expect(answer.status).toBe(200);
          for (const row of rows) acknowledged.add(row.id);
        }
        // A roll, more records arriving while it runs, and SIGKILL somewhere in between.
        const roll = fetch(`${url}/_admin/roll`, { method: 'POST' }).catch(() => null);
        const late = eventRows(seq + 1, seq + 50);
        seq += 50;
        const lateAnswer = post(`${url}/streams/events`, late).then(
          (answer) => {
            if (answer.status === 200) for (const row of late) acknowledged.add(row.id);
          },
          () => null,
        );
        await sleep(delay);
        await stopProcess(child, 'SIGKILL');
        await Promise.all([roll, lateAnswer]);
        midRoll.push(readdirSync(join(dir, 'pipelines', 'wal')).some((name) => name.includes('.sealed.')));
      }

      // At least one kill landed between sealing the WAL segment and releasing it: recovery had work.
      expect(midRoll).toContain(true);

      // Restart on the same directory, roll what recovery left buffered, and stop cleanly.
      const { child, url } = await startStandInProcess(dir, { sink: sink as 'r2' | 'r2-data-catalog' });
      expect((await fetch(`${url}/_admin/roll`, { method: 'POST' })).status).toBe(200);
      await stopProcess(child, 'SIGTERM');

      const engine = await createDuckDbEngine({ lake: join(dir, 'r2', 'lake') });
      try {
        const [counts] = (
          await engine.query<{ n: number; ids: number }>(
            'SELECT count(*) AS n, count(DISTINCT id) AS ids FROM analytics.events',
          )
        ).rows;
        // No duplicates at all, and nothing acknowledged missing (records whose answer was lost in the
        // crash may be there too, once).
        expect(counts!.ids).toBe(counts!.n);
        expect(counts!.n).toBeGreaterThanOrEqual(acknowledged.size);
        const { rows } = await engine.query<{ id: string }>('SELECT id FROM analytics.events');
        const present = new Set(rows.map((r) => r.id));
        const missing = [...acknowledged].filter((id) => !present.has(id));
        expect(missing).toEqual([]);
        expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_DELAYS_MS.length * BATCHES * BATCH);
      } finally {
        engine.close();
      }
    } finally {
      await remove();
    }
  }, 400_000);
});

describe('a torn WAL tail (a write cut short by the crash, never acknowledged)', () => {
  it('does not swallow the batch acknowledged after the restart', async () => {
    const { dir, remove } = await tempDir('dotdo-torn-');
    try {
      const wal = join(dir, 'pipelines', 'wal');
      mkdirSync(wal, { recursive: true });
      // One acknowledged batch, then half of a second one that the crash cut off before its fsync.
      writeFileSync(
        join(wal, 'events.open.ndjson'),
        `${JSON.stringify(eventRows(1, 2))}\n[{"schema_version":1,"id":"htt`,
      );
      const first = await startStandInProcess(dir, { sink: 'r2' });
      expect((await post(`${first.url}/streams/events`, eventRows(3, 4))).status).toBe(200);
      await stopProcess(first.child, 'SIGKILL');

      const second = await startStandInProcess(dir, { sink: 'r2' });
      expect((await fetch(`${second.url}/_admin/roll`, { method: 'POST' })).status).toBe(200);
      await stopProcess(second.child, 'SIGTERM');
      const engine = await createDuckDbEngine({ lake: join(dir, 'r2', 'lake') });
      try {
        const { rows } = await engine.query<{ seq: number }>('SELECT seq FROM analytics.events ORDER BY seq');
        expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
      } finally {
        engine.close();
      }
    } finally {
      await remove();
    }
  }, 60_000);
});
