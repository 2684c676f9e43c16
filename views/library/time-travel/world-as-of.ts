import { z } from 'zod';
import { sql } from '../../../sql/index.ts';
import { defineView } from '../../define-view.ts';
import { urlParam } from '../cross-do/lake-params.ts';
import { latestThingsPageParams, latestThingsSql } from '../cross-do/latest-things-sql.ts';
import { thingRowShape } from '../cross-do/things-current.ts';
import { refTimeParam } from './ref-params.ts';

/**
 * The world as of a time, across all Durable Objects: every thing's main version current at `at` —
 * the newest written at or before it, as a ref `@<at>` resolves (a date is the end of that day UTC) —
 * tombstones excluded, optionally of one type or namespace. Reads only versions written at or before
 * `at`, so older lake files alone are scanned. Pages by thing URL (`after`).
 *
 * @example
 * ```ts
 * import { worldAsOf } from './world-as-of.ts';
 * worldAsOf.render({ at: '2024-01-08' }).sql.includes("ts <= TIMESTAMP '2024-01-08T23:59:59.999999Z'"); // true
 * ```
 */
export const worldAsOf = defineView({
  name: 'world_as_of',
  description: 'Every thing’s main version current at a time (deleted excluded), by thing URL',
  params: z.object({
    at: refTimeParam().describe('a date (its end, UTC), an RFC 3339 date-time or epoch µs; inclusive'),
    type: urlParam().optional().describe('only things of this type'),
    ...latestThingsPageParams,
  }),
  row: thingRowShape,
  // `at` is inclusive, so it is not declared as the (exclusive) upper bound.
  time: { column: 'ts' },
  sql: ({ params, table }) =>
    latestThingsSql({
      table,
      versions: [
        sql`branch IS NULL`,
        sql`ts <= ${sql.timestamp(params.at)}`,
        params.type !== undefined && sql`type = ${params.type}`,
        params.ns !== undefined && sql`ns = ${params.ns}`,
      ],
      newest: 'ts',
      after: params.after,
      limit: params.limit,
    }),
  samples: [
    { at: '2024-01-08' },
    { at: 1_704_672_000_000_001, type: 'https://x.test/T', after: 'https://x.test/a' },
  ],
});
