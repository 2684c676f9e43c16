import { abortAllDurableObjects, runDurableObjectAlarm } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';
import { type ChainEvent, verifyChain } from '../../lake/chain/index.ts';
import { eventRow, fromLakeRow } from '../../schemas/index.ts';
import { injectedFaults, injectRandomFaults, lakeQuery, roll } from './helpers.ts';

const DOS = 20;
const ACTIONS = 500;
const namespaces = Array.from({ length: DOS }, (_, i) => `https://f${i}.fault.startups.studio`);
const stub = (ns: string) => env.STARTUP.getByName(ns);

it('delivers every event of 10,000 actions across 20 DOs through a 30 % failing sink and random aborts mid-flush', async () => {
  await Promise.all(namespaces.map((ns) => stub(ns).seed(ns, ACTIONS)));
  const before = await injectedFaults();
  await injectRandomFaults(0.3, 0.5, 7);

  let rounds = 0;
  let aborts = 0;
  for (; rounds < 400; rounds++) {
    const pending = await Promise.all(
      namespaces.map((ns) =>
        stub(ns)
          .status(ns)
          .then((s) => s.pending),
      ),
    );
    if (pending.every((n) => n === 0)) break;
    // Each round runs every object's alarm (flush, retrying with backoff on failure); every other
    // round all objects are aborted at a random point, typically in the middle of a flush.
    const alarms = namespaces.map((ns) => runDurableObjectAlarm(stub(ns)).catch(() => 'aborted'));
    if (rounds % 2 === 0) {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
      await abortAllDurableObjects();
      aborts++;
    }
    await Promise.all(alarms);
  }
  await injectRandomFaults(0);
  expect(rounds).toBeLessThan(400);
  expect(aborts).toBeGreaterThan(0);
  const after = await injectedFaults();
  expect(after.before - before.before).toBeGreaterThan(0);
  expect(after.after - before.after).toBeGreaterThan(0);
  await roll();

  // One namespace a query: the re-deliveries are random, and all 20 at once may pass the stand-in's
  // 16 MiB result bound (~1.2 KB a row).
  const raw = (
    await Promise.all(
      namespaces.map((ns) => lakeQuery(`SELECT * FROM analytics.events WHERE ns = '${ns}' LIMIT 100000`)),
    )
  ).flat();
  const rows = raw.map((r) => fromLakeRow(eventRow, r) as ChainEvent);
  const report = verifyChain(rows);
  expect(report.problems).toEqual([]);
  expect(report).toMatchObject({ ok: true, namespaces: DOS, events: DOS * ACTIONS });
  // At-least-once delivery really happened (lost acknowledgements, aborted flushes)...
  expect(rows.length).toBeGreaterThan(DOS * ACTIONS);
  expect(report.duplicates).toBe(rows.length - DOS * ACTIONS);
  // ...and every namespace holds seq 1..500, once each after dedupe.
  const seqs = new Map<string, Set<number>>();
  for (const row of rows) {
    const set = seqs.get(row.ns) ?? new Set<number>();
    set.add(row.seq);
    seqs.set(row.ns, set);
  }
  for (const ns of namespaces) {
    const set = seqs.get(ns)!;
    expect([ns, set.size, Math.min(...set), Math.max(...set)]).toEqual([ns, ACTIONS, 1, ACTIONS]);
  }
  console.log(
    `fault run: ${rounds} rounds, ${aborts} aborts, ${after.before - before.before} failed + ${after.after - before.after} unacknowledged sends, ${rows.length - DOS * ACTIONS} duplicates deduped`,
  );
}, 180_000);
