import { z } from 'zod';
import { sql } from '../../../sql/index.ts';
import { defineView } from '../../define-view.ts';
import { limitParam, timestampParam } from '../../view-params.ts';
import { allOf, urlParam } from './lake-params.ts';

const VERB = /^[a-z][A-Za-z]{0,62}$/;

/**
 * Relationships as edges, across all Durable Objects: every event with an actor is an edge
 * `actor —verb→ target` (`https://auth.dev/nathan —created→ https://startups.studio/acme`), and the same
 * edge read the other way carries the verb's reverse form, as the store derives it (`verbForms`: the
 * past tense + `By`): `acme —createdBy→ nathan`. One row per (from, relation, to) with how many events
 * make it and when the first and last happened. `direction` picks `forward` edges, `reverse` ones or
 * `both`; `from` keeps the edges leaving one thing (its relationships either way, with `both`).
 * Ordered by (from, relation, to); page with the last row's three as `after`.
 *
 * @example
 * ```ts
 * import { relationships } from './relationships.ts';
 * relationships.render({ direction: 'reverse' }).sql.includes("verb || 'By'"); // true
 * ```
 */
export const relationships = defineView({
  name: 'relationships',
  description: 'Edges actor —verb→ target and their reverse (target —verbBy→ actor), with event counts',
  params: z.object({
    direction: z.enum(['forward', 'reverse', 'both']).default('both'),
    from: urlParam().optional().describe('only edges leaving this thing or actor'),
    verb: z.string().regex(VERB, 'expected a past-tense verb, e.g. created').optional(),
    type: urlParam().optional().describe('only events on things of this type'),
    since: timestampParam().optional().describe('first event time included'),
    until: timestampParam().optional().describe('first event time excluded'),
    after: z
      .strictObject({ from: z.string().max(2048), relation: z.string().max(100), to: z.string().max(2048) })
      .optional()
      .describe('keyset cursor: the last row of the previous page'),
    limit: limitParam(500, 10_000),
  }),
  time: { column: 'last_ts', since: 'since', until: 'until' },
  sql: ({ params, table }) => {
    const read = allOf([
      sql`actor IS NOT NULL`,
      params.verb !== undefined && sql`verb = ${params.verb}`,
      params.type !== undefined && sql`type = ${params.type}`,
      params.since && sql`ts >= ${params.since}`,
      params.until && sql`ts < ${params.until}`,
    ]);
    const sides = [
      params.direction !== 'reverse' &&
        sql`SELECT actor AS from_id, verb AS relation, target AS to_id, type, id, ts FROM deduped`,
      params.direction !== 'forward' &&
        sql`SELECT target AS from_id, verb || 'By' AS relation, actor AS to_id, type, id, ts FROM deduped`,
    ].filter((side) => side !== false);
    const a = params.after;
    const edges = allOf([
      params.from !== undefined && sql`from_id = ${params.from}`,
      a &&
        sql`(from_id > ${a.from} OR (from_id = ${a.from} AND (relation > ${a.relation} OR (relation = ${a.relation} AND to_id > ${a.to}))))`,
    ]);
    return sql`WITH deduped AS (SELECT DISTINCT ON (id) id, ts, verb, type, target, actor FROM ${table('events')} AS e WHERE ${read}),
edges AS (${sql.join(sides, ' UNION ALL ')})
SELECT from_id, relation, to_id, min(type) AS type, count(DISTINCT id) AS events, min(ts) AS first_ts, max(ts) AS last_ts
FROM edges
WHERE ${edges}
GROUP BY from_id, relation, to_id
ORDER BY from_id, relation, to_id
LIMIT ${params.limit}`;
  },
  samples: [
    {},
    {
      direction: 'forward',
      from: 'https://x.test/u',
      verb: 'created',
      type: 'https://x.test/Startup',
      since: '2026-01-01',
      until: '2026-02-01',
      after: { from: 'a', relation: 'createdBy', to: 'b' },
    },
  ],
});
