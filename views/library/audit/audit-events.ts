import { z } from 'zod';
import { columnsOf, eventRow } from '../../../schemas/index.ts';
import { sql } from '../../../sql/index.ts';
import { defineView } from '../../define-view.ts';
import { limitParam, ViewParamsError } from '../../view-params.ts';

/** The rows a page may hold per event it names (re-deliveries), before the page is refused. */
const MAX_DELIVERIES = 16;

const auditEventRow = z
  .object({ ns: z.string(), incarnation: z.string(), seq: z.number(), id: z.string() })
  .passthrough();
type AuditEventRow = z.infer<typeof auditEventRow>;

/** Every events column, in schema order: what a hash is recomputed over. */
const COLUMNS = columnsOf(eventRow).map((c) => sql.id(c.name));

/**
 * One namespace's events exactly as the lake holds them, every column and every delivered row
 * (re-deliveries included, nothing deduplicated), in (incarnation, seq, id) order, a keyset page at a
 * time: what an auditor downloads to check gaps, duplicates, chain links and hashes independently
 * (the dashboard's in-browser check reads it as Arrow). A page holds `limit` events (distinct
 * (incarnation, seq)) with every delivery of each, so re-deliveries can make it longer than `limit`
 * rows and are never split across pages. The default, 10,000 events of ~1 KB, stays inside the
 * engines' 16 MiB result bound; a larger `limit` is for rows with little data.
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
  row: auditEventRow,
  samples: [{ ns: 'https://acme.startups.studio' }],
  sql: ({ params, table }) => {
    const bounded = sql`ns = ${params.ns}
  AND (incarnation > ${params.after_incarnation} OR (incarnation = ${params.after_incarnation} AND seq > ${params.after_seq}))`;
    // The page's (incarnation, seq) keys first, over narrow columns; then every delivered row of those
    // keys in full. A page never splits an event's re-deliveries, so the cursor (the last row's
    // incarnation and seq) never skips one.
    return sql`WITH page AS (SELECT DISTINCT incarnation AS page_incarnation, seq AS page_seq FROM ${table('events')}
  WHERE ${bounded}
  ORDER BY page_incarnation, page_seq LIMIT ${params.limit})
SELECT ${sql.join(COLUMNS)}
FROM ${table('events')} AS e JOIN page ON e.incarnation = page.page_incarnation AND e.seq = page.page_seq
WHERE ${bounded}
ORDER BY incarnation, seq, id
LIMIT ${params.limit * MAX_DELIVERIES}`;
  },
  // The bound above is never reached silently: a page that fills it is refused.
  finish: (rows, params) => {
    if (rows.length < params.limit * MAX_DELIVERIES) return rows as AuditEventRow[];
    throw new ViewParamsError('audit_events@1', [
      {
        param: 'limit',
        message: `${params.limit} events of this namespace hold ${MAX_DELIVERIES}× as many delivered rows or more; ask for a smaller limit`,
      },
    ]);
  },
});
