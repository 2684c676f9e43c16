import type { ACTION_STATUSES, DURABILITIES } from '../../schemas/index.ts';
import type { StorageLike } from '../storage-like.ts';
import { migrate } from './migrate.ts';
import { verbForms } from './verb-forms.ts';

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
  /** The thing's new version. */
  version: number;
  /** The version it replaced on the same branch, or null for the first. */
  previous: number | null;
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

interface Ids {
  verbs: Map<string, number>;
  nouns: Map<string, number>;
}
const idCache = new WeakMap<StorageLike, Ids>();

const nowMicros = (): number => Date.now() * 1000;

function requireWord(field: string, value: unknown): string {
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

function verbId(storage: StorageLike, ids: Ids, verb: string, fresh: Map<string, number>): number {
  const cached = ids.verbs.get(verb) ?? fresh.get(`verb:${verb}`);
  if (cached !== undefined) return cached;
  const forms = verbForms(verb);
  storage.sql.exec(
    'INSERT INTO verbs (verb, action, activity, event, reverse, inverse) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (verb) DO NOTHING',
    verb,
    forms.action,
    forms.activity,
    forms.event,
    forms.reverse,
    forms.inverse,
  );
  const id = storage.sql.exec<{ id: number }>('SELECT id FROM verbs WHERE verb = ?', verb).one().id;
  fresh.set(`verb:${verb}`, id);
  return id;
}

function nounId(storage: StorageLike, ids: Ids, noun: string, fresh: Map<string, number>): number {
  const cached = ids.nouns.get(noun) ?? fresh.get(`noun:${noun}`);
  if (cached !== undefined) return cached;
  storage.sql.exec('INSERT INTO nouns (noun) VALUES (?) ON CONFLICT (noun) DO NOTHING', noun);
  const id = storage.sql.exec<{ id: number }>('SELECT id FROM nouns WHERE noun = ?', noun).one().id;
  fresh.set(`noun:${noun}`, id);
  return id;
}

/**
 * Records an action: appends the thing's new version (never updating an old one), the action that
 * links the previous and new versions, and its event — all in one synchronous transaction.
 *
 * @example
 * ```ts
 * import { record } from './record.ts';
 * const { seq, version } = record(ctx.storage, { verb: 'create', type: 'Startup', target: 'acme', data: { name: 'Acme' } });
 * ```
 */
export function record(storage: StorageLike, input: RecordInput): Recorded {
  const verb = requireWord('verb', input.verb);
  const type = requireWord('type', input.type);
  const target = requireWord('target', input.target);
  const ts = optionalMicros('ts', input.ts) ?? nowMicros();
  const startedAt = optionalMicros('startedAt', input.startedAt);
  const completedAt = optionalMicros('completedAt', input.completedAt);
  const data = input.data === undefined ? null : JSON.stringify(input.data);
  const error = input.error === undefined || input.error === null ? null : JSON.stringify(input.error);
  const branch = input.branch ?? null;
  migrate(storage);
  let ids = idCache.get(storage);
  if (!ids) {
    ids = { verbs: new Map(), nouns: new Map() };
    idCache.set(storage, ids);
  }
  const fresh = new Map<string, number>();
  const sql = storage.sql;
  const result = storage.transactionSync((): Recorded => {
    const nounRow = nounId(storage, ids, type, fresh);
    const verbRow = verbId(storage, ids, verb, fresh);
    const previous =
      sql
        .exec<{ version: number }>(
          'SELECT version FROM things WHERE id = ? AND branch IS ? ORDER BY version DESC LIMIT 1',
          target,
          branch,
        )
        .toArray()[0]?.version ?? null;
    const version = sql
      .exec<{ version: number }>(
        'INSERT INTO things (id, type, branch, name, data, createdAt) VALUES (?, ?, ?, ?, ?, ?) RETURNING version',
        target,
        nounRow,
        branch,
        input.name ?? null,
        data,
        ts,
      )
      .one().version;
    const action = sql
      .exec<{ id: number }>(
        `INSERT INTO actions (verb, actor, target, input, output, durability, status, error, requestId, sessionId,
           workflowId, correlationId, createdAt, startedAt, completedAt, ts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        verbRow,
        input.actor ?? null,
        target,
        previous,
        version,
        input.durability ?? 'try',
        input.status ?? 'completed',
        error,
        input.requestId ?? null,
        input.sessionId ?? null,
        input.workflowId ?? null,
        input.correlationId ?? null,
        ts,
        startedAt,
        completedAt,
        ts,
      )
      .one().id;
    const seq = sql
      .exec<{ id: number }>(
        'INSERT INTO events (action, verb, source, data, ts) VALUES (?, ?, ?, ?, ?) RETURNING id',
        action,
        verb,
        target,
        data,
        ts,
      )
      .one().id;
    return { action, seq, version, previous };
  });
  // Cache ids only once the transaction that created them has committed.
  for (const [key, id] of fresh) {
    if (key.startsWith('verb:')) ids.verbs.set(key.slice(5), id);
    else ids.nouns.set(key.slice(5), id);
  }
  return result;
}
