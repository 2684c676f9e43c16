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
  sql: (t) =>
    `SELECT date_trunc('hour', ts) AS hour, verb, count(DISTINCT id) AS events
FROM ${t.table('events')}
GROUP BY date_trunc('hour', ts), verb
ORDER BY hour, verb`,
});
