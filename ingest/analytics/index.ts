export { AnalyticsError, type AnalyticsErrorCode } from './analytics-error.ts';
export type { AnalyticsCtxLike, AnalyticsStorageLike } from './analytics-runtime.ts';
export type {
  ActionContext,
  ActionFn,
  ActionMethod,
  AlarmResult,
  Analytics,
  AnalyticsConfig,
  CallOptions,
  Completed,
  DOFunction,
  DoOutcome,
  HandlerInputs,
  HandlersConfig,
  InputOf,
  LifecycleMessage,
  LifecycleStubLike,
  ObjectNamespaceLike,
  OutputOf,
  ThingHistoryEntry,
} from './analytics-types.ts';
export { analytics } from './create-analytics.ts';
export { assignObject, locateObject } from './objects-table.ts';
export type {
  ActionName,
  ActionOfEvent,
  EventName,
  JsonObject,
  VerbDeclaration,
  VerbsConfig,
} from './vocabulary.ts';
export type {
  WorkflowBindingLike,
  WorkflowInstanceLike,
  WorkflowSettlement,
  WorkflowStartOptions,
  WorkflowsApi,
} from './workflows.ts';
