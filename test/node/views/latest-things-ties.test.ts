import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { thingsCurrent } from '../../../views/library/cross-do/index.ts';
import { worldAsOf } from '../../../views/library/time-travel/index.ts';
import { eventsOf, normalizeRows, type Step, startSmallLake } from './small-lake.ts';

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
