import { col } from '../../../schemas/index.ts';
import { sql } from '../../../sql/index.ts';
import { defineStreamView } from '../../define-stream-view.ts';

/**
 * Publications, materialized at ingest: one row per `published` event, with the version it made and
 * the payload's `step` (an integer) and `note` pulled out of its JSON.
 *
 * @example
 * ```ts
 * import { publishedThings } from './published-things.ts';
 * publishedThings.sink.columns.map((c) => c.name).includes('step'); // true
 * ```
 */
export const publishedThings = defineStreamView({
  name: 'published_things',
  description: 'published things as they land: which version, by whom, with the step and note of the payload',
  from: 'events',
  select: {
    ts: 'ts',
    type: 'type',
    thing: 'target',
    version: 'output_version',
    actor: 'actor',
    step: { sql: sql`json_get_int(data, 'step')`, type: col.int64().nullable() },
    note: { sql: sql`json_get_str(data, 'note')`, type: col.string().nullable() },
  },
  where: sql`verb = 'published'`,
});
