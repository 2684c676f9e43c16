import type { StorageLike } from '../storage-like.ts';
import { chainHead, dropCachesOnError, inTransaction, storeState } from './store-state.ts';
import { type RecordInput, validateRecordInput } from './validate-record-input.ts';
import { writeAction } from './write-action.ts';

export { RecordInputError, type RecordInputErrorCode } from './record-input-error.ts';
export {
  type Json,
  MAX_PAYLOAD_BYTES,
  nowMicros,
  type RecordInput,
  validateRecordInput,
} from './validate-record-input.ts';

/** What a `record()` call wrote. */
export interface Recorded {
  /** The action's rowid. */
  action: number;
  /** The event's per-namespace sequence number. */
  seq: number;
  /** The thing's new version (null when the action wrote none). */
  version: number | null;
  /** The version it replaced on the same branch, or null for the first. */
  previous: number | null;
  /** The event's hash: the new head of the chain. */
  hash: string;
}

/**
 * Records an action: appends the thing's new version (never updating an old one), the action that
 * links the previous and new versions, and its event — hashed into this namespace's chain — all in one
 * synchronous transaction. The storage must be bound to its namespace first. The input is validated
 * first ({@link validateRecordInput}): a bad one throws a {@link RecordInputError} naming the field,
 * and nothing is written — so no row the stream would refuse or drop is ever recorded.
 *
 * @example
 * ```ts
 * import { bindNamespace, record } from '../index.ts';
 * bindNamespace(ctx.storage, 'https://startups.studio');
 * const { seq, version } = record(ctx.storage, { verb: 'create', type: 'Startup', target: 'acme', data: { name: 'Acme' } });
 * ```
 */
export function record(storage: StorageLike, input: RecordInput): Recorded {
  const state = storeState(storage);
  if (state.ns === null) throw new Error('bind a namespace first (bindNamespace or createEmitter)');
  const write = validateRecordInput(state.ns, input);
  // The version, action and event go in one INSERT through the record view, atomic by itself. A
  // transaction (a savepoint, microseconds a call) is needed only when the call writes more: a verb or
  // noun registered on first use, a branch head, or a checkpoint row.
  const single =
    write.branch === null &&
    state.verbs.has(write.verb) &&
    state.nouns.has(write.type) &&
    (chainHead(storage, state).seq + 1) % state.checkpointEvery !== 0;
  const run = () => writeAction(storage, state, write);
  return single ? dropCachesOnError(storage, run) : inTransaction(storage, run);
}
