/**
 * The cross-DO views computed in plain TypeScript over a workload: no SQL, only the definitions.
 *
 * @module
 */
import type { ActionRow, ThingRow } from '../../../../schemas/index.ts';
import type { Workload } from '../view-case.ts';
import { byText, isoMicros, jsonValue } from './lake-values.ts';

/** A predicate as the things_where view takes it. */
export interface OraclePredicate {
  path: string;
  op: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains';
  value: string | number | boolean;
}

const onBranch = (row: ThingRow, branch: string): boolean =>
  branch === 'main' ? row.branch === null : row.branch === branch;

/** A thing's row as the things views answer it. */
export const thingOut = (row: ThingRow) => ({
  thing: row.thing,
  ns: row.ns,
  type: row.type,
  branch: row.branch,
  version: Number(row.version),
  name: row.name,
  data: jsonValue(row.data),
  ts: isoMicros(row.ts),
});

/** Per thing, the row `better` prefers among `rows` (deduplicated by id first). */
function latestPerThing(rows: ThingRow[], better: (a: ThingRow, b: ThingRow) => boolean): ThingRow[] {
  const latest = new Map<string, ThingRow>();
  for (const row of rows) {
    const held = latest.get(row.thing);
    if (!held || better(row, held)) latest.set(row.thing, row);
  }
  return [...latest.values()];
}

const higherVersion = (a: ThingRow, b: ThingRow): boolean =>
  a.version !== b.version ? a.version > b.version : a.id > b.id;

/** Options shared by the latest-version oracles. */
export interface LatestOptions {
  type?: string | undefined;
  ns?: string | undefined;
  branch?: string;
  after?: string | undefined;
  limit: number;
  /** Keep only versions that satisfy this (e.g. written at or before a time). */
  candidate?: (row: ThingRow) => boolean;
  better?: (a: ThingRow, b: ThingRow) => boolean;
  where?: readonly OraclePredicate[];
}

/** Each thing's latest version among the candidates, tombstones excluded, by thing URL. */
export function latestThings(w: Workload, o: LatestOptions) {
  const candidates = w.things.filter(
    (row) =>
      onBranch(row, o.branch ?? 'main') &&
      (o.type === undefined || row.type === o.type) &&
      (o.ns === undefined || row.ns === o.ns) &&
      (o.candidate?.(row) ?? true),
  );
  return latestPerThing(candidates, o.better ?? higherVersion)
    .filter((row) => !row.deleted && (o.where ?? []).every((p) => holds(row, p)))
    .filter((row) => o.after === undefined || row.thing > o.after)
    .sort((a, b) => byText(a.thing, b.thing))
    .slice(0, o.limit)
    .map(thingOut);
}

/** The property a path names, or undefined. */
function property(row: ThingRow, path: string): unknown {
  if (path === 'name') return row.name ?? undefined;
  let value: unknown = jsonValue(row.data);
  for (const key of path.split('.').slice(1)) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Whether a predicate holds: the property must be a JSON value of the predicate value's type. */
function holds(row: ThingRow, p: OraclePredicate): boolean {
  const value = property(row, p.path);
  if (typeof value !== typeof p.value) return false;
  if (p.op === 'contains') return (value as string).includes(p.value as string);
  const a = value as string | number | boolean;
  const b = p.value;
  switch (p.op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'gt':
      return a > b;
    case 'gte':
      return a >= b;
    case 'lt':
      return a < b;
    case 'lte':
      return a <= b;
  }
}

/** things_current. */
export function thingsCurrentOracle(
  w: Workload,
  p: { type?: string; ns?: string; branch: string; after?: string; limit: number },
) {
  return latestThings(w, p);
}

/** things_where. */
export function thingsWhereOracle(
  w: Workload,
  p: { type: string; where: OraclePredicate[]; ns?: string; branch: string; after?: string; limit: number },
) {
  return latestThings(w, p);
}

/** actions_of: one row per action (its latest transition in range), by (ts, action_id). */
export function actionsOfOracle(
  w: Workload,
  p: {
    verb: string;
    type: string;
    since?: Date;
    until?: Date;
    status: string;
    actor?: string;
    after?: { ts: number; action_id: string };
    limit: number;
  },
) {
  const us = (d: Date) => d.getTime() * 1000;
  const read = w.actions.filter(
    (a) =>
      a.verb === p.verb &&
      a.type === p.type &&
      (p.since === undefined || a.ts >= us(p.since)) &&
      (p.until === undefined || a.ts < us(p.until)) &&
      (p.actor === undefined || a.actor === p.actor) &&
      (p.after === undefined ||
        a.ts > p.after.ts ||
        (a.ts === p.after.ts && a.action_id > p.after.action_id)),
  );
  const latest = new Map<string, ActionRow>();
  for (const a of read) {
    const held = latest.get(a.action_id);
    if (!held || a.transition > held.transition || (a.transition === held.transition && a.id > held.id))
      latest.set(a.action_id, a);
  }
  return [...latest.values()]
    .filter((a) => p.status === 'any' || a.status === p.status)
    .sort((a, b) => a.ts - b.ts || byText(a.action_id, b.action_id))
    .slice(0, p.limit)
    .map((a) => ({
      action_id: a.action_id,
      ns: a.ns,
      ts: isoMicros(a.ts),
      verb: a.verb,
      type: a.type,
      target: a.target,
      actor: a.actor,
      status: a.status,
      durability: a.durability,
      input_version: a.input_version,
      output_version: a.output_version,
      duration_ms: a.duration_ms,
    }));
}

/** relationships: edges from events with an actor, forward and reverse, counted. */
export function relationshipsOracle(
  w: Workload,
  p: {
    direction: 'forward' | 'reverse' | 'both';
    from?: string;
    verb?: string;
    type?: string;
    since?: Date;
    until?: Date;
    after?: { from: string; relation: string; to: string };
    limit: number;
  },
) {
  const us = (d: Date) => d.getTime() * 1000;
  const edges = new Map<
    string,
    {
      from_id: string;
      relation: string;
      to_id: string;
      type: string;
      ids: Set<string>;
      first: number;
      last: number;
    }
  >();
  const add = (from: string, relation: string, to: string, type: string, id: string, ts: number) => {
    const key = JSON.stringify([from, relation, to]);
    const edge = edges.get(key) ?? {
      from_id: from,
      relation,
      to_id: to,
      type,
      ids: new Set(),
      first: ts,
      last: ts,
    };
    edge.ids.add(id);
    edge.first = Math.min(edge.first, ts);
    edge.last = Math.max(edge.last, ts);
    if (type < edge.type) edge.type = type;
    edges.set(key, edge);
  };
  for (const e of w.events) {
    if (e.actor === null || e.actor === undefined) continue;
    if (p.verb !== undefined && e.verb !== p.verb) continue;
    if (p.type !== undefined && e.type !== p.type) continue;
    if (p.since !== undefined && e.ts < us(p.since)) continue;
    if (p.until !== undefined && e.ts >= us(p.until)) continue;
    if (p.direction !== 'reverse') add(e.actor, e.verb, e.target, e.type, e.id, e.ts);
    if (p.direction !== 'forward') add(e.target, `${e.verb}By`, e.actor, e.type, e.id, e.ts);
  }
  const a = p.after;
  const key = (e: { from_id: string; relation: string; to_id: string }) => [e.from_id, e.relation, e.to_id];
  const compare = (x: string[], y: string[]) =>
    byText(x[0]!, y[0]!) || byText(x[1]!, y[1]!) || byText(x[2]!, y[2]!);
  return [...edges.values()]
    .filter((e) => p.from === undefined || e.from_id === p.from)
    .filter((e) => a === undefined || compare(key(e), [a.from, a.relation, a.to]) > 0)
    .sort((x, y) => compare(key(x), key(y)))
    .slice(0, p.limit)
    .map((e) => ({
      from_id: e.from_id,
      relation: e.relation,
      to_id: e.to_id,
      type: e.type,
      events: e.ids.size,
      first_ts: isoMicros(e.first),
      last_ts: isoMicros(e.last),
    }));
}
