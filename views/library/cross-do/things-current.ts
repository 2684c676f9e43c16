import { z } from 'zod';
import { sql } from '../../../sql/index.ts';
import { defineView } from '../../define-view.ts';
import { branchParam, branchSql, urlParam } from './lake-params.ts';
import { latestThingsPageParams, latestThingsSql } from './latest-things-sql.ts';

/** A row of {@link thingsCurrent} (and of the other views over things' latest versions). */
export const thingRowShape = z.object({
  thing: z.string(),
  ns: z.string(),
  type: z.string(),
  branch: z.string().nullable(),
  version: z.number(),
  name: z.string().nullable(),
  data: z.unknown(),
  ts: z.unknown(),
});

/**
 * The current state of every thing across all Durable Objects: each thing's latest version (the highest
 * version number, as the Durable Object counts) on one branch (main unless asked), tombstones excluded,
 * optionally of one type or one namespace. Pages by thing URL: pass the last row's `thing` as `after`.
 * On a branch it answers the things written on that branch (the lake holds no fork points, so things
 * the branch only inherits are answered by `thing_at_ref` with the branch's base).
 *
 * @example
 * ```ts
 * import { thingsCurrent } from './things-current.ts';
 * thingsCurrent.render({ type: 'https://x.test/Startup' }).sql.includes("type = 'https://x.test/Startup'"); // true
 * thingsCurrent.render({ branch: 'experiment', limit: 10 }).sql.endsWith('LIMIT 10'); // true
 * ```
 */
export const thingsCurrent = defineView({
  name: 'things_current',
  description: 'Every thing’s latest version across all DOs (deleted excluded), by thing URL',
  params: z.object({
    type: urlParam().optional().describe('only things of this type (a noun URL)'),
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
        params.type !== undefined && sql`type = ${params.type}`,
        params.ns !== undefined && sql`ns = ${params.ns}`,
      ],
      after: params.after,
      limit: params.limit,
    }),
  samples: [
    {},
    { type: 'https://x.test/Startup', branch: 'b1', after: 'https://x.test/a', ns: 'https://x.test' },
  ],
});
