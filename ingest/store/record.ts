import { ACTION_STATUSES, DURABILITIES } from '../../schemas/index.ts';
import { canonicalJson } from '../../lake/chain/index.ts';
import type { StorageLike } from '../storage-like.ts';
import { chainHead, dropCachesOnError, inTransaction, storeState } from './store-state.ts';
import { type ActionWrite, writeAction } from './write-action.ts';

/** A JSON value as stored in `data` and `error`. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** One action to record: the thing it produces, the action, and the event, in one transaction. */
export interface RecordInput {
  /** The imperative, e.g. `create`; registered in `verbs` with its other forms on first use. */
  verb: string;
  /** The noun of the thing, e.g. `Startup`. */
  type: string;
  /** The thing's local path (`acme`) or an absolute URL. */
  target: string;
  /** The thing's data after the action. */
  data?: Json;
  actor?: string | null;
  durability?: (typeof DURABILITIES)[number];
  status?: (typeof ACTION_STATUSES)[number];
  /** A branch created with createBranch(); null or absent is main. */
  branch?: string | null;
  name?: string | null;
  error?: Json;
  /** When it happened, in µs since the epoch; defaults to now. For imports and backfills. */
  ts?: number;
  requestId?: string | null;
  sessionId?: string | null;
  workflowId?: string | null;
  correlationId?: string | null;
  startedAt?: number | null;
  completedAt?: number | null;
}

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

/** Thrown for input `record()` cannot take; names the field. */
export class RecordInputError extends Error {
  override name = 'RecordInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`record(): ${field} ${message}`);
  }
}

/** Now, in µs since the epoch. */
export const nowMicros = (): number => Date.now() * 1000;

function requireText(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new RecordInputError(field, 'must be a non-empty string');
  return value;
}

function optionalMicros(field: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new RecordInputError(
      field,
      `must be an integer of microseconds since the epoch, got ${String(value)}`,
    );
  }
  return value;
}

function optionalText(field: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new RecordInputError(field, 'must be a string');
  return value;
}

function oneOf<T extends string>(field: string, allowed: readonly T[], value: unknown, fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T))
    throw new RecordInputError(field, `must be one of ${allowed.join(', ')}, got ${String(value)}`);
  return value as T;
}

function json(field: string, value: unknown): string | null {
  if (value === undefined || value === null) return null;
  try {
    return canonicalJson(value);
  } catch (cause) {
    throw new RecordInputError(field, `must be JSON-serializable: ${(cause as Error).message}`);
  }
}

/** Validates a {@link RecordInput} into the form the store writes. */
function toActionWrite(input: RecordInput): ActionWrite {
  return {
    verb: requireText('verb', input.verb),
    type: requireText('type', input.type),
    target: requireText('target', input.target),
    data: input.data === undefined ? null : json('data', input.data),
    branch: optionalText('branch', input.branch),
    name: optionalText('name', input.name),
    actor: optionalText('actor', input.actor),
    durability: oneOf('durability', DURABILITIES, input.durability, 'try'),
    status: oneOf('status', ACTION_STATUSES, input.status, 'completed'),
    error: json('error', input.error),
    ts: optionalMicros('ts', input.ts) ?? nowMicros(),
    requestId: optionalText('requestId', input.requestId),
    sessionId: optionalText('sessionId', input.sessionId),
    workflowId: optionalText('workflowId', input.workflowId),
    correlationId: optionalText('correlationId', input.correlationId),
    startedAt: optionalMicros('startedAt', input.startedAt),
    completedAt: optionalMicros('completedAt', input.completedAt),
  };
}

/**
 * Records an action: appends the thing's new version (never updating an old one), the action that
 * links the previous and new versions, and its event — hashed into this namespace's chain — all in one
 * synchronous transaction. The storage must be bound to its namespace first.
 *
 * @example
 * ```ts
 * import { bindNamespace, record } from '../index.ts';
 * bindNamespace(ctx.storage, 'https://startups.studio');
 * const { seq, version } = record(ctx.storage, { verb: 'create', type: 'Startup', target: 'acme', data: { name: 'Acme' } });
 * ```
 */
export function record(storage: StorageLike, input: RecordInput): Recorded {
  const write = toActionWrite(input);
  const state = storeState(storage);
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
