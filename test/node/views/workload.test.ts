import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../../lake/chain/index.ts';
import { eventRow, validateStreamRecords } from '../../../schemas/index.ts';
import events from '../../../schemas/pipelines/events.json' with { type: 'json' };
import type { PipelinesSchema } from '../../../schemas/index.ts';
import { generateWorkload } from './workload.ts';

// A smaller workload than the conformance one: the same generator, so the same properties.
const config = { seed: 5, namespaces: 50, events: 12_000 };
const w = generateWorkload(config);
const DAY_US = 86_400_000_000;

describe('the generated workload', () => {
  it('is deterministic for a seed, and another seed gives other rows', () => {
    const again = generateWorkload(config);
    expect(again.delivered.map((e) => e.hash)).toEqual(w.delivered.map((e) => e.hash));
    expect(generateWorkload({ ...config, seed: 6 }).events[0]!.hash).not.toBe(w.events[0]!.hash);
  });

  it('passes the events stream schema and the row schema, every delivered row', () => {
    expect(validateStreamRecords(events as PipelinesSchema, JSON.parse(JSON.stringify(w.delivered)))).toEqual(
      [],
    );
    expect(w.delivered.filter((row) => !eventRow.safeParse(row).success)).toEqual([]);
  });

  it('chains every namespace as its DO does (gapless seq, recomputed hashes), duplicates identical', () => {
    const report = verifyChain(w.delivered as never);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({
      ok: true,
      namespaces: 50,
      events: w.events.length,
      duplicates: w.duplicated,
    });
  });

  it('has creates, updates, renames, tombstones, failures with durations, and every durability', () => {
    const verbs = new Set(w.events.map((e) => e.verb));
    for (const verb of ['created', 'updated', 'renamed', 'deleted', 'paid', 'raised', 'assigned'])
      expect(verbs).toContain(verb);
    const tombstones = w.events.filter((e) => e.deleted);
    expect(tombstones.length).toBeGreaterThan(0);
    expect(tombstones.every((e) => e.output_version && e.data === null)).toBe(true);
    const failed = w.events.filter((e) => e.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((e) => e.output_version === null && e.error !== null)).toBe(true);
    expect(failed.some((e) => typeof e.duration_ms === 'number')).toBe(true);
    expect(new Set(w.events.map((e) => e.durability))).toEqual(new Set(['send', 'try', 'do']));
    expect(w.things.length).toBe(w.events.filter((e) => e.output_version).length);
    expect(w.actions.length).toBe(w.events.length);
  });

  it('writes branches with their own version chains, forked from main', () => {
    const branched = w.events.filter((e) => e.branch !== null);
    expect(branched.length).toBeGreaterThan(0);
    const byVersion = new Map(w.events.filter((e) => e.output_version).map((e) => [e.output_version, e]));
    for (const e of branched.filter((b) => b.input_version)) {
      const previous = byVersion.get(e.input_version)!;
      // The version replaced is the branch's own, or main's (the version the branch was forked from).
      expect(previous.target).toBe(e.target);
      expect([e.branch, null]).toContain(previous.branch);
    }
    // Versions count in one log per DO: a branch's versions interleave with main's.
    const ns = branched[0]!.ns;
    const versions = w.events
      .filter((e) => e.ns === ns && e.output_version)
      .map((e) => Number(e.output_version!.split('@v')[1]));
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
  });

  it('has actors that are things of this DO and of others', () => {
    const things = new Set(w.things.map((t) => t.thing));
    const actors = w.events.map((e) => e.actor).filter((a): a is string => a !== null);
    expect(
      actors.some((a) => things.has(a) && w.events.some((e) => e.actor === a && !a.startsWith(e.ns))),
    ).toBe(true);
    expect(actors.some((a) => !things.has(a))).toBe(true);
  });

  it('delivers some rows late and some twice, in a later batch', () => {
    const from = w.from.getTime() * 1000;
    const late = w.batches.flatMap((batch, day) =>
      batch.filter((e) => Math.floor((e.ts - from) / DAY_US) < day),
    );
    expect(late.length).toBeGreaterThan(0);
    expect(w.late).toBeGreaterThan(0);
    const firstBatch = new Map<string, number>();
    let again = 0;
    w.batches.forEach((batch, day) => {
      for (const e of batch) {
        const seen = firstBatch.get(e.id);
        if (seen === undefined) firstBatch.set(e.id, day);
        else {
          expect(day).toBeGreaterThan(seen);
          again++;
        }
      }
    });
    expect(again).toBe(w.duplicated);
    expect(w.delivered.length).toBe(w.events.length + w.duplicated);
  });
});
