/**
 * Conformance cases of the cross-DO views: params picked from the workload, answers from the oracles.
 *
 * @module
 */
import type { ThingRow } from '../../../../schemas/index.ts';
import {
  actionsOf,
  relationships,
  thingsCurrent,
  thingsWhere,
} from '../../../../views/library/cross-do/index.ts';
import {
  actionsOfOracle,
  type OraclePredicate,
  relationshipsOracle,
  thingsCurrentOracle,
  thingsWhereOracle,
} from '../oracles/cross-do.ts';
import { parsedParams } from '../oracles/lake-values.ts';
import type { ViewCase, Workload } from '../view-case.ts';

const ALL = 10_000;

/** The branch most versions were written on (other than main), if any. */
export function busiestBranch(w: Workload): string | undefined {
  const counts = new Map<string, number>();
  for (const t of w.things) if (t.branch !== null) counts.set(t.branch, (counts.get(t.branch) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
}

/** The type with the most versions. */
const busiestType = (w: Workload): string => {
  const counts = new Map<string, number>();
  for (const t of w.things) counts.set(t.type, (counts.get(t.type) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? w.types[0]!;
};

const objectData = (row: ThingRow): Record<string, unknown> | undefined => {
  const data = typeof row.data === 'string' ? JSON.parse(row.data) : row.data;
  return data !== null && typeof data === 'object' && !Array.isArray(data) ? data : undefined;
};

/** Predicates read off the newest main version of the busiest type that has a string and a number. */
function predicatesFrom(w: Workload, type: string): OraclePredicate[][] {
  const rows = w.things.filter((t) => t.type === type && t.branch === null && !t.deleted);
  let text: [string, string] | undefined;
  let number: [string, number] | undefined;
  for (const row of rows.slice().reverse()) {
    for (const [key, value] of Object.entries(objectData(row) ?? {})) {
      if (!/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key)) continue;
      if (!text && typeof value === 'string' && value.length >= 2) text = [key, value];
      if (!number && typeof value === 'number') number = [key, value];
    }
    if (text && number) break;
  }
  const sets: OraclePredicate[][] = [];
  if (text) {
    sets.push([{ path: `data.${text[0]}`, op: 'eq', value: text[1] }]);
    sets.push([{ path: `data.${text[0]}`, op: 'contains', value: text[1].slice(0, 2) }]);
    sets.push([{ path: `data.${text[0]}`, op: 'ne', value: text[1] }]);
  }
  if (number) {
    sets.push([{ path: `data.${number[0]}`, op: 'gte', value: number[1] }]);
    sets.push([
      { path: `data.${number[0]}`, op: 'gt', value: number[1] / 2 },
      { path: `data.${number[0]}`, op: 'lte', value: number[1] * 2 },
    ]);
    if (text)
      sets.push([
        { path: `data.${text[0]}`, op: 'eq', value: text[1] },
        { path: `data.${number[0]}`, op: 'lt', value: number[1] },
      ]);
  }
  return sets;
}

/** The (verb, type) pair with the most actions. */
function busiestAction(w: Workload): { verb: string; type: string } {
  const counts = new Map<string, number>();
  for (const a of w.actions)
    counts.set(JSON.stringify([a.verb, a.type]), (counts.get(JSON.stringify([a.verb, a.type])) ?? 0) + 1);
  const [key] = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
  const [verb, type] = JSON.parse(key) as [string, string];
  return { verb, type };
}

/** A window over the middle half of the workload's time span. */
function middle(w: Workload): { since: string; until: string } {
  const span = w.to.getTime() - w.from.getTime();
  return {
    since: new Date(w.from.getTime() + Math.floor(span / 4)).toISOString(),
    until: new Date(w.from.getTime() + Math.ceil((span * 3) / 4) + 1).toISOString(),
  };
}

/** The `index`-th row of an oracle's answer as a page cursor, or undefined. */
const nth = <R>(rows: R[], index: number): R | undefined => rows[Math.min(index, rows.length - 1)];

export const cases: ViewCase[] = [
  {
    name: 'things_current: every thing on main',
    view: thingsCurrent,
    params: { limit: ALL },
    expected: (w, p) => thingsCurrentOracle(w, parsedParams(thingsCurrent, p)),
  },
  {
    name: 'things_current: the busiest type, first page of 5',
    view: thingsCurrent,
    params: (w: Workload) => ({ type: busiestType(w), limit: 5 }),
    expected: (w, p) => thingsCurrentOracle(w, parsedParams(thingsCurrent, p)),
  },
  {
    name: 'things_current: the busiest type, the page after the 5th thing',
    view: thingsCurrent,
    params: (w: Workload) => {
      const first = thingsCurrentOracle(w, { type: busiestType(w), branch: 'main', limit: 5 });
      return { type: busiestType(w), limit: 5, ...(first.length ? { after: nth(first, 4)!.thing } : {}) };
    },
    expected: (w, p) => thingsCurrentOracle(w, parsedParams(thingsCurrent, p)),
  },
  {
    name: 'things_current: one namespace',
    view: thingsCurrent,
    params: (w: Workload) => ({ ns: w.namespaces[0], limit: ALL }),
    expected: (w, p) => thingsCurrentOracle(w, parsedParams(thingsCurrent, p)),
  },
  {
    name: 'things_current: the busiest branch',
    view: thingsCurrent,
    params: (w: Workload) => ({ branch: busiestBranch(w) ?? 'main', limit: ALL }),
    expected: (w, p) => thingsCurrentOracle(w, parsedParams(thingsCurrent, p)),
  },
  ...[0, 1, 2, 3, 4, 5].map(
    (i): ViewCase => ({
      name: `things_where: the busiest type, predicate set ${i + 1}`,
      view: thingsWhere,
      params: (w: Workload) => {
        const type = busiestType(w);
        const sets = predicatesFrom(w, type);
        return { type, where: sets[i % Math.max(sets.length, 1)] ?? [], limit: ALL };
      },
      expected: (w, p) => thingsWhereOracle(w, parsedParams(thingsWhere, p)),
    }),
  ),
  {
    name: 'things_where: a predicate on a missing property matches nothing',
    view: thingsWhere,
    params: (w: Workload) => ({
      type: busiestType(w),
      where: [{ path: 'data.no_such_key', op: 'ne', value: 'x' }],
    }),
    expected: (w, p) => thingsWhereOracle(w, parsedParams(thingsWhere, p)),
  },
  {
    name: 'actions_of: the busiest verb and type in the middle of the span',
    view: actionsOf,
    params: (w: Workload) => ({ ...busiestAction(w), ...middle(w), limit: ALL }),
    expected: (w, p) => actionsOfOracle(w, parsedParams(actionsOf, p)),
  },
  {
    name: 'actions_of: every outcome, all time, second page of 10',
    view: actionsOf,
    params: (w: Workload) => {
      const base = { ...busiestAction(w), status: 'any' as const, limit: 10 };
      const first = actionsOfOracle(w, { ...base, limit: 10 });
      const last = first[9];
      return last ? { ...base, after: { ts: last.ts, action_id: last.action_id } } : base;
    },
    expected: (w, p) => actionsOfOracle(w, parsedParams(actionsOf, p)),
  },
  {
    name: 'actions_of: failed ones',
    view: actionsOf,
    params: (w: Workload) => ({ ...busiestAction(w), status: 'failed', limit: ALL }),
    expected: (w, p) => actionsOfOracle(w, parsedParams(actionsOf, p)),
  },
  {
    name: 'relationships: both directions, first 200',
    view: relationships,
    params: { limit: 200 },
    expected: (w, p) => relationshipsOracle(w, parsedParams(relationships, p)),
  },
  {
    name: 'relationships: what the first actor did, forward, in the middle of the span',
    view: relationships,
    params: (w: Workload) => ({ direction: 'forward', from: w.actors[0], ...middle(w), limit: ALL }),
    expected: (w, p) => relationshipsOracle(w, parsedParams(relationships, p)),
  },
  {
    name: 'relationships: reverse edges of the busiest verb, the page after the 3rd',
    view: relationships,
    params: (w: Workload) => {
      const base = { direction: 'reverse' as const, verb: busiestAction(w).verb, limit: 50 };
      const third = relationshipsOracle(w, base)[2];
      return third
        ? { ...base, after: { from: third.from_id, relation: third.relation, to: third.to_id } }
        : base;
    },
    expected: (w, p) => relationshipsOracle(w, parsedParams(relationships, p)),
  },
];
