import { z } from 'zod';
import { columnsOf, eventRow } from '../../../schemas/index.ts';
import { sql } from '../../../sql/index.ts';
import { defineView } from '../../define-view.ts';
import { limitParam } from '../../view-params.ts';

/** Every events column, in schema order: what a hash is recomputed over. */
const COLUMNS = columnsOf(eventRow).map((c) => sql.id(c.name));

/**
 * One namespace's events exactly as the lake holds them, every column and every delivered row
 * (re-deliveries included, nothing deduplicated), in (incarnation, seq, id) order, a keyset page at a
 * time: what an auditor downloads to check gaps, duplicates, chain links and hashes independently
 * (the dashboard's in-browser check reads it as Arrow). The default page, 10,000 rows of ~1 KB, stays
 * inside the engines' 16 MiB result bound; a larger `limit` is for rows with little data.
 *
 * @example
 * ```ts
 * import { auditEvents } from './audit-events.ts';
 * auditEvents.render({ ns: 'https://acme.startups.studio', after_seq: 1000 }).sql.includes('"prev_hash"'); // true
 * ```
 */
export const auditEvents = defineView({
  name: 'audit_events',
  description:
    "One namespace's events as the lake holds them (every column, re-deliveries kept), in seq order",
  params: z.object({
    ns: z.string().url().describe('the namespace'),
    after_incarnation: z
      .string()
      .default('')
      .describe('keyset cursor: the incarnation of the last row of the previous page'),
    after_seq: z.coerce
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('keyset cursor: the seq of the last row of the previous page'),
    limit: limitParam(10_000, 100_000),
  }),
  row: z.object({ ns: z.string(), incarnation: z.string(), seq: z.number(), id: z.string() }).passthrough(),
  samples: [{ ns: 'https://acme.startups.studio' }],
  sql: ({ params, table }) => sql`SELECT ${sql.join(COLUMNS)}
FROM ${table('events')}
WHERE ns = ${params.ns}
  AND (incarnation > ${params.after_incarnation} OR (incarnation = ${params.after_incarnation} AND seq > ${params.after_seq}))
ORDER BY incarnation, seq, id
LIMIT ${params.limit}`,
});
