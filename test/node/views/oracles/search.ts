/**
 * The independent answer of `search_things`, in plain TypeScript over the lake's `things` rows as
 * delivered. Lower-casing is JavaScript's (the engines' `lower` agrees on ASCII). The cursor is the
 * view's published format (base64url of `[rank, name, id]`), so it is encoded with the view's own
 * encoder; everything else is computed here.
 *
 * @module
 */
import type { ThingRow } from '../../../../schemas/index.ts';
import { encodeSearchCursor, type SearchCursor } from '../../../../views/library/search/index.ts';
import { codePointOrder, isoMicros } from './oracle-time.ts';

/** The params the oracle takes: `search_things`'s after parsing. */
export interface SearchOracleParams {
  text?: string;
  fields: string[];
  type?: string;
  where: { field: string; op: 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte'; value: string | number | boolean }[];
  branch: string;
  since?: Date;
  cursor?: SearchCursor;
  limit: number;
}

/** One answered row. */
export interface SearchOracleRow extends Record<string, unknown> {
  thing: string;
  id: string;
  ns: string;
  type: string;
  branch: string | null;
  name: string | null;
  version: number;
  ts: string;
  data: unknown;
  rank: number;
  cursor: string;
}

function propertyAt(data: unknown, path: string): unknown {
  let value: unknown = typeof data === 'string' ? JSON.parse(data) : data;
  for (const key of path.split('.').slice(1)) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function holds(data: unknown, w: SearchOracleParams['where'][number]): boolean {
  const v = propertyAt(data, w.field);
  if (typeof v !== typeof w.value) return false;
  switch (w.op) {
    case 'eq':
      return v === w.value;
    case 'ne':
      return v !== w.value;
    case 'lt':
      return (v as number) < (w.value as number);
    case 'lte':
      return (v as number) <= (w.value as number);
    case 'gt':
      return (v as number) > (w.value as number);
    case 'gte':
      return (v as number) >= (w.value as number);
  }
}

function rankOf(thing: ThingRow, p: SearchOracleParams): number | undefined {
  if (p.text === undefined) return 0;
  const text = p.text.toLowerCase();
  const name = thing.name?.toLowerCase();
  if (name !== undefined && name === text) return 1;
  if (name?.startsWith(text)) return 2;
  if (name?.includes(text)) return 3;
  for (const field of p.fields) {
    const v = propertyAt(thing.data, field);
    if (typeof v === 'string' && v.toLowerCase().includes(text)) return 4;
  }
  return undefined;
}

const newer = (a: ThingRow, b: ThingRow): boolean =>
  a.ts !== b.ts
    ? a.ts > b.ts
    : a.version !== b.version
      ? a.version > b.version
      : codePointOrder(a.id, b.id) > 0;

function compare(a: SearchOracleRow, b: { rank: number; name: string | null; id: string }): number {
  return a.rank - b.rank || codePointOrder(a.name ?? '', b.name ?? '') || codePointOrder(a.id, b.id);
}

/** Every matching thing, ranked, ignoring `cursor` and `limit`: the list every page is a slice of. */
export function searchAllOracle(delivered: readonly ThingRow[], p: SearchOracleParams): SearchOracleRow[] {
  const current = new Map<string, ThingRow>();
  for (const t of delivered) {
    const onBranch = p.branch === 'main' ? t.branch === null || t.branch === 'main' : t.branch === p.branch;
    if (!onBranch || (p.type !== undefined && t.type !== p.type)) continue;
    if (p.since !== undefined && t.ts < p.since.getTime() * 1000) continue;
    const seen = current.get(t.thing);
    if (!seen || newer(t, seen)) current.set(t.thing, t);
  }
  const rows: SearchOracleRow[] = [];
  for (const t of current.values()) {
    if (t.deleted || !p.where.every((w) => holds(t.data, w))) continue;
    const rank = rankOf(t, p);
    if (rank === undefined) continue;
    rows.push({
      thing: t.thing,
      id: t.id,
      ns: t.ns,
      type: t.type,
      branch: t.branch,
      name: t.name,
      version: Number(t.version),
      ts: isoMicros(t.ts),
      data: t.data,
      rank,
      cursor: encodeSearchCursor({ rank, name: t.name ?? '', id: t.id }),
    });
  }
  return rows.sort(compare);
}

/** One page: the rows after `cursor`, at most `limit`. */
export function searchOracle(delivered: readonly ThingRow[], p: SearchOracleParams): SearchOracleRow[] {
  const all = searchAllOracle(delivered, p);
  const after = p.cursor;
  return (after ? all.filter((row) => compare(row, after) > 0) : all).slice(0, p.limit);
}
