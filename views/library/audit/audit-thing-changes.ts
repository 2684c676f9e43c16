import { z } from 'zod';
import { sql } from '../../../sql/index.ts';
import { defineView } from '../../define-view.ts';
import { limitParam } from '../../view-params.ts';

/**
 * Who changed a thing between two of its versions: the events whose output version lies in
 * (`from_version`, `to_version`], with actor, action and the versions before and after, in version order.
 *
 * @example
 * ```ts
 * import { auditThingChanges } from './audit-thing-changes.ts';
 * auditThingChanges.render({ target: 'https://a.test/acme', from_version: 2, to_version: 5 }).sql.includes("split_part(output_version, '@v', 2)"); // true
 * ```
 */
export const auditThingChanges = defineView({
  name: 'audit_thing_changes',
  description: 'Who changed a thing between two versions: actor, action, before/after, in version order',
  params: z
    .object({
      target: z.string().url(),
      from_version: z.coerce.number().int().min(0).default(0).describe('changes after this version'),
      to_version: z.coerce.number().int().min(1).describe('up to and including this version'),
      limit: limitParam(500, 10_000),
    })
    .refine((p) => p.from_version < p.to_version, {
      message: 'from_version must be below to_version',
      path: ['from_version'],
    }),
  samples: [{ target: 'https://a.test/acme', to_version: 3 }],
  row: z.object({
    version: z.number(),
    ts: z.string(),
    id: z.string(),
    actor: z.string().nullable(),
    event: z.string(),
    input_version: z.string().nullable(),
    output_version: z.string(),
  }),
  sql: ({ params, table }) => sql`SELECT version, ts, id, actor, event, input_version, output_version
FROM (SELECT DISTINCT ON (id) CAST(split_part(output_version, '@v', 2) AS BIGINT) AS version,
             ts, id, actor, event, input_version, output_version
      FROM ${table('events')} WHERE target = ${params.target} AND output_version IS NOT NULL) AS changes
WHERE version > ${params.from_version} AND version <= ${params.to_version}
ORDER BY version, ts, id
LIMIT ${params.limit}`,
});
