/**
 * The plan of what an account needs on the platform: the lake's streams, sinks and pipelines plus a
 * sink and a pipeline per stream view, counted against the account's limits, and the wrangler
 * commands that create them. `schema setup` (the lake alone) and `views plan` (the lake and its
 * stream views) print through the same function.
 *
 * @module
 */
import {
  createSetupCommands,
  LAKE_TOPOLOGY,
  type LakeTopology,
  type SetupOptions,
  type SetupTopology,
} from '../schemas/index.ts';
import type { StreamView } from './define-stream-view.ts';

/** Pipelines' account limits (open beta): streams, sinks and pipelines, 20 of each. */
export const PIPELINES_ACCOUNT_LIMITS = Object.freeze({ streams: 20, sinks: 20, pipelines: 20 });

/** How many of each the plan creates. */
export interface PlanUsage {
  streams: number;
  sinks: number;
  pipelines: number;
}

/** The lake's topology with the stream views' sinks and pipelines, and what it uses. */
export interface LakePlan {
  topology: SetupTopology;
  views: readonly StreamView[];
  usage: PlanUsage;
  limits: PlanUsage;
}

/**
 * A plan the platform would refuse (over the account's limits, or two things with one name).
 *
 * @example
 * ```ts
 * import { LakePlanError } from './stream-plan.ts';
 * new LakePlanError('over_account_limit', 'too many sinks').code; // 'over_account_limit'
 * ```
 */
export class LakePlanError extends Error {
  constructor(
    readonly code: 'over_account_limit' | 'duplicate_name' | 'unknown_stream',
    message: string,
  ) {
    super(message);
    this.name = 'LakePlanError';
  }
}

/** Construction options of {@link planLake}. */
export interface LakePlanConfig {
  /** The lake's own topology (default `LAKE_TOPOLOGY`). */
  topology?: LakeTopology;
  /** Default {@link PIPELINES_ACCOUNT_LIMITS}. */
  limits?: PlanUsage;
}

function checkNames(topology: SetupTopology): void {
  for (const kind of ['streams', 'sinks', 'pipelines'] as const) {
    const seen = new Set<string>();
    for (const { name } of topology[kind]) {
      if (seen.has(name))
        throw new LakePlanError('duplicate_name', `two ${kind} are named "${name}": give each its own name`);
      seen.add(name);
    }
  }
  const tables = new Set<string>();
  for (const { name, table } of topology.sinks) {
    if (tables.has(table))
      throw new LakePlanError(
        'duplicate_name',
        `sink "${name}" writes table "${table}", which another sink writes`,
      );
    tables.add(table);
  }
}

function overLimit(plan: Omit<LakePlan, 'topology'>, lake: PlanUsage): string | null {
  const over = (['streams', 'sinks', 'pipelines'] as const).filter((k) => plan.usage[k] > plan.limits[k]);
  if (over.length === 0) return null;
  const needs = over.map((k) => `${plan.usage[k]} ${k} (limit ${plan.limits[k]})`).join(', ');
  const room = Math.max(0, Math.min(plan.limits.sinks - lake.sinks, plan.limits.pipelines - lake.pipelines));
  return (
    `the plan needs ${needs}: over the account's Pipelines limits. The lake takes ${lake.streams} streams, ` +
    `${lake.sinks} sinks and ${lake.pipelines} pipelines, and each stream view one sink and one pipeline, ` +
    `so at most ${room} stream views fit; this plan has ${plan.views.length}. Drop ${plan.views.length - room} ` +
    '(or drop old versions once readers have moved), or ask Cloudflare for higher limits.'
  );
}

/**
 * Plans the lake and its stream views: the lake's topology plus a sink and a pipeline per view (they
 * read the lake's streams, so they add none), counted against the account's limits. Throws a
 * LakePlanError over a limit, for a view of an unknown stream, or for a name used twice.
 *
 * @example
 * ```ts
 * import { planLake } from './stream-plan.ts';
 * planLake([]).usage; // { streams: 3, sinks: 5, pipelines: 5 }
 * ```
 */
export function planLake(views: readonly StreamView[], config: LakePlanConfig = {}): LakePlan {
  const lake = config.topology ?? LAKE_TOPOLOGY;
  const limits = config.limits ?? PIPELINES_ACCOUNT_LIMITS;
  const streams = new Set(lake.streams.map((s) => s.name));
  for (const view of views) {
    if (!streams.has(view.stream))
      throw new LakePlanError(
        'unknown_stream',
        `stream view ${view.key} reads stream "${view.stream}", which the lake does not create (streams: ${[...streams].join(', ')})`,
      );
  }
  const topology: SetupTopology = {
    streams: lake.streams,
    sinks: [...lake.sinks, ...views.map((v) => ({ name: v.sink.name, table: v.sink.table }))],
    pipelines: [...lake.pipelines, ...views.map((v) => ({ ...v.pipeline }))],
  };
  checkNames(topology);
  const count = (t: SetupTopology): PlanUsage => ({
    streams: t.streams.length,
    sinks: t.sinks.length,
    pipelines: t.pipelines.length,
  });
  const plan = { topology, views, usage: count(topology), limits };
  const problem = overLimit(plan, count(lake));
  if (problem) throw new LakePlanError('over_account_limit', problem);
  return plan;
}

/**
 * The wrangler commands of a plan, headed by what it uses of the account's limits: the one piece of
 * code behind `schema setup` (no views) and `views plan`.
 *
 * @example
 * ```ts
 * import { createPlanCommands } from './stream-plan.ts';
 * const lines = createPlanCommands({ account: '0123456789abcdef0123456789abcdef', bucket: 'lake' }, []);
 * lines[0]; // '# account usage: 3 of 20 streams, 5 of 20 sinks, 5 of 20 pipelines'
 * ```
 */
export function createPlanCommands(
  options: Omit<SetupOptions, 'topology'>,
  views: readonly StreamView[],
  config: LakePlanConfig = {},
): string[] {
  const plan = planLake(views, config);
  const { usage, limits } = plan;
  const header = [
    `# account usage: ${usage.streams} of ${limits.streams} streams, ${usage.sinks} of ${limits.sinks} sinks, ${usage.pipelines} of ${limits.pipelines} pipelines`,
  ];
  if (views.length > 0)
    header.push(
      `# stream views: ${views.map((v) => `${v.key} → table ${v.sink.table} (${v.sink.columns.map((c) => c.name).join(', ')})`).join('; ')}`,
    );
  return [...header, ...createSetupCommands({ ...options, topology: plan.topology })];
}
