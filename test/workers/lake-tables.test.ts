import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { bindNamespace } from '../../ingest/index.ts';
import { lakeQuery, roll } from './helpers.ts';

const DOS = 5;
const ACTIONS = 200;
const CHECKPOINT_EVERY = 50;
const suffix = '.tables.startups.studio';
const nsOf = (i: number): string => `https://d${i}${suffix}`;

/** 200 actions over 17 things: create, update, delete, and create again after a delete. */
function workload(i: number): Record<string, unknown>[] {
  const alive = new Set<string>();
  return Array.from({ length: ACTIONS }, (_, n) => {
    const target = `things/t${(n * (i + 3)) % 17}`;
    if (!alive.has(target)) {
      alive.add(target);
      return { verb: 'create', type: 'Widget', target, data: { n, label: `Ünï ${n}` }, name: `w ${n}` };
    }
    if (n % 7 === 3) {
      alive.delete(target);
      return { verb: 'delete', type: 'Widget', target, data: null };
    }
    return { verb: 'update', type: 'Widget', target, data: { n, tags: ['a', n % 3] } };
  });
}

interface LocalState {
  versions: number;
  transitions: number;
  current: Record<string, { data: unknown; deleted: boolean; version: number }>;
}

const parse = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

describe('every global table lands', () => {
  it('5 DOs × 200 actions: exact counts in events, things, actions and checkpoints; latest things = DO state', async () => {
    const local = await Promise.all(
      Array.from({ length: DOS }, async (_, i): Promise<LocalState> => {
        const ns = nsOf(i);
        const stub = env.STARTUP.getByName(ns);
        await runInDurableObject(stub, (_instance, state) => {
          bindNamespace(state.storage, ns, { checkpointEvery: CHECKPOINT_EVERY });
        });
        const response = await exports.default.fetch(`http://worker/ns/d${i}${suffix}/actions`, {
          method: 'POST',
          body: JSON.stringify(workload(i)),
        });
        expect(response.status).toBe(200);
        const flushed = await stub.flush(ns);
        expect(flushed).toMatchObject({ sent: ACTIONS, deadLettered: 0, checkpoints: 4 });
        return runInDurableObject(stub, (_instance, state) => {
          const sql = state.storage.sql;
          const versions = sql.exec<{ n: number }>('SELECT count(*) AS n FROM things').one().n;
          const transitions = sql.exec<{ n: number }>('SELECT count(*) AS n FROM actions').one().n;
          const rows = sql
            .exec<{ id: string; data: string | null; deleted: number; version: number }>(
              `SELECT id, data, deleted, version FROM things t
               WHERE version = (SELECT max(version) FROM things WHERE id = t.id AND branch IS NULL)`,
            )
            .toArray();
          const current: LocalState['current'] = {};
          for (const row of rows)
            current[`${ns}/${row.id}`] = {
              data: row.data === null ? null : JSON.parse(row.data),
              deleted: row.deleted === 1,
              version: row.version,
            };
          return { versions, transitions, current };
        });
      }),
    );
    await roll();

    const where = `WHERE ns LIKE '%${suffix}'`;
    const count = async (table: string): Promise<[number, number]> => {
      const [all] = await lakeQuery<{ n: number }>(`SELECT count(*) AS n FROM analytics.${table} ${where}`);
      const [ids] = await lakeQuery<{ n: number }>(
        `SELECT count(*) AS n FROM (SELECT id FROM analytics.${table} ${where} GROUP BY id) AS u`,
      );
      return [Number(all!.n), Number(ids!.n)];
    };
    const versions = local.reduce((n, l) => n + l.versions, 0);
    const transitions = local.reduce((n, l) => n + l.transitions, 0);
    expect(versions).toBe(DOS * ACTIONS);
    expect(await count('events')).toEqual([DOS * ACTIONS, DOS * ACTIONS]);
    expect(await count('things')).toEqual([versions, versions]);
    expect(await count('actions')).toEqual([transitions, transitions]);
    expect(await count('checkpoints')).toEqual([
      (DOS * ACTIONS) / CHECKPOINT_EVERY,
      (DOS * ACTIONS) / CHECKPOINT_EVERY,
    ]);

    // The checkpoints name the head of each chain where it stood: seq 50, 100, 150, 200 per namespace.
    const heads = await lakeQuery<{ ns: string; head_seq: number; count: number }>(
      `SELECT ns, head_seq, count FROM analytics.checkpoints ${where} ORDER BY ns, head_seq`,
    );
    expect(heads.map((h) => Number(h.head_seq))).toEqual(
      Array.from({ length: DOS }, () => [50, 100, 150, 200]).flat(),
    );

    const latest = await lakeQuery<{ thing: string; data: unknown; deleted: boolean; version: number }>(`
      SELECT thing, data, deleted, version FROM (
        SELECT thing, data, deleted, version,
               row_number() OVER (PARTITION BY thing ORDER BY version DESC) AS rn
        FROM analytics.things ${where} AND branch IS NULL) AS v
      WHERE rn = 1`);
    const want = Object.assign({}, ...local.map((l) => l.current));
    expect(latest).toHaveLength(Object.keys(want).length);
    expect(latest.some((row) => row.deleted)).toBe(true);
    for (const row of latest) {
      expect({ data: parse(row.data), deleted: row.deleted, version: Number(row.version) }).toEqual(
        want[row.thing],
      );
    }
  });
});
