/**
 * Runs inside a Durable Object: the local store (record, versions), the emitter (outbox → global rows →
 * Sink) and the sinks. Imports no Node-only API, so it runs in Workers.
 *
 * @module
 */
export {
  createEmitter,
  type Emitter,
  type EmitterConfig,
  type FlushResult,
  type ResendOptions,
  type ResendResult,
} from './emitter/create-emitter.ts';
export {
  countDeadLetters,
  type DeadLetter,
  type ListDeadLettersOptions,
  listDeadLetters,
} from './emitter/dead-letters.ts';
export {
  isPermanentSinkError,
  isSink,
  type RejectedRecord,
  type Sink,
  SinkError,
  type SinkErrorCode,
  type SinkErrorInit,
  sinkErrorCodeOf,
} from './sink.ts';
export { createFanOutSink, type FanOutSinkConfig } from './sinks/fan-out/index.ts';
export { createHttpSink, type HttpSinkConfig } from './sinks/http/index.ts';
export type { SqlCursorLike, SqlStorageLike, SqlValue, StorageLike } from './storage-like.ts';
export { type BindOptions, bindNamespace } from './store/bind-namespace.ts';
export { eventId, parseEventRow, qualify } from './store/event-row.ts';
export { migrate, type StoreMeta } from './store/migrate.ts';
export {
  type Json,
  nowMicros,
  type RecordInput,
  type Recorded,
  RecordInputError,
  type RecordInputErrorCode,
  MAX_PAYLOAD_BYTES,
  validateRecordInput,
  record,
} from './store/record.ts';
export { type VerbForms, verbForms } from './store/verb-forms.ts';
export {
  createPipelineSink,
  type PipelineBindingLike,
  type PipelineSinkConfig,
} from './sinks/pipeline/index.ts';
export {
  createR2ParquetSink,
  type R2BucketLike,
  type R2ParquetSinkConfig,
  type R2PutOptionsLike,
} from './sinks/r2-parquet/index.ts';
export {
  type ParsedRef,
  parseRef,
  RefError,
  type RefSelector,
  RefNotFoundError,
  resolveRef,
  type ThingVersion,
} from './refs/index.ts';
export { type Branch, type CreateBranchOptions, createBranch, listBranches } from './store/branches.ts';
export { backoffDelay, type BackoffOptions } from './emitter/backoff.ts';
export {
  type CheckpointSigner,
  createCheckpointSigner,
  SigningKeyError,
} from './emitter/checkpoint-signer.ts';
export {
  type ActionCall,
  type ActionHandler,
  type ActionOutcome,
  type Actions,
  type ActionsConfig,
  createActions,
  type HandlerContext,
  undoAction,
} from './actions/index.ts';
export {
  type CompactResult,
  compact,
  exportState,
  type ImportMode,
  importFork,
  importState,
  markMoved,
  recordLifecycle,
  type StateBundle,
  unmarkMoved,
} from './lifecycle/index.ts';
export { markStreamed, pendingEvents, rewindOutbox, streamedThrough } from './store/outbox.ts';
export {
  type ActionContext,
  type ActionFn,
  type ActionMethod,
  type ActionName,
  type AlarmResult,
  type Analytics,
  type AnalyticsConfig,
  type AnalyticsCtxLike,
  AnalyticsError,
  type AnalyticsErrorCode,
  type AnalyticsStorageLike,
  analytics,
  assignObject,
  type CallOptions,
  type Completed,
  type DOFunction,
  type DoOutcome,
  type EventName,
  type JsonObject,
  type LifecycleMessage,
  locateObject,
  type ObjectNamespaceLike,
  type ThingHistoryEntry,
  type VerbsConfig,
  type WorkflowBindingLike,
  type WorkflowInstanceLike,
  type WorkflowSettlement,
  type WorkflowsApi,
} from './analytics/index.ts';
