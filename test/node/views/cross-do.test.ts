import { describe, expect, it } from 'vitest';
import {
  actionsOf,
  crossDoViews,
  relationships,
  thingsCurrent,
  thingsWhere,
} from '../../../views/library/cross-do/index.ts';
import { cases } from './cases/cross-do.ts';
import { thingsWhereOracle } from './oracles/cross-do.ts';
import { runCases } from './run-cases.ts';
import { A, B, expectParamsRefused, normalizeRows, useSmallLake } from './small-lake.ts';

const small = useSmallLake();
const STARTUP_A = `${A}/Startup`;

describe('the cross-DO views on a small lake (DuckDB in R2 SQL dialect)', () => {
  it('answer every conformance case as the oracles do, duplicates delivered and all', async () => {
    expect(small.w.delivered.length).toBeGreaterThan(small.w.events.length);
    const sizes = await runCases(small.lake.engine, small.w, cases);
    // The cases are not vacuous: most of them answer rows (a few ask for what is not there).
    const empty = [...sizes].filter(([, n]) => n === 0).map(([name]) => name);
    expect(empty.length, `empty: ${empty.join('; ')}`).toBeLessThanOrEqual(Math.floor(cases.length / 4));
  });

  it('things_current: latest version per thing, tombstones out, branches apart', async () => {
    const run = async (params: unknown) =>
      normalizeRows((await small.lake.engine.query(thingsCurrent.render(params).sql)).rows);
    const main = await run({});
    // acme's newest version is the one written last (v9), although its time is the earliest; the
    // failed raise wrote no version.
    expect(main.map((r) => [r.thing, r.version])).toEqual([
      [`${A}/acme`, 9],
      [`${A}/zeta`, 6],
      [`${B}/gamma`, 5],
    ]);
    expect(main[0]).toMatchObject({ data: { stage: 'a', raised: 12, city: 'Paris' }, name: 'Acme' });
    const exp = await run({ branch: 'exp' });
    expect(exp.map((r) => [r.thing, r.version, r.branch])).toEqual([
      [`${A}/zeta`, 5, 'exp'],
      [`${B}/beta`, 2, 'exp'],
    ]);
    expect((await run({ type: `${A}/Idea` })).length).toBe(0);
    expect((await run({ limit: 2 })).map((r) => r.thing)).toEqual([`${A}/acme`, `${A}/zeta`]);
    expect((await run({ after: `${A}/zeta` })).map((r) => r.thing)).toEqual([`${B}/gamma`]);
  });

  it('things_where: predicates test the current version, with JSON types kept apart', async () => {
    const run = async (where: unknown, type = STARTUP_A) =>
      normalizeRows((await small.lake.engine.query(thingsWhere.render({ type, where }).sql)).rows).map(
        (r) => r.thing,
      );
    expect(await run([{ path: 'data.stage', op: 'eq', value: 'a' }])).toEqual([`${A}/acme`]);
    // zeta was stage a only on the branch; on main it is b now.
    expect(await run([{ path: 'data.stage', op: 'eq', value: 'b' }])).toEqual([`${A}/zeta`]);
    expect(await run([{ path: 'data.raised', op: 'gt', value: 7 }])).toEqual([`${A}/acme`]);
    expect(await run([{ path: 'data.raised', op: 'gte', value: 7 }])).toEqual([`${A}/acme`, `${A}/zeta`]);
    expect(await run([{ path: 'data.city', op: 'contains', value: 'ari' }])).toEqual([`${A}/acme`]);
    // ne needs the property: zeta has no city.
    expect(await run([{ path: 'data.city', op: 'ne', value: 'Berlin' }])).toEqual([`${A}/acme`]);
    // A number never equals a string property, even when it reads the same.
    expect(await run([{ path: 'data.stage', op: 'eq', value: 1 }])).toEqual([]);
    expect(await run([{ path: 'data.open', op: 'eq', value: true }], `${B}/Startup`)).toEqual([`${B}/gamma`]);
    expect(await run([{ path: 'name', op: 'eq', value: 'Zeta' }])).toEqual([`${A}/zeta`]);
    const where = [{ path: 'data.stage', op: 'eq', value: 'b' }] as const;
    expect(await run(where)).toEqual(
      thingsWhereOracle(small.w, thingsWhere.parseParams({ type: STARTUP_A, where })).map((r) => r.thing),
    );
  });

  it('actions_of: every Startup that raised in Q4, from the actions table', async () => {
    const run = async (params: Record<string, unknown>) =>
      normalizeRows(
        (
          await small.lake.engine.query(
            actionsOf.render({
              verb: 'raised',
              type: STARTUP_A,
              since: '2026-10-01',
              until: '2027-01-01',
              ...params,
            }).sql,
          )
        ).rows,
      );
    // acme's raise dated 30 September is outside Q4; zeta's failed raise is not a raise.
    expect((await run({})).map((r) => [r.target, r.status])).toEqual([
      [`${A}/acme`, 'completed'],
      [`${A}/zeta`, 'completed'],
    ]);
    expect((await run({ status: 'any' })).map((r) => r.status)).toEqual(['completed', 'failed', 'completed']);
    expect((await run({ status: 'failed' })).map((r) => r.output_version)).toEqual([null]);
    const [first] = await run({ limit: 1 });
    expect(first!.ts).toBe('2026-10-15T12:00:00.000250Z');
    const next = await run({ after: { ts: first!.ts, action_id: first!.action_id }, status: 'any' });
    expect(next.map((r) => r.target)).toEqual([`${A}/zeta`, `${A}/zeta`]);
  });

  it('relationships: actor —verb→ target and target —verbBy→ actor', async () => {
    const run = async (params: unknown) =>
      normalizeRows((await small.lake.engine.query(relationships.render(params).sql)).rows);
    const nathan = await run({ from: 'https://auth.dev/nathan', direction: 'forward' });
    expect(nathan.map((r) => [r.relation, r.to_id, r.events])).toEqual([
      ['created', `${A}/acme`, 1],
      ['created', `${B}/beta`, 1],
      ['deleted', `${B}/beta`, 1],
      ['liked', `${B}/gamma`, 1],
      ['raised', `${A}/acme`, 1],
      ['raised', `${A}/zeta`, 2],
      ['updated', `${B}/beta`, 1],
    ]);
    const acme = await run({ from: `${A}/acme` });
    expect(acme.map((r) => [r.relation, r.to_id])).toEqual([
      ['createdBy', 'https://auth.dev/nathan'],
      ['raisedBy', 'https://auth.dev/nathan'],
      ['raisedBy', 'https://auth.dev/priya'],
    ]);
    expect(await run({ direction: 'reverse', from: 'https://auth.dev/nathan' })).toEqual([]);
  });
});

describe('hostile params are refused by name before anything reaches the engine', () => {
  const refused: [string, { render(p: unknown): unknown }, unknown, string][] = [
    ['a wrong type', thingsCurrent, { limit: '10' }, 'limit'],
    ['out of range', thingsCurrent, { limit: 10_001 }, 'limit'],
    ['zero', thingsCurrent, { limit: 0 }, 'limit'],
    ['an unknown param', thingsCurrent, { tpye: STARTUP_A }, 'tpye'],
    ['a type that is no URL', thingsCurrent, { type: "x' OR 1=1 --" }, 'type'],
    ['a branch with a quote', thingsCurrent, { branch: "main' --" }, 'branch'],
    ['a cursor that is no URL', thingsCurrent, { after: 'a); DROP TABLE things; --' }, 'after'],
    ['a missing type', thingsWhere, { where: [] }, 'type'],
    [
      'a path with SQL in it',
      thingsWhere,
      { type: STARTUP_A, where: [{ path: "data.x') --", op: 'eq', value: 1 }] },
      'where.0.path',
    ],
    [
      'a path outside data',
      thingsWhere,
      { type: STARTUP_A, where: [{ path: 'ns', op: 'eq', value: 'x' }] },
      'where.0.path',
    ],
    [
      'an unknown op',
      thingsWhere,
      { type: STARTUP_A, where: [{ path: 'data.a', op: 'like', value: 'x' }] },
      'where.0.op',
    ],
    [
      'an object value',
      thingsWhere,
      { type: STARTUP_A, where: [{ path: 'data.a', op: 'eq', value: { $ne: 1 } }] },
      'where.0.value',
    ],
    [
      'contains with a number',
      thingsWhere,
      { type: STARTUP_A, where: [{ path: 'data.a', op: 'contains', value: 1 }] },
      'where.0.value',
    ],
    [
      'gt with a boolean',
      thingsWhere,
      { type: STARTUP_A, where: [{ path: 'data.a', op: 'gt', value: true }] },
      'where.0.op',
    ],
    [
      'an extra predicate key',
      thingsWhere,
      { type: STARTUP_A, where: [{ path: 'data.a', op: 'eq', value: 1, raw: 'x' }] },
      'where.0.raw',
    ],
    [
      'too many predicates',
      thingsWhere,
      { type: STARTUP_A, where: Array.from({ length: 9 }, () => ({ path: 'data.a', op: 'eq', value: 1 })) },
      'where',
    ],
    ['a verb with SQL in it', actionsOf, { verb: "raised' OR '1'='1", type: STARTUP_A }, 'verb'],
    ['a bad time', actionsOf, { verb: 'raised', type: STARTUP_A, since: 'yesterday' }, 'since'],
    [
      'a bad cursor time',
      actionsOf,
      { verb: 'raised', type: STARTUP_A, after: { ts: '2026-10-01 00:00', action_id: `${A}/actions/i/1` } },
      'after.ts',
    ],
    ['an unknown status', actionsOf, { verb: 'raised', type: STARTUP_A, status: 'done' }, 'status'],
    ['an unknown direction', relationships, { direction: 'sideways' }, 'direction'],
    ['a NaN limit', relationships, { limit: Number.NaN }, 'limit'],
  ];
  it.each(refused)('%s', async (_label, view, params, param) => {
    const error = expectParamsRefused(small, view, params, param);
    expect(error.message).toContain(`"${param}"`);
  });

  it('a quote inside a valid value is a literal, never SQL', async () => {
    const rows = (
      await small.lake.engine.query(
        thingsWhere.render({
          type: STARTUP_A,
          where: [{ path: 'data.stage', op: 'eq', value: "seed' OR '1'='1" }],
        }).sql,
      )
    ).rows;
    expect(rows).toEqual([]);
    const quoted = normalizeRows(
      (
        await small.lake.engine.query(
          thingsWhere.render({
            type: `${B}/Startup`,
            branch: 'exp',
            where: [{ path: 'data.stage', op: 'eq', value: "seed's" }],
          }).sql,
        )
      ).rows,
    );
    expect(quoted.map((r) => r.thing)).toEqual([`${B}/beta`]);
  });

  it('every view in the family is listed', () => {
    expect(crossDoViews.map((v) => v.key)).toEqual([
      'things_current@1',
      'things_where@1',
      'actions_of@1',
      'relationships@1',
    ]);
  });
});
