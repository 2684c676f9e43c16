import { createHttpSink, type Sink } from '../ingest/index.ts';
import { createRollupRefresherObject } from '../jobs/materialize/rollup-refresher-object.ts';
import type { Env } from './env.ts';
import { lakeEngine } from './lake-queries.ts';
import { exampleRollups } from './order-activity.ts';

export { exampleRollups, orderActivity } from './order-activity.ts';

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
  views: exampleRollups,
  engine: lakeEngine,
  sink: rollupsSink,
  lookbackUs: 2 * 3_600_000_000,
  intervalMs: (env) => (env.ROLLUPS_INTERVAL_MS ? Number(env.ROLLUPS_INTERVAL_MS) : undefined),
});
