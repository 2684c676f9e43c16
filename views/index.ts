/**
 * Declarative views: definitions, rollups, the registry and the built-in library. Produces SQL in R2
 * SQL's dialect; runs nothing (a registry runs a view on the engine it is given).
 *
 * @module
 */
export {
  defineView,
  namespaceTables,
  type RenderedView,
  type View,
  type ViewConfig,
  ViewDefinitionError,
  type ViewRenderOptions,
  type ViewSqlContext,
  type ViewTable,
  type ViewTime,
} from './define-view.ts';
export {
  defineRollup,
  type Rollup,
  type RollupConfig,
  type RollupParams,
  type RollupRow,
  type RollupSpec,
  type RollupWindow,
  rollupColumns,
  rollupParams,
} from './define-rollup.ts';
export {
  defineStreamView,
  isStreamView,
  type StreamView,
  type StreamViewColumn,
  type StreamViewConfig,
  StreamViewError,
  type StreamViewExpression,
  type StreamViewParams,
  type StreamViewSink,
} from './define-stream-view.ts';
export {
  createPlanCommands,
  type LakePlan,
  type LakePlanConfig,
  LakePlanError,
  PIPELINES_ACCOUNT_LIMITS,
  type PlanUsage,
  planLake,
} from './stream-plan.ts';
export { type FieldType, fieldAlias, fieldSql } from './field-path.ts';
export {
  avg,
  count,
  countDistinct,
  first,
  last,
  type Measure,
  type MeasureKind,
  max,
  min,
  sum,
} from './rollup-measures.ts';
export {
  createViewRegistry,
  type ViewCatalogEntry,
  type ViewEngine,
  type ViewMetrics,
  ViewNotFoundError,
  type ViewRegistry,
  type ViewRegistryConfig,
  type ViewResult,
} from './view-registry.ts';
export {
  isViewParamsError,
  limitParam,
  timestampParam,
  type ViewParamIssue,
  ViewParamsError,
  toParamIssues,
} from './view-params.ts';
export * from './library/index.ts';
/** The `sql` template views are written with, re-exported so a view module needs one import path. */
export { sql } from '../sql/index.ts';
