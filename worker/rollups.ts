import { createHttpSink, type Sink } from '../ingest/index.ts';
import { createRollupRefresherObject } from '../jobs/materialize/rollup-refresher-object.ts';
import { count, countDistinct, defineRollup, last } from '../views/index.ts';
import type { Env } from './env.ts';
import { lakeEngine } from './lake-queries.ts';

/** The example's materialized rollup: order activity per namespace per hour. */
export const orderActivity = defineRollup('order_activity', {
  from: ['Order.created', 'Order.updated', 'Order.archived'],
  groupBy: ['ns'],
  compute: { events: count(), actors: countDistinct('actor'), last_at: last('ts') },
  window: 'hour',
  description: 'Order events and distinct actors per namespace per hour',
});

function rollupsSink(env: Env): Sink {
  if (env.ROLLUPS_STREAM) return env.ROLLUPS_STREAM;
  const url = env.INGEST_URL?.replace(/\/+$/, '');
  if (!url) throw new Error('bind ROLLUPS_STREAM (the rollups stream) or set INGEST_URL');
  return createHttpSink({ url: `${url}/rollups`, token: env.INGEST_TOKEN });
}

/**
 * The example Worker's refresher: keeps `order_activity` materialized from the lake through R2 SQL,
 * writing through the rollups stream. `env.ROLLUPS.getByName('default').start()` schedules it.
 */
export const Rollups = createRollupRefresherObject<Env>({
  views: [orderActivity],
  engine: lakeEngine,
  sink: rollupsSink,
  lookbackUs: 2 * 3_600_000_000,
});
