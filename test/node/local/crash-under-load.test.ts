import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDuckDbEngine } from '../../../query/duckdb/index.ts';
import { eventRows, tempDir } from '../fixtures/events.ts';
import { rawRequest } from '../fixtures/raw-http.ts';
import { killStandInProcesses, startStandInProcess, stopProcess } from '../fixtures/stand-in-process.ts';

const KILLS = 6;
const CLIENTS = 4;
const BATCH = 40;

afterAll(killStandInProcesses);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Small rolls, so the roll worker is busy committing files whenever a kill lands. */
const config = (sink: 'r2' | 'r2-data-catalog') => ({
  rollIntervalMs: 3_600_000,
  rollRows: 10_000_000,
  rollBytes: 128 * 1024,
  streams: {
    events: {
      table: 'events',
      sink: sink === 'r2' ? { kind: 'r2' } : { kind: 'r2-data-catalog', namespace: 'analytics' },
    },
  },
});

describe.each(['r2', 'r2-data-catalog'] as const)('kill -9 under load (%s sink)', (sink) => {
  it(`loses no acknowledged record across ${KILLS} kills, and the counters agree with the lake`, async () => {
    const { dir, remove } = await tempDir(`dotdo-load-kill-${sink}-`);
    const acknowledged = new Set<string>();
    let seq = 0;
    let answered = 0;
    /** Per kill: whether it left a sealed segment, i.e. landed while a roll was not yet released. */
    const midRoll: boolean[] = [];
    try {
      for (let kill = 0; kill < KILLS; kill++) {
        const { child, url } = await startStandInProcess(dir, { pipelines: config(sink) });
        let stop = false;
        const clients = Array.from({ length: CLIENTS }, async () => {
          while (!stop) {
            const rows = eventRows(seq + 1, seq + BATCH);
            seq += BATCH;
            try {
              const answer = await rawRequest(url, { path: '/streams/events', body: JSON.stringify(rows) });
              if (answer.status === 200) {
                answered += 1;
                for (const row of rows) acknowledged.add(row.id);
              }
            } catch {
              return; // the connection died with the process
            }
          }
        });
        // Kill at a different moment of the load each time, counted in acknowledged batches (a roll
        // is due about every 4.5 of them, so the kills fall at different points of a roll): rolls are
        // in flight most of the time, however fast the machine is.
        const target = answered + 6 + 4 * kill;
        let finished = false;
        const done = Promise.all(clients).then(() => {
          finished = true;
        });
        while (answered < target && !finished) await sleep(5);
        await stopProcess(child, 'SIGKILL');
        stop = true;
        await done;
        midRoll.push(readdirSync(join(dir, 'pipelines', 'wal')).some((name) => name.includes('.sealed.')));
      }
      expect(answered).toBeGreaterThan(KILLS * 10);
      expect(midRoll).toContain(true);

      const { child, url } = await startStandInProcess(dir, { pipelines: config(sink) });
      expect((await rawRequest(url, { path: '/_admin/roll' })).status).toBe(200);
      const stats = (await rawRequest(url, { method: 'GET', path: '/_admin/stats' })).body.events;
      await stopProcess(child, 'SIGTERM');

      const engine = await createDuckDbEngine({ lake: join(dir, 'r2', 'lake') });
      try {
        const { rows } = await engine.query<{ id: string }>('SELECT id FROM analytics.events');
        const present = new Set(rows.map((r) => r.id));
        expect(present.size, 'no record twice').toBe(rows.length);
        expect([...acknowledged].filter((id) => !present.has(id))).toEqual([]);
        // Counted across every restart, once each: what the lake holds (acknowledged, or stored just
        // before a kill took the answer away).
        expect(stats).toMatchObject({ accepted: rows.length, buffered: 0 });
        expect(stats.files).toBeGreaterThan(KILLS);
      } finally {
        engine.close();
      }
    } finally {
      await remove();
    }
  }, 400_000);
});
