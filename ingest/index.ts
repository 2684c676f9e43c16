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
} from './emitter/create-emitter.ts';
export { eventId, qualify } from './emitter/to-global-row.ts';
export { isSink, type Sink, SinkError } from './sink.ts';
export { createHttpSink, type HttpSinkConfig } from './sinks/http/index.ts';
export type { SqlCursorLike, SqlStorageLike, SqlValue, StorageLike } from './storage-like.ts';
export { bindNamespace, migrate, type StoreMeta } from './store/migrate.ts';
export { type Json, type RecordInput, type Recorded, RecordInputError, record } from './store/record.ts';
export { type VerbForms, verbForms } from './store/verb-forms.ts';
