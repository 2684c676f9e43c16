import type { z } from 'zod';
import { columnsOf, type LakeType } from '../columns.ts';
import { duckDbTypeOf } from './to-duckdb-ddl.ts';
import { r2SqlTypeOf } from './to-r2-sql-types.ts';

/** One version of a table, and the relation it is read from (e.g. `analytics.events_v2`). */
export interface TableVersion {
  from: string;
  table: z.ZodObject;
}

/** Per-call options of {@link toUnionSelect}. */
export interface UnionSelectOptions {
  /** Whose type names the NULL casts use; default `r2sql`. */
  dialect?: 'r2sql' | 'duckdb';
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * A SELECT that reads every version of a table as one relation, matching columns by name: a column a
 * version lacks reads as a typed NULL. This is how readers see `events` and `events_v2` together after a
 * breaking change. A column whose type differs between versions cannot be unioned; the error names it.
 *
 * @example
 * ```ts
 * import { eventRow, toUnionSelect } from '../index.ts';
 * toUnionSelect([
 *   { from: 'analytics.events', table: eventRow },
 *   { from: 'analytics.events_v2', table: eventsV2 },
 * ]); // SELECT "schema_version", ... FROM analytics.events UNION ALL SELECT ... FROM analytics.events_v2
 * ```
 */
export function toUnionSelect(versions: readonly TableVersion[], options: UnionSelectOptions = {}): string {
  if (versions.length === 0) throw new Error('toUnionSelect: no table versions given');
  const typeName = (t: LakeType): string =>
    options.dialect === 'duckdb' ? duckDbTypeOf(t) : r2SqlTypeOf(t).sqlType;
  const types = new Map<string, { lakeType: LakeType; from: string }>();
  const perVersion = versions.map((version) => {
    const columns = new Map(columnsOf(version.table).map((c) => [c.name, c.lakeType]));
    for (const [name, lakeType] of columns) {
      const seen = types.get(name);
      if (!seen) types.set(name, { lakeType, from: version.from });
      else if (seen.lakeType !== lakeType) {
        throw new Error(
          `column "${name}" is ${seen.lakeType} in ${seen.from} but ${lakeType} in ${version.from}: ` +
            'versions can only be unioned by name when a column keeps its type; give the new type a new name',
        );
      }
    }
    return { from: version.from, columns };
  });
  return perVersion
    .map(({ from, columns }) => {
      const list = [...types].map(([name, { lakeType }]) =>
        columns.has(name) ? quoteIdent(name) : `CAST(NULL AS ${typeName(lakeType)}) AS ${quoteIdent(name)}`,
      );
      return `SELECT ${list.join(', ')} FROM ${from}`;
    })
    .join('\nUNION ALL\n');
}
