import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thingsCurrent } from '../../../views/library/cross-do/index.ts';
import { worldAsOf } from '../../../views/library/time-travel/index.ts';
import type { EventRow } from '../../../schemas/index.ts';
import { thingsCurrentOracle } from './oracles/cross-do.ts';
import { worldAsOfOracle } from './oracles/time-travel.ts';
import { eventsOf, normalizeRows, type Step, startSmallLake, workloadOf } from './small-lake.ts';

// One request of a Durable Object sees one frozen clock, so an update and a delete of the same thing
// can carry the same ts: the newest-by-ts pick then rests on the version, which the heads' key alone
// cannot tell. Such a thing must neither hide a live thing nor shorten a page.
const A = 'https://a.startups.studio';
const T = 1_790_000_000_000_000;
const steps: Step[] = [
  { ns: A, verb: 'created', type: 'Startup', target: 'a-tied-dead', ts: T, data: { n: 1 } },
  { ns: A, verb: 'deleted', type: 'Startup', target: 'a-tied-dead', ts: T + 10 },
  { ns: A, verb: 'updated', type: 'Startup', target: 'a-tied-dead', ts: T + 10, data: { n: 2 } },
  { ns: A, verb: 'deleted', type: 'Startup', target: 'a-tied-dead', ts: T + 10 },
  { ns: A, verb: 'created', type: 'Startup', target: 'b-alive', ts: T, data: { n: 3 } },
  { ns: A, verb: 'deleted', type: 'Startup', target: 'c-tied-alive', ts: T + 20 },
  { ns: A, verb: 'created', type: 'Startup', target: 'c-tied-alive', ts: T + 20, data: { n: 4 } },
  { ns: A, verb: 'created', type: 'Startup', target: 'd-alive', ts: T + 30, data: { n: 5 } },
  { ns: A, verb: 'deleted', type: 'Startup', target: 'e-dead', ts: T + 40 },
];

let lake: Awaited<ReturnType<typeof startSmallLake>>;
beforeAll(async () => {
  const events = eventsOf(steps);
  lake = await startSmallLake([...events, events[2]!, events[6]!]);
});
afterAll(async () => lake?.close());

const things = async (view: typeof worldAsOf | typeof thingsCurrent, params: unknown) =>
  normalizeRows((await lake.engine.query(view.render(params).sql)).rows).map((r) => [r.thing, r.version]);

describe('the latest version of things, when a live row and a tombstone share the newest time', () => {
  it('world_as_of breaks the tie by version: a thing deleted last is out, one re-created last is in', async () => {
    const at = T + 1000;
    expect(await things(worldAsOf, { at })).toEqual([
      [`${A}/b-alive`, 5],
      [`${A}/c-tied-alive`, 7],
      [`${A}/d-alive`, 8],
    ]);
    // Every page is full while things remain, whatever tied things sit before it.
    expect(await things(worldAsOf, { at, limit: 1 })).toEqual([[`${A}/b-alive`, 5]]);
    expect(await things(worldAsOf, { at, limit: 2, after: `${A}/b-alive` })).toEqual([
      [`${A}/c-tied-alive`, 7],
      [`${A}/d-alive`, 8],
    ]);
    // Before the tie, the first version is the current one.
    expect(await things(worldAsOf, { at: T + 5 })).toEqual([
      [`${A}/a-tied-dead`, 1],
      [`${A}/b-alive`, 5],
    ]);
  });

  it('things_current takes the highest version, duplicates delivered and all', async () => {
    expect(await things(thingsCurrent, {})).toEqual([
      [`${A}/b-alive`, 5],
      [`${A}/c-tied-alive`, 7],
      [`${A}/d-alive`, 8],
    ]);
    expect(await things(thingsCurrent, { limit: 1 })).toEqual([[`${A}/b-alive`, 5]]);
  });
});

// Rows of one thing tied on every key but `id` (same ts and version, different version refs): the
// stack never writes them, but a lake may hold them, and then the highest id answers, as the full
// order says. Whether its row is live or a tombstone decides whether the thing answers at all.
const C = 'https://c.startups.studio';
const U = 1_790_100_000_000_000;
const held = eventsOf([
  { ns: C, verb: 'created', type: 'Startup', target: 'k-same-ts', ts: U, data: { n: 1 } },
  { ns: C, verb: 'updated', type: 'Startup', target: 'k-same-ts', ts: U + 10, data: { n: 2 } },
  { ns: C, verb: 'created', type: 'Startup', target: 'm-dead-wins', ts: U, data: { n: 4 } },
  { ns: C, verb: 'created', type: 'Startup', target: 'q-live-wins', ts: U, data: { n: 6 } },
  { ns: C, verb: 'deleted', type: 'Startup', target: 'q-live-wins', ts: U + 10 },
  { ns: C, verb: 'created', type: 'Startup', target: 'r-version-tie', ts: U, data: { n: 8 } },
]);
/** Another event writing the same thing and version number as `of`, under another version ref. */
function rival(of: EventRow, seq: number, ref: string, patch: Partial<EventRow>): EventRow {
  const version = of.output_version!.split('@v')[1];
  return {
    ...of,
    id: `${C}/events/inc-1/${seq}`,
    seq,
    action_id: `${C}/actions/inc-1/${seq}`,
    output_version: `${C}/${ref}@v${version}`,
    ...patch,
  };
}
const rivals = [
  rival(held[1]!, 101, 'z-rival', { data: { n: 3 } }),
  rival(held[2]!, 102, 'z-rival', { verb: 'deleted', event: 'Startup.deleted', data: null, deleted: true }),
  rival(held[4]!, 103, 'z-rival', {
    verb: 'updated',
    event: 'Startup.updated',
    data: { n: 7 },
    deleted: false,
  }),
  // A lower id at a later time: the newest by ts answers world_as_of, the highest id things_current.
  rival(held[5]!, 104, 'a-rival', { data: { n: 9 }, ts: U + 50 }),
];

describe('the latest version of things, when rows tie on every key but the version id', () => {
  let conflicted: Awaited<ReturnType<typeof startSmallLake>>;
  const delivered = [...held, ...rivals, rivals[0]!, held[1]!];
  beforeAll(async () => {
    conflicted = await startSmallLake(delivered);
  });
  afterAll(async () => conflicted?.close());
  const rows = async (view: typeof worldAsOf | typeof thingsCurrent, params: unknown) =>
    normalizeRows((await conflicted.engine.query(view.render(params).sql)).rows).map((r) => [
      r.thing,
      r.version,
      r.data,
    ]);
  const oracle = (found: ReturnType<typeof worldAsOfOracle>) =>
    found.map((r) => [r.thing, r.version, r.data]);

  it('world_as_of takes the highest id among rows of the newest time and version', async () => {
    const expected = [
      [`${C}/k-same-ts`, 2, { n: 3 }],
      [`${C}/q-live-wins`, 5, { n: 7 }],
      [`${C}/r-version-tie`, 6, { n: 9 }],
    ];
    expect(await rows(worldAsOf, { at: U + 1000 })).toEqual(expected);
    expect(oracle(worldAsOfOracle(workloadOf(delivered), { at: U + 1000, limit: 500 }))).toEqual(expected);
    expect(await rows(worldAsOf, { at: U + 1000, limit: 1, after: `${C}/k-same-ts` })).toEqual([expected[1]]);
  });

  it('things_current takes the highest id among rows of the highest version, whatever their times', async () => {
    const expected = [
      [`${C}/k-same-ts`, 2, { n: 3 }],
      [`${C}/q-live-wins`, 5, { n: 7 }],
      [`${C}/r-version-tie`, 6, { n: 8 }],
    ];
    expect(await rows(thingsCurrent, {})).toEqual(expected);
    expect(oracle(thingsCurrentOracle(workloadOf(delivered), { branch: 'main', limit: 500 }))).toEqual(
      expected,
    );
  });
});
