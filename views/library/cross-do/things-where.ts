import { z } from 'zod';
import { sql } from '../../../sql/index.ts';
import { defineView } from '../../define-view.ts';
import { branchParam, branchSql, urlParam } from './lake-params.ts';
import { latestThingsPageParams, latestThingsSql } from './latest-things-sql.ts';
import { predicateSql, predicatesParam } from './property-predicates.ts';
import { thingRowShape } from './things-current.ts';

/**
 * Things of one type whose current version matches JSON property predicates, across all Durable
 * Objects: `where: [{ path: 'data.stage', op: 'eq', value: 'seed' }, { path: 'data.raised', op: 'gte',
 * value: 5 }]` (all must hold). The predicates test each thing's latest version on the branch, never an
 * older one; tombstones are excluded. Pages by thing URL (`after`).
 *
 * @example
 * ```ts
 * import { thingsWhere } from './things-where.ts';
 * thingsWhere.render({ type: 'https://x.test/Startup', where: [{ path: 'data.stage', op: 'eq', value: 'seed' }] }).sql.includes("json_get_str(\"data\", 'stage') = 'seed'"); // true
 * ```
 */
export const thingsWhere = defineView({
  name: 'things_where',
  description: 'Current things of a type whose JSON properties match every predicate',
  params: z.object({
    type: urlParam().describe('the noun URL, e.g. https://startups.studio/Startup'),
    where: predicatesParam.describe('property predicates, all of which must hold (at most 8)'),
    branch: branchParam().describe('main (default) or a branch name'),
    ...latestThingsPageParams,
  }),
  row: thingRowShape,
  time: { column: 'ts' },
  sql: ({ params, table }) =>
    latestThingsSql({
      table,
      versions: [
        branchSql(params.branch),
        sql`type = ${params.type}`,
        params.ns !== undefined && sql`ns = ${params.ns}`,
      ],
      latest: params.where.map(predicateSql),
      after: params.after,
      limit: params.limit,
    }),
  samples: [
    {
      type: 'https://x.test/Startup',
      where: [
        { path: 'data.stage', op: 'eq', value: 'seed' },
        { path: 'data.raised', op: 'gte', value: 1.5 },
        { path: 'data.open', op: 'ne', value: true },
        { path: 'name', op: 'contains', value: "o'b" },
      ],
    },
  ],
});
