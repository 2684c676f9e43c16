/**
 * The time-travel views computed in plain TypeScript over a workload, following the Durable Object's
 * resolveRef case by case (ingest/refs/resolve-ref.ts), without SQL.
 *
 * @module
 */
import type { ThingRow } from '../../../../schemas/index.ts';
import type { ParsedRef } from '../../../../schemas/parse-ref.ts';
import type { Workload } from '../view-case.ts';
import { latestThings, thingOut } from './cross-do.ts';
import { byText, jsonValue } from './lake-values.ts';

const newestFirst = (a: ThingRow, b: ThingRow): number =>
  Number(b.version) - Number(a.version) || byText(b.id, a.id);

/** thing_at_ref: the version a ref names, or no row. */
export function thingAtRefOracle(
  w: Workload,
  p: { ref: ParsedRef; ns?: string; base?: number; forkedFrom: string },
) {
  const versions = w.things.filter(
    (row) => row.thing === p.ref.thing && (p.ns === undefined || row.ns === p.ns),
  );
  const main = versions.filter((row) => row.branch === null).sort(newestFirst);
  const s = p.ref.selector;
  let found: ThingRow | undefined;
  if (s.kind === 'current' || (s.kind === 'branch' && s.name === 'main')) found = main[0];
  else if (s.kind === 'branch') {
    const parent = p.forkedFrom === 'main' ? null : p.forkedFrom;
    found =
      versions.filter((row) => row.branch === s.name).sort(newestFirst)[0] ??
      (p.base === undefined
        ? undefined
        : versions.filter((row) => row.branch === parent && row.version <= p.base!).sort(newestFirst)[0]);
  } else if (s.kind === 'version')
    found = versions.filter((row) => Number(row.version) === s.version).sort(newestFirst)[0];
  else if (s.kind === 'relative') found = main[s.back];
  else found = main.filter((row) => row.ts <= s.micros).sort((a, b) => b.ts - a.ts || newestFirst(a, b))[0];
  return found ? [{ ...thingOut(found), deleted: found.deleted }] : [];
}

/** world_as_of: every thing's main version current at `at` (µs), tombstones excluded. */
export function worldAsOfOracle(
  w: Workload,
  p: { at: number; type?: string; ns?: string; after?: string; limit: number },
) {
  return latestThings(w, {
    ...p,
    branch: 'main',
    candidate: (row) => row.ts <= p.at,
    better: (a, b) =>
      a.ts !== b.ts ? a.ts > b.ts : a.version !== b.version ? a.version > b.version : a.id > b.id,
  });
}

const sameJson = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
};

/** thing_diff: the top-level keys that differ between two versions, by key. */
export function thingDiffOracle(w: Workload, p: { thing: string; from: number; to: number; ns?: string }) {
  const data = (version: number): Record<string, unknown> => {
    const row = w.things.find(
      (r) => r.thing === p.thing && Number(r.version) === version && (p.ns === undefined || r.ns === p.ns),
    );
    if (!row) throw new Error(`the workload has no version ${version} of ${p.thing}`);
    const value = jsonValue(row.data);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  };
  const before = data(p.from);
  const after = data(p.to);
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .sort(byText)
    .filter((key) => !(key in before && key in after && sameJson(before[key], after[key])))
    .map((key) => ({
      key,
      change: key in before && key in after ? 'changed' : key in after ? 'added' : 'removed',
      before: key in before ? before[key] : null,
      after: key in after ? after[key] : null,
    }));
}
