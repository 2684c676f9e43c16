import { describe, expect, it } from 'vitest';
import { createViewRegistry, isViewParamsError } from '../../../views/index.ts';
import {
  thingAtRef,
  thingDiff,
  timeTravelViews,
  worldAsOf,
} from '../../../views/library/time-travel/index.ts';
import { cases } from './cases/time-travel.ts';
import { runCases } from './run-cases.ts';
import { A, B, expectParamsRefused, normalizeRows, useSmallLake } from './small-lake.ts';

const small = useSmallLake();

const atRef = async (ref: string, extra: Record<string, unknown> = {}) => {
  const rows = normalizeRows((await small.lake.engine.query(thingAtRef.render({ ref, ...extra }).sql)).rows);
  return rows.map((r) => [r.version, r.branch, r.deleted]);
};

describe('the time-travel views on a small lake (DuckDB in R2 SQL dialect)', () => {
  it('answer every conformance case as the oracles do, duplicates delivered and all', async () => {
    const sizes = await runCases(small.lake.engine, small.w, cases);
    const empty = [...sizes].filter(([, n]) => n === 0).map(([name]) => name);
    // Exactly the cases that ask for what is not there are empty.
    expect(
      empty.filter((name) => !name.includes('(no row)')),
      empty.join('; '),
    ).toEqual([]);
  });

  it('thing_at_ref: each ref form, as resolveRef reads it', async () => {
    const acme = `${A}/acme`;
    expect(await atRef(acme)).toEqual([[9, null, false]]);
    expect(await atRef(`${acme}@main`)).toEqual([[9, null, false]]);
    expect(await atRef(`${acme}@~1`)).toEqual([[8, null, false]]);
    expect(await atRef(`${acme}@~3`)).toEqual([[1, null, false]]);
    expect(await atRef(`${acme}@~4`)).toEqual([]);
    expect(await atRef(`${acme}@v3`)).toEqual([[3, null, false]]);
    expect(await atRef(`${acme}?v=3`)).toEqual([[3, null, false]]);
    expect(await atRef(`${acme}@v2`)).toEqual([]); // zeta's version
    // A date is the end of that day: v9 is dated 30 September although it was written last.
    expect(await atRef(`${acme}@2026-09-30`)).toEqual([[9, null, false]]);
    expect(await atRef(`${acme}@2026-10-01`)).toEqual([[1, null, false]]);
    expect(await atRef(`${acme}@2026-11-30`)).toEqual([[3, null, false]]);
    expect(await atRef(`${acme}@2026-12-01T00:00:00Z`)).toEqual([[3, null, false]]);
    expect(await atRef(`${acme}@2026-12-01T00:00:00.000001Z`)).toEqual([[8, null, false]]);
    expect(await atRef(`${acme}@2026-12-01T01:00:00.000001+01:00`)).toEqual([[8, null, false]]);
    expect(await atRef(`${acme}@2026-09-29`)).toEqual([]);
    // Branches: its own versions first; a thing it never wrote reads as main at the fork (given the base).
    expect(await atRef(`${A}/zeta@exp`)).toEqual([[5, 'exp', false]]);
    expect(await atRef(`${A}/zeta@exp`, { base: 4 })).toEqual([[5, 'exp', false]]);
    expect(await atRef(`${acme}@exp`)).toEqual([]);
    expect(await atRef(`${acme}@exp`, { base: 4 })).toEqual([[3, null, false]]);
    expect(await atRef(`${B}/gamma@exp`, { base: 2 })).toEqual([]);
    // Tombstones answer, marked deleted.
    expect(await atRef(`${B}/beta`)).toEqual([[4, null, true]]);
    expect(await atRef(`${B}/beta@exp`)).toEqual([[2, 'exp', false]]);
    const [idea] = normalizeRows(
      (await small.lake.engine.query(thingAtRef.render({ ref: `${A}/idea1` }).sql)).rows,
    );
    expect(idea).toMatchObject({ version: 7, deleted: true, data: null, type: `${A}/Idea` });
  });

  it('world_as_of: every thing current at a time, by time as a ref reads it', async () => {
    const world = async (at: string) =>
      normalizeRows((await small.lake.engine.query(worldAsOf.render({ at }).sql)).rows).map((r) => [
        r.thing,
        r.version,
      ]);
    expect(await world('2026-10-01')).toEqual([[`${A}/acme`, 1]]);
    expect(await world('2026-10-16')).toEqual([
      [`${A}/acme`, 3],
      [`${A}/idea1`, 4],
      [`${A}/zeta`, 2],
      [`${B}/beta`, 1],
      [`${B}/gamma`, 3],
    ]);
    // idea1 is deleted by then; acme reads v8 (its newest by time), though v9 was written after it.
    expect(await world('2026-12-31')).toEqual([
      [`${A}/acme`, 8],
      [`${A}/zeta`, 6],
      [`${B}/gamma`, 5],
    ]);
  });

  it('thing_diff: the changed top-level keys, before and after, on every engine alike', async () => {
    const registry = createViewRegistry(timeTravelViews);
    const diff = await registry.run(small.lake.engine, 'thing_diff', { thing: `${A}/acme`, from: 1, to: 8 });
    expect(diff.rows).toEqual([
      { key: 'city', change: 'changed', before: 'Berlin', after: 'Paris' },
      { key: 'raised', change: 'changed', before: 0, after: 5 },
      { key: 'stage', change: 'changed', before: 'seed', after: 'a' },
      { key: 'tags', change: 'added', before: null, after: ['x'] },
    ]);
    const same = await registry.run(small.lake.engine, 'thing_diff', { thing: `${A}/acme`, from: 3, to: 3 });
    expect(same.rows).toEqual([]);
    const gone = await registry.run(small.lake.engine, 'thing_diff', { thing: `${A}/idea1`, from: 4, to: 7 });
    expect(gone.rows).toEqual([{ key: 'title', change: 'removed', before: 'robots', after: null }]);
    const missing = await registry
      .run(small.lake.engine, 'thing_diff', { thing: `${A}/acme`, from: 1, to: 2 })
      .catch((e: unknown) => e);
    expect(isViewParamsError(missing)).toBe(true);
    expect((missing as Error).message).toContain('param "to"');
  });
});

describe('hostile params are refused by name before anything reaches the engine', () => {
  const refused: [string, { render(p: unknown): unknown }, unknown, string][] = [
    ['a local ref', thingAtRef, { ref: 'acme@v1' }, 'ref'],
    ['a ref that is a number', thingAtRef, { ref: 12 }, 'ref'],
    ['no ref', thingAtRef, {}, 'ref'],
    ['a ref with a space', thingAtRef, { ref: `${A}/acme@v1 OR 1=1` }, 'ref'],
    ['a ref with a statement', thingAtRef, { ref: `${A}/acme@v1;DROP` }, 'ref'],
    ['v0', thingAtRef, { ref: `${A}/acme@v0` }, 'ref'],
    ['a version too large', thingAtRef, { ref: `${A}/acme@v99999999999999999999` }, 'ref'],
    ['no calendar date', thingAtRef, { ref: `${A}/acme@2026-02-30` }, 'ref'],
    ['two @', thingAtRef, { ref: `${A}/acme@v1@v2` }, 'ref'],
    ['a negative base', thingAtRef, { ref: `${A}/acme@exp`, base: -1 }, 'base'],
    ['a fractional base', thingAtRef, { ref: `${A}/acme@exp`, base: 1.5 }, 'base'],
    ['a parent with a quote', thingAtRef, { ref: `${A}/acme@exp`, forkedFrom: "main'" }, 'forkedFrom'],
    ['an unknown param', thingAtRef, { ref: `${A}/acme`, version: 3 }, 'version'],
    ['a time that is no time', worldAsOf, { at: 'yesterday' }, 'at'],
    ['a negative time', worldAsOf, { at: -5 }, 'at'],
    ['no time', worldAsOf, {}, 'at'],
    ['a limit past the max', worldAsOf, { at: '2026-10-01', limit: 1e9 }, 'limit'],
    ['version 0', thingDiff, { thing: `${A}/acme`, from: 0, to: 1 }, 'from'],
    ['a version as text', thingDiff, { thing: `${A}/acme`, from: 1, to: '2' }, 'to'],
    ['a thing that is no URL', thingDiff, { thing: "acme'; --", from: 1, to: 2 }, 'thing'],
  ];
  it.each(refused)('%s', async (_label, view, params, param) => {
    expectParamsRefused(small, view, params, param);
  });

  it('a quote in a valid ref is a literal: it names no thing', async () => {
    expect(await atRef(`${A}/acme'or'1'='1@v1`)).toEqual([]);
  });
});
