import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { createPipelinesStandIn, type PipelinesConfig } from '../../../local/pipelines/index.ts';
import { createDuckDbEngine } from '../../../query/duckdb/index.ts';
import { eventRows, post, tempDir } from '../fixtures/events.ts';
import { killStandInProcesses, startStandInProcess, stopProcess } from '../fixtures/stand-in-process.ts';

/** Created events to an r2 sink (projected), the rest whole to an Iceberg table. */
const ROUTED: Omit<PipelinesConfig, 'dataDir'> = {
  rollIntervalMs: 3_600_000,
  rollRows: 10_000_000,
  rollBytes: 256 * 1024 * 1024,
  sinks: {
    created_sink: { kind: 'r2', schema: 'events' },
    others_sink: { kind: 'r2-data-catalog', schema: 'events', namespace: 'analytics', table: 'others' },
  },
  pipelines: [
    {
      name: 'route',
      sql: `INSERT INTO others_sink SELECT * FROM events WHERE event <> 'Startup.created';
INSERT INTO created_sink SELECT id, seq, upper(verb) AS verb FROM events WHERE event = 'Startup.created'`,
    },
  ],
};

const isCreated = (seq: number) => seq % 3 === 0;

/** Ids in each sink: the r2 prefix through read_parquet, the Iceberg table through its current snapshot. */
async function sinkIds(
  dataDir: string,
): Promise<{ created: string[]; others: string[]; verbs: Set<unknown> }> {
  const bucket = join(dataDir, 'r2', 'lake');
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const created = (
    await connection.runAndReadAll(
      `SELECT id, verb FROM read_parquet('${bucket}/created_sink/**/*.parquet', hive_partitioning = false)`,
    )
  ).getRowObjectsJS() as { id: string; verb: string }[];
  connection.closeSync();
  const engine = await createDuckDbEngine({ lake: bucket });
  try {
    const others = await engine.query<{ id: string }>('SELECT id FROM analytics.others');
    return {
      created: created.map((r) => r.id),
      others: others.rows.map((r) => r.id),
      verbs: new Set(created.map((r) => r.verb)),
    };
  } finally {
    engine.close();
  }
}

function expectExactlyOnce(ids: string[], want: string[]): void {
  expect(ids.length).toBe(new Set(ids).size);
  expect([...ids].sort()).toEqual([...want].sort());
}

describe('Pipeline SQL: recovery stays exactly-once', () => {
  it('a roll that fails after one sink committed is finished by the next start, each sink once', async () => {
    const { dir, remove } = await tempDir('dotdo-pipeline-recovery-');
    try {
      // The r2 sink cannot create its directory (a file is in the way): it fails after the catalog sink committed.
      const blocked = join(dir, 'r2', 'lake', 'created_sink');
      const first = createPipelinesStandIn({ ...ROUTED, dataDir: dir });
      writeFileSync(blocked, 'in the way');
      expect(first.ingest('events', JSON.stringify(eventRows(1, 30)), undefined).status).toBe(200);
      expect(() => first.roll()).toThrow();
      expect(first.ingest('events', JSON.stringify(eventRows(31, 40)), undefined).status).toBe(200);
      expect(readdirSync(join(dir, 'pipelines', 'wal')).some((n) => n.includes('.sealed.'))).toBe(true);
      // The process dies here: no close, no further roll.

      rmSync(blocked);
      const second = createPipelinesStandIn({ ...ROUTED, dataDir: dir });
      second.roll();
      second.close();

      const all = eventRows(1, 40);
      const got = await sinkIds(dir);
      expectExactlyOnce(
        got.others,
        all.filter((r) => !isCreated(Number(r.seq))).map((r) => r.id),
      );
      expectExactlyOnce(
        got.created,
        all.filter((r) => isCreated(Number(r.seq))).map((r) => r.id),
      );
      expect(got.verbs).toEqual(new Set(['CREATED']));
    } finally {
      await remove();
    }
  });

  describe('kill -9 during a roll', () => {
    afterAll(killStandInProcesses);

    it('keeps every acknowledged record exactly once in each sink', async () => {
      const { dir, remove } = await tempDir('dotdo-pipeline-kill-');
      const acknowledged: number[] = [];
      /** Per kill: whether it left a sealed WAL segment, i.e. landed inside a roll. */
      const midRoll: boolean[] = [];
      let seq = 0;
      try {
        for (const delay of [0, 5, 20, 60, 150]) {
          const { child, url } = await startStandInProcess(dir, { pipelines: ROUTED });
          for (let b = 0; b < 4; b++) {
            const answer = await post(`${url}/streams/events`, eventRows(seq + 1, seq + 300));
            expect(answer.status).toBe(200);
            for (let s = seq + 1; s <= seq + 300; s++) acknowledged.push(s);
            seq += 300;
          }
          const roll = fetch(`${url}/_admin/roll`, { method: 'POST' }).catch(() => null);
          await new Promise((resolve) => setTimeout(resolve, delay));
          await stopProcess(child, 'SIGKILL');
          await roll;
          midRoll.push(readdirSync(join(dir, 'pipelines', 'wal')).some((name) => name.includes('.sealed.')));
        }
        expect(midRoll).toContain(true);
        const { child, url } = await startStandInProcess(dir, { pipelines: ROUTED });
        expect((await fetch(`${url}/_admin/roll`, { method: 'POST' })).status).toBe(200);
        await stopProcess(child, 'SIGTERM');

        const got = await sinkIds(dir);
        const id = (s: number) => eventRows(s, s)[0]!.id;
        expectExactlyOnce(got.others, acknowledged.filter((s) => !isCreated(s)).map(id));
        expectExactlyOnce(got.created, acknowledged.filter(isCreated).map(id));
      } finally {
        await remove();
      }
    }, 120_000);
  });
});
