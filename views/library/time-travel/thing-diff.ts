import { z } from 'zod';
import { sql } from '../../../sql/index.ts';
import { defineView } from '../../define-view.ts';
import { ViewParamsError } from '../../view-params.ts';
import { urlParam } from '../cross-do/lake-params.ts';

/** A row of {@link thingDiff}: one top-level data key that differs between the two versions. */
export const dataChangeShape = z.object({
  key: z.string(),
  change: z.enum(['added', 'removed', 'changed']),
  before: z.unknown(),
  after: z.unknown(),
});

/** A row of {@link thingDiff}. */
export type DataChange = z.output<typeof dataChangeShape>;

const version = () => z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const asObject = (data: unknown): Record<string, unknown> => {
  const value = typeof data === 'string' ? JSON.parse(data) : data;
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
};

// Key order inside objects is not a difference: compare values in a canonical form.
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );

/**
 * The changed top-level data keys between two versions of a thing, with their values before and after
 * (`null` where the key is absent; `change` says `added`, `removed` or `changed`), by key. The SQL reads
 * the two versions; the comparison is the view's own step (R2 SQL cannot list a JSON object's keys),
 * identical on every engine. A tombstone's data counts as no keys. A version the thing does not have
 * is refused, naming `from` or `to`.
 *
 * @example
 * ```ts
 * import { thingDiff } from './thing-diff.ts';
 * thingDiff.finish([{ version: 1, data: '{"a":1,"b":2}' }, { version: 3, data: '{"b":3,"c":4}' }], { thing: 'https://x.test/acme', from: 1, to: 3 }).map((c) => c.key); // ['a', 'b', 'c']
 * ```
 */
export const thingDiff = defineView({
  name: 'thing_diff',
  description: 'The top-level data keys that changed between two versions of a thing',
  params: z.object({
    thing: urlParam().describe('the thing’s URL'),
    from: version().describe('the version before'),
    to: version().describe('the version after'),
    ns: urlParam().optional().describe('only versions written by this namespace'),
  }),
  row: dataChangeShape,
  sql: ({ params, table }) =>
    sql`SELECT version, data
FROM (SELECT DISTINCT ON (id) id, version, data FROM ${table('things')} AS t
  WHERE thing = ${params.thing} AND version IN ${[params.from, params.to]}${params.ns === undefined ? sql`` : sql` AND ns = ${params.ns}`}) AS deduped
ORDER BY version, id
LIMIT 4`,
  finish: (rows, params) => {
    const at = (v: number, param: 'from' | 'to') => {
      const row = rows.find((r) => Number(r.version) === v);
      if (!row)
        throw new ViewParamsError('thing_diff@1', [
          { param, message: `${params.thing} has no version ${v}` },
        ]);
      return asObject(row.data);
    };
    const before = at(params.from, 'from');
    const after = at(params.to, 'to');
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    const changes: DataChange[] = [];
    for (const key of keys) {
      const had = key in before;
      const has = key in after;
      if (had && has && canonical(before[key]) === canonical(after[key])) continue;
      changes.push({
        key,
        change: had && has ? 'changed' : has ? 'added' : 'removed',
        before: had ? before[key] : null,
        after: has ? after[key] : null,
      });
    }
    return changes;
  },
  samples: [{ thing: 'https://x.test/acme', from: 1, to: 2 }],
});
