import { z } from 'zod';
import { sql } from '../../../sql/index.ts';
import { defineView } from '../../define-view.ts';
import { limitParam } from '../../view-params.ts';

/**
 * Chain linkage: every event whose `prev_hash` is not the `hash` of the event right before it (seq − 1)
 * in its namespace incarnation. Empty when the chain is whole; hashes themselves are recomputed by
 * `dotdo-analytics verify`, which SQL cannot do over the canonical row.
 *
 * @example
 * ```ts
 * import { auditChainLinks } from './audit-chain-links.ts';
 * auditChainLinks.render({}).sql.includes('lag(hash)'); // true
 * ```
 */
export const auditChainLinks = defineView({
  name: 'audit_chain_links',
  description: "Events whose prev_hash is not the previous event's hash (broken chain links)",
  params: z.object({ ns: z.string().url().optional(), limit: limitParam(500, 10_000) }),
  row: z.object({
    ns: z.string(),
    incarnation: z.string(),
    seq: z.number(),
    prev_hash: z.string().nullable(),
    previous_hash: z.string().nullable(),
  }),
  sql: ({ params, table }) => sql`SELECT ns, incarnation, seq, prev_hash, previous_hash
FROM (SELECT ns, incarnation, seq, prev_hash,
             lag(hash) OVER (PARTITION BY ns, incarnation ORDER BY seq) AS previous_hash,
             lag(seq) OVER (PARTITION BY ns, incarnation ORDER BY seq) AS previous_seq
      FROM (SELECT DISTINCT ON (id) ns, incarnation, seq, prev_hash, hash FROM ${table('events')}
            WHERE ${params.ns ? sql`ns = ${params.ns}` : sql`TRUE`}) AS deduped) AS linked
WHERE previous_seq = seq - 1 AND (prev_hash IS NULL OR prev_hash <> previous_hash)
ORDER BY ns, incarnation, seq
LIMIT ${params.limit}`,
});
