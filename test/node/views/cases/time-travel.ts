/**
 * Conformance cases of the time-travel views: refs of every form on the workload's busiest thing,
 * the world at several times, and diffs between versions.
 *
 * @module
 */
import type { ThingRow } from '../../../../schemas/index.ts';
import { thingAtRef, thingDiff, worldAsOf } from '../../../../views/library/time-travel/index.ts';
import { parsedParams } from '../oracles/lake-values.ts';
import { isoMicros } from '../oracles/lake-values.ts';
import { thingAtRefOracle, thingDiffOracle, worldAsOfOracle } from '../oracles/time-travel.ts';
import type { ViewCase, Workload } from '../view-case.ts';
import { busiestBranch } from './cross-do.ts';

const byVersion = (a: ThingRow, b: ThingRow): number => Number(a.version) - Number(b.version);

/** The thing with the most main versions, and those versions in order. */
const busiest = new WeakMap<Workload, { thing: string; versions: ThingRow[] }>();
function busiestThing(w: Workload): { thing: string; versions: ThingRow[] } {
  const known = busiest.get(w);
  if (known) return known;
  const byThing = new Map<string, ThingRow[]>();
  for (const t of w.things) {
    if (t.branch !== null) continue;
    const versions = byThing.get(t.thing);
    if (versions) versions.push(t);
    else byThing.set(t.thing, [t]);
  }
  const [thing, versions] = [...byThing].sort(
    (a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1),
  )[0]!;
  const found = { thing, versions: versions.sort(byVersion) };
  busiest.set(w, found);
  return found;
}

/**
 * A thing written on the busiest branch, and one in the same namespace the branch never wrote, with a
 * fork point (`base`) at that thing's first main version, so it inherits a version from main.
 */
function branchThings(w: Workload) {
  const branch = busiestBranch(w);
  const written = w.things.filter((t) => t.branch === branch).sort(byVersion);
  const first = written[0];
  const untouched = w.things
    .filter((t) => t.branch === null && t.ns === first?.ns && !written.some((b) => b.thing === t.thing))
    .sort(byVersion)[0];
  return { branch, first, untouched, base: untouched ? Number(untouched.version) : 0 };
}

const at = (view: typeof thingAtRef) => (w: Workload, p: unknown) =>
  thingAtRefOracle(w, parsedParams(view, p));

const refCases: [string, (w: Workload) => unknown][] = [
  ['current', (w) => ({ ref: busiestThing(w).thing })],
  ['@main', (w) => ({ ref: `${busiestThing(w).thing}@main` })],
  [
    '@v<second version>',
    (w) => {
      const { thing, versions } = busiestThing(w);
      return { ref: `${thing}@v${versions[Math.min(1, versions.length - 1)]!.version}` };
    },
  ],
  [
    '?v=<first version>',
    (w) => {
      const { thing, versions } = busiestThing(w);
      return { ref: `${thing}?v=${versions[0]!.version}` };
    },
  ],
  [
    '@v<a version of another thing> (no row)',
    (w) => {
      const { thing } = busiestThing(w);
      const other = w.things.find(
        (t) => t.thing !== thing && !w.things.some((u) => u.thing === thing && u.version === t.version),
      );
      return { ref: `${thing}@v${other?.version ?? 999_999_999}` };
    },
  ],
  ['@~1', (w) => ({ ref: `${busiestThing(w).thing}@~1` })],
  ['@~2', (w) => ({ ref: `${busiestThing(w).thing}@~2` })],
  [
    '@~<past the first> (no row)',
    (w) => {
      const { thing, versions } = busiestThing(w);
      return { ref: `${thing}@~${versions.length}` };
    },
  ],
  [
    '@<date of the middle version>',
    (w) => {
      const { thing, versions } = busiestThing(w);
      const middle = versions[Math.floor(versions.length / 2)]!;
      return { ref: `${thing}@${isoMicros(middle.ts).slice(0, 10)}` };
    },
  ],
  [
    '@<the instant of the second version, to the µs>',
    (w) => {
      const { thing, versions } = busiestThing(w);
      return { ref: `${thing}@${isoMicros(versions[Math.min(1, versions.length - 1)]!.ts)}` };
    },
  ],
  [
    '@<one µs before the first version> (no row)',
    (w) => {
      const { thing, versions } = busiestThing(w);
      const first = Math.min(...versions.map((v) => v.ts));
      return { ref: `${thing}@${isoMicros(first - 1)}` };
    },
  ],
  [
    '?v=<date of the last version>',
    (w) => {
      const { thing, versions } = busiestThing(w);
      return { ref: `${thing}?v=${isoMicros(versions.at(-1)!.ts).slice(0, 10)}` };
    },
  ],
  [
    '@<branch> on a thing it wrote',
    (w) => {
      const { branch, first } = branchThings(w);
      return { ref: `${first?.thing ?? busiestThing(w).thing}@${branch ?? 'main'}` };
    },
  ],
  [
    '@<branch> on a thing it never wrote, with its base',
    (w) => {
      const { branch, untouched, base } = branchThings(w);
      return { ref: `${untouched?.thing ?? busiestThing(w).thing}@${branch ?? 'main'}`, base };
    },
  ],
  [
    '@<branch> on a thing it never wrote, without a base (no row)',
    (w) => {
      const { branch, untouched } = branchThings(w);
      return { ref: `${untouched?.thing ?? busiestThing(w).thing}@${branch ?? 'main'}` };
    },
  ],
];

/** Times to ask the world at: a quarter, half and three quarters into the span, and a date. */
const worldTimes: [string, (w: Workload) => string | number][] = [
  [
    'a quarter in (epoch µs)',
    (w) => w.from.getTime() * 1000 + Math.floor(((w.to.getTime() - w.from.getTime()) * 1000) / 4),
  ],
  ['half way (RFC 3339)', (w) => new Date((w.from.getTime() + w.to.getTime()) / 2).toISOString()],
  [
    'the end of the middle day (a date)',
    (w) => new Date((w.from.getTime() + w.to.getTime()) / 2).toISOString().slice(0, 10),
  ],
  ['the end', (w) => w.to.getTime() * 1000 + 999],
];

export const cases: ViewCase[] = [
  ...refCases.map(
    ([label, params]): ViewCase => ({
      name: `thing_at_ref: ${label}`,
      view: thingAtRef,
      params,
      expected: at(thingAtRef),
    }),
  ),
  ...worldTimes.map(
    ([label, time]): ViewCase => ({
      name: `world_as_of: ${label}`,
      view: worldAsOf,
      params: (w: Workload) => ({ at: time(w), limit: 10_000 }),
      expected: (w, p) => worldAsOfOracle(w, parsedParams(worldAsOf, p)),
    }),
  ),
  {
    name: 'world_as_of: one type half way, the page after the 3rd thing',
    view: worldAsOf,
    params: (w: Workload) => {
      const base = {
        at: new Date((w.from.getTime() + w.to.getTime()) / 2).toISOString(),
        type: w.types[0],
        limit: 5,
      };
      const third = worldAsOfOracle(w, parsedParams(worldAsOf, base))[2];
      return third ? { ...base, after: third.thing } : base;
    },
    expected: (w, p) => worldAsOfOracle(w, parsedParams(worldAsOf, p)),
  },
  {
    name: 'thing_diff: the first and the last version of the busiest thing',
    view: thingDiff,
    params: (w: Workload) => {
      const { thing, versions } = busiestThing(w);
      return { thing, from: Number(versions[0]!.version), to: Number(versions.at(-1)!.version) };
    },
    expected: (w, p) => thingDiffOracle(w, parsedParams(thingDiff, p)),
  },
  {
    name: 'thing_diff: two consecutive versions, backwards',
    view: thingDiff,
    params: (w: Workload) => {
      const { thing, versions } = busiestThing(w);
      const i = Math.min(1, versions.length - 1);
      return { thing, from: Number(versions[i]!.version), to: Number(versions[0]!.version) };
    },
    expected: (w, p) => thingDiffOracle(w, parsedParams(thingDiff, p)),
  },
];
