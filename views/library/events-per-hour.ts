import { sql } from '../../sql/index.ts';
import { defineView } from '../define-view.ts';

/**
 * Events per hour per verb, deduplicated on the event id (delivery is at-least-once).
 *
 * @example
 * ```ts
 * import { eventsPerHour } from './events-per-hour.ts';
 * import { viewContext } from '../define-view.ts';
 * await engine.query(eventsPerHour.sql(viewContext('analytics')));
 * ```
 */
export const eventsPerHour = defineView({
  name: 'events_per_hour',
  description: 'Events per hour per verb (deduplicated on id)',
  // Deduplicated by grouping on id in a derived table, which R2 SQL and DuckDB both run.
  sql: (t) =>
    sql`SELECT date_trunc('hour', ts) AS hour, verb, count(*) AS events
FROM (SELECT id, min(ts) AS ts, min(verb) AS verb FROM ${t.table('events')} GROUP BY id) AS deduped
GROUP BY date_trunc('hour', ts), verb
ORDER BY hour, verb`.text,
});
