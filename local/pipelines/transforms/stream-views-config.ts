import type { StreamView } from '../../../views/define-stream-view.ts';
import { planLake } from '../../../views/stream-plan.ts';
import { lakeTopologyConfig, type PipelinesConfig } from '../pipelines-config.ts';

/** A stand-in config without its local state (what the local stack passes on). */
export type StreamViewsBaseConfig = Omit<PipelinesConfig, 'dataDir' | 'token'>;

/**
 * Adds stream views to a Pipelines stand-in config: for each view its sink (an R2 Data Catalog table
 * `<namespace>.<view table>` with the view's own columns, as R2 SQL reads it) and its pipeline, the
 * view's own Pipelines SQL, run by the same transforms as the lake's things and actions. A config
 * naming no streams, sinks or pipelines starts from the lake's topology, and the whole plan is held to
 * the account's limits as the platform would; a view of a stream the config lacks is refused.
 *
 * @example
 * ```ts
 * import { withStreamViews } from './stream-views-config.ts';
 * const config = withStreamViews({}, [failedActions]);
 * Object.keys(config.sinks ?? {}).includes('failed_actions_v1_sink'); // true
 * ```
 */
export function withStreamViews(
  base: StreamViewsBaseConfig | undefined,
  views: readonly StreamView[],
  namespace = 'analytics',
): StreamViewsBaseConfig {
  const given = base ?? {};
  if (views.length === 0) return given;
  const explicit = given.streams !== undefined || given.sinks !== undefined || given.pipelines !== undefined;
  if (!explicit) planLake(views);
  const config = explicit ? given : { ...given, ...lakeTopologyConfig() };
  const streams = config.streams ?? {};
  const sinks = { ...config.sinks };
  const pipelines = [...(config.pipelines ?? [])];
  for (const view of views) {
    if (!Object.hasOwn(streams, view.stream))
      throw new Error(
        `stream view ${view.key} reads stream "${view.stream}", which the stand-in does not configure (streams: ${Object.keys(streams).join(', ') || 'none'})`,
      );
    if (Object.hasOwn(sinks, view.sink.name))
      throw new Error(`stream view ${view.key}: a sink named "${view.sink.name}" is already configured`);
    sinks[view.sink.name] = {
      kind: 'r2-data-catalog',
      namespace,
      table: view.sink.table,
      schema: {
        columns: view.sink.columns.map((c) => ({ name: c.name, lakeType: c.lakeType, nullable: c.nullable })),
      },
    };
    pipelines.push({ name: view.pipeline.name, sql: view.pipeline.sql });
  }
  return { ...config, sinks, pipelines };
}
