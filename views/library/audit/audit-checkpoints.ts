import { z } from 'zod';
import { sql } from '../../../sql/index.ts';
import { defineView } from '../../define-view.ts';
import { limitParam } from '../../view-params.ts';

/**
 * Checkpoint reconciliation: for every checkpoint, whether the lake holds its head event with the
 * stated hash and as many events up to it as it states — what catches records dropped between the
 * Durable Object and the lake. `status` is `ok`, `missing-head`, `hash-mismatch` or `count-mismatch`.
 * (Signatures are checked by `dotdo-analytics verify`.)
 *
 * @example
 * ```ts
 * import { auditCheckpoints } from './audit-checkpoints.ts';
 * auditCheckpoints.render({}).sql.includes("'count-mismatch'"); // true
 * ```
 */
export const auditCheckpoints = defineView({
  name: 'audit_checkpoints',
  description: 'Every checkpoint against the lake: head event present with its hash, and the count up to it',
  params: z.object({ ns: z.string().url().optional(), limit: limitParam(500, 10_000) }),
  row: z.object({
    id: z.string(),
    ns: z.string(),
    incarnation: z.string(),
    head_seq: z.number(),
    count: z.number(),
    lake_events: z.number().nullable(),
    key_id: z.string().nullable(),
    status: z.enum(['ok', 'missing-head', 'hash-mismatch', 'count-mismatch']),
  }),
  sql: ({ params, table }) => {
    const ns = params.ns ? sql`ns = ${params.ns}` : sql`TRUE`;
    return sql`WITH cp AS (
  SELECT DISTINCT ON (id) id, ns, incarnation, head_seq, head_hash, count, key_id FROM ${table('checkpoints')} WHERE ${ns}
), ev AS (
  SELECT ns, incarnation, seq, hash,
         count(*) OVER (PARTITION BY ns, incarnation ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS events_through
  FROM (SELECT DISTINCT ON (id) ns, incarnation, seq, hash FROM ${table('events')} WHERE ${ns}) AS deduped
)
SELECT cp.id AS id, cp.ns AS ns, cp.incarnation AS incarnation, cp.head_seq AS head_seq, cp.count AS count,
       ev.events_through AS lake_events, cp.key_id AS key_id,
       CASE WHEN ev.seq IS NULL THEN 'missing-head'
            WHEN ev.hash <> cp.head_hash THEN 'hash-mismatch'
            WHEN ev.events_through <> cp.count THEN 'count-mismatch'
            ELSE 'ok' END AS status
FROM cp LEFT JOIN ev ON ev.ns = cp.ns AND ev.incarnation = cp.incarnation AND ev.seq = cp.head_seq
ORDER BY ns, incarnation, head_seq, id
LIMIT ${params.limit}`;
  },
});
