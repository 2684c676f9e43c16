import { z } from 'zod';
import { sql } from '../../../sql/index.ts';
import { defineView } from '../../define-view.ts';
import { limitParam } from '../../view-params.ts';

/**
 * Completeness per namespace and incarnation: distinct events, the seq span, how many seqs are
 * missing inside it (`last_seq - events`, seq being gapless from 1) and how many rows are re-deliveries.
 *
 * @example
 * ```ts
 * import { auditCompleteness } from './audit-completeness.ts';
 * auditCompleteness.render({}).sql.includes('count(DISTINCT seq)'); // true
 * ```
 */
export const auditCompleteness = defineView({
  name: 'audit_completeness',
  description: 'Per namespace and incarnation: events, seq span, missing seqs and duplicate rows',
  params: z.object({ ns: z.string().url().optional(), limit: limitParam(500, 10_000) }),
  row: z.object({
    ns: z.string(),
    incarnation: z.string(),
    events: z.number(),
    rows: z.number(),
    first_seq: z.number(),
    last_seq: z.number(),
    missing: z.number(),
    duplicates: z.number(),
  }),
  sql: ({ params, table }) => sql`SELECT ns, incarnation, count(DISTINCT seq) AS events, count(*) AS rows,
  min(seq) AS first_seq, max(seq) AS last_seq, max(seq) - count(DISTINCT seq) AS missing,
  count(*) - count(DISTINCT id) AS duplicates
FROM ${table('events')}
WHERE ${params.ns ? sql`ns = ${params.ns}` : sql`TRUE`}
GROUP BY ns, incarnation
ORDER BY ns, incarnation
LIMIT ${params.limit}`,
});

/**
 * The gaps themselves: each run of missing seqs between two events of a chain.
 *
 * @example
 * ```ts
 * import { auditGaps } from './audit-completeness.ts';
 * auditGaps.render({ ns: 'https://a.test' }).sql.includes('lead(seq)'); // true
 * ```
 */
export const auditGaps = defineView({
  name: 'audit_gaps',
  description: 'Each run of missing seqs between two events of a namespace incarnation',
  params: z.object({ ns: z.string().url().optional(), limit: limitParam(500, 10_000) }),
  row: z.object({ ns: z.string(), incarnation: z.string(), gap_from: z.number(), gap_to: z.number() }),
  sql: ({ params, table }) => sql`SELECT ns, incarnation, seq + 1 AS gap_from, next_seq - 1 AS gap_to
FROM (SELECT ns, incarnation, seq, lead(seq) OVER (PARTITION BY ns, incarnation ORDER BY seq) AS next_seq
      FROM (SELECT DISTINCT ON (id) ns, incarnation, seq FROM ${table('events')}
            WHERE ${params.ns ? sql`ns = ${params.ns}` : sql`TRUE`}) AS deduped) AS chained
WHERE next_seq > seq + 1
ORDER BY ns, incarnation, gap_from
LIMIT ${params.limit}`,
});
