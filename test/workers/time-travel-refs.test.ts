import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
  bindNamespace,
  createBranch,
  listBranches,
  RefNotFoundError,
  record,
  resolveRef,
} from '../../ingest/index.ts';
import { thingAtRef } from '../../views/library/time-travel/index.ts';
import { lakeQuery, roll } from './helpers.ts';

const DOS = 4;
const REFS = 1000;
const THINGS = 8;
const PARALLEL = 8;
const suffix = '.travel.startups.studio';
const nsOf = (i: number): string => `https://t${i}${suffix}`;
const DAY_US = 86_400_000_000;
const START_US = Date.UTC(2024, 0, 1) * 1000;

/** A small seeded generator (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Expected {
  ref: string;
  base?: number;
  forkedFrom?: string;
  /** What resolveRef answers inside the DO (null: RefNotFoundError). */
  version: { version: number; branch: string | null; data: unknown; deleted: boolean } | null;
}

/**
 * Inside the DO: main history over 8 things (creates, updates, deletes, re-creates) spread over two
 * weeks with timestamps that tie and go back, a branch `exp` forked mid-way with its own writes, and
 * `alt` forked from `exp`; then 250 random refs of every form, resolved by resolveRef.
 */
function buildAndResolve(storage: DurableObjectStorage, ns: string, seed: number): Expected[] {
  bindNamespace(storage, ns);
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const alive = new Set<string>();
  let ts = START_US;
  const write = (target: string, branch: string | null) => {
    // Mostly forward in time, sometimes the same instant, sometimes back (an import or a late clock).
    const step = next();
    ts +=
      step < 0.15
        ? 0
        : step < 0.25
          ? -Math.floor(next() * 6 * 3_600_000_000)
          : Math.floor(next() * 9 * 3_600_000_000);
    const exists = branch !== null || alive.has(target);
    const verb = !exists ? 'create' : next() < 0.15 ? 'delete' : 'update';
    if (branch === null) verb === 'delete' ? alive.delete(target) : alive.add(target);
    record(storage, {
      verb,
      type: 'Startup',
      target,
      branch,
      ts,
      data: verb === 'delete' ? null : { n: Math.floor(next() * 100), stage: pick(['seed', 'a', 'b']) },
    });
  };
  const things = Array.from({ length: THINGS }, (_, i) => `s${i}`);
  for (let i = 0; i < 40; i++) write(pick(things), null);
  createBranch(storage, { name: 'exp' });
  for (let i = 0; i < 30; i++) write(pick(things), next() < 0.4 ? 'exp' : null);
  createBranch(storage, { name: 'alt', forkedFrom: 'exp' });
  for (let i = 0; i < 20; i++) write(pick(things), pick(['alt', 'exp', null]));

  const branches = new Map(listBranches(storage).map((b) => [b.name, b]));
  const newest = storage.sql.exec<{ v: number }>('SELECT max(version) AS v FROM things').one().v;
  const day = (d: number) => new Date(START_US / 1000 + d * 86_400_000).toISOString().slice(0, 10);
  const instant = () => {
    const us = START_US + Math.floor(next() * 16 * DAY_US);
    const iso = new Date(Math.floor(us / 1000)).toISOString().slice(0, 19);
    return `${iso}.${String(us % 1_000_000).padStart(6, '0')}Z`;
  };
  const selectors: (() => string)[] = [
    () => '',
    () => '@main',
    () => `@v${1 + Math.floor(next() * (newest + 3))}`,
    () => `?v=${1 + Math.floor(next() * (newest + 3))}`,
    () => `@~${Math.floor(next() * 7)}`,
    () => `@${day(Math.floor(next() * 17) - 1)}`,
    () => `@${instant()}`,
    () => `?v=${day(Math.floor(next() * 17))}`,
    () => '@exp',
    () => '@alt',
  ];
  return Array.from({ length: REFS / DOS }, (): Expected => {
    const thing = next() < 0.05 ? 'nobody' : pick(things);
    const ref = `${ns}/${thing}${pick(selectors)()}`;
    const branch = /@(exp|alt)$/.exec(ref)?.[1];
    const fork = branch ? branches.get(branch)! : undefined;
    let version: Expected['version'] = null;
    try {
      const found = resolveRef(storage, ref);
      version = { version: found.version, branch: found.branch, data: found.data, deleted: found.deleted };
    } catch (error) {
      if (!(error instanceof RefNotFoundError)) throw error;
    }
    return {
      ref,
      ...(fork ? { base: fork.base ?? 0, forkedFrom: fork.forkedFrom } : {}),
      version,
    };
  });
}

const parse = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

describe('time travel agrees with the Durable Object', () => {
  it('1,000 random refs: thing_at_ref through the R2 SQL stand-in answers what resolveRef answers', async () => {
    const expected = (
      await Promise.all(
        Array.from({ length: DOS }, async (_, i) => {
          const ns = nsOf(i);
          const stub = env.STARTUP.getByName(ns);
          const refs = await runInDurableObject(stub, (_instance, state) =>
            buildAndResolve(state.storage, ns, 1000 + i),
          );
          expect(await stub.flush(ns)).toMatchObject({ deadLettered: 0 });
          return refs;
        }),
      )
    ).flat();
    await roll();
    expect(expected).toHaveLength(REFS);

    const answers: Expected['version'][] = [];
    for (let i = 0; i < expected.length; i += PARALLEL) {
      const rows = await Promise.all(
        expected
          .slice(i, i + PARALLEL)
          .map(({ ref, base, forkedFrom }) => lakeQuery(thingAtRef.render({ ref, base, forkedFrom }).sql)),
      );
      for (const [row] of rows) {
        answers.push(
          row
            ? {
                version: Number(row.version),
                branch: (row.branch as string | null) ?? null,
                data: parse(row.data),
                deleted: row.deleted === true,
              }
            : null,
        );
      }
    }
    const mismatches = expected
      .map((e, i) => ({ ref: e.ref, want: e.version, got: answers[i] }))
      .filter(({ want, got }) => JSON.stringify(want) !== JSON.stringify(got));
    expect(mismatches.slice(0, 5)).toEqual([]);
    // The refs exercise every outcome: found on main and on branches, tombstones, and no version.
    const found = expected.filter((e) => e.version !== null);
    expect(found.length).toBeGreaterThan(REFS / 2);
    expect(expected.length - found.length).toBeGreaterThan(50);
    expect(found.some((e) => e.version!.deleted)).toBe(true);
    expect(found.some((e) => e.version!.branch === 'alt')).toBe(true);
    expect(found.some((e) => /@(exp|alt)$/.test(e.ref) && e.version!.branch === null)).toBe(true);
  }, 120_000);
});
