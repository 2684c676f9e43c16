import type { ACTION_STATUSES, DURABILITIES } from '../../schemas/index.ts';
import type { StorageLike } from '../storage-like.ts';
import { buildEventRow } from './event-row.ts';
import { chainHead, type StoreState, type VerbRow } from './store-state.ts';
import { verbForms } from './verb-forms.ts';

/** One action as the store writes it. JSON columns are already serialized. */
export interface ActionWrite {
  verb: string;
  type: string;
  target: string;
  /** The thing's new data as JSON text; `undefined` writes no new version (a failed action). */
  data: string | null | undefined;
  deleted?: boolean;
  branch: string | null;
  name?: string | null;
  actor: string | null;
  durability: (typeof DURABILITIES)[number];
  status: (typeof ACTION_STATUSES)[number];
  error: string | null;
  ts: number;
  requestId: string | null;
  sessionId: string | null;
  workflowId: string | null;
  correlationId: string | null;
  startedAt: number | null;
  completedAt: number | null;
  /** Complete this earlier (pending/running) action instead of inserting a new one. */
  actionId?: number;
  /** The event's data when it differs from the version's (JSON text), e.g. a lifecycle summary. */
  payload?: string | null;
}

/** What one write produced. */
export interface Written {
  action: number;
  seq: number;
  version: number | null;
  previous: number | null;
  hash: string;
}

/** The row of a verb, registering it with its forms on first use. */
export function verbRow(storage: StorageLike, state: StoreState, verb: string): VerbRow {
  const cached = state.verbs.get(verb);
  if (cached) return cached;
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
  const row = storage.sql
    .exec<{
      id: number;
      action: string;
      activity: string;
      event: string;
      reverse: string;
      inverse: string | null;
    }>('SELECT id, action, activity, event, reverse, inverse FROM verbs WHERE verb = ?', verb)
    .one();
  state.verbs.set(verb, row);
  return row;
}

/** The id of a noun, registering it on first use. */
export function nounId(storage: StorageLike, state: StoreState, noun: string): number {
  const cached = state.nouns.get(noun);
  if (cached !== undefined) return cached;
  storage.sql.exec('INSERT INTO nouns (noun) VALUES (?) ON CONFLICT (noun) DO NOTHING', noun);
  const id = storage.sql.exec<{ id: number }>('SELECT id FROM nouns WHERE noun = ?', noun).one().id;
  state.nouns.set(noun, id);
  return id;
}

/**
 * The current version of a thing on a branch: its newest version there, or — before the branch's first
 * write — the newest main version at or below the version the branch was forked from.
 */
export function currentVersion(storage: StorageLike, id: string, branch: string | null): number | null {
  const own = storage.sql
    .exec<{ version: number }>(
      'SELECT version FROM things WHERE id = ? AND branch IS ? ORDER BY version DESC LIMIT 1',
      id,
      branch,
    )
    .toArray()[0];
  if (own || branch === null) return own?.version ?? null;
  const fork = storage.sql
    .exec<{ base: number | null; forkedFrom: string | null }>(
      'SELECT base, forkedFrom FROM branches WHERE name = ?',
      branch,
    )
    .toArray()[0];
  if (!fork) throw new Error(`no branch "${branch}": create it with createBranch() first`);
  const parent = fork.forkedFrom === 'main' ? null : fork.forkedFrom;
  const inherited = storage.sql
    .exec<{ version: number }>(
      'SELECT version FROM things WHERE id = ? AND branch IS ? AND version <= ? ORDER BY version DESC LIMIT 1',
      id,
      parent,
      fork.base ?? 0,
    )
    .toArray()[0];
  return inherited?.version ?? null;
}

/**
 * Writes an action: the thing's new version (if any), the action row, and its event with the next seq,
 * chained to the previous event's hash. Must run inside a transaction; updates the cached chain head.
 */
export function writeAction(storage: StorageLike, state: StoreState, w: ActionWrite): Written {
  if (state.ns === null) throw new Error('bind a namespace first (bindNamespace or createEmitter)');
  if (state.readOnly) throw new Error(`this storage is read-only: ${state.readOnly}`);
  const sql = storage.sql;
  const noun = nounId(storage, state, w.type);
  const verb = verbRow(storage, state, w.verb);
  const previous = currentVersion(storage, w.target, w.branch);
  let version: number | null = null;
  if (w.data !== undefined) {
    version = sql
      .exec<{ version: number }>(
        'INSERT INTO things (id, type, branch, name, data, deleted, createdAt) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING version',
        w.target,
        noun,
        w.branch,
        w.name ?? null,
        w.data,
        w.deleted ? 1 : 0,
        w.ts,
      )
      .one().version;
    if (w.branch !== null) sql.exec('UPDATE branches SET head = ? WHERE name = ?', version, w.branch);
  }
  let action: number;
  if (w.actionId !== undefined) {
    sql.exec(
      'UPDATE actions SET input = ?, output = ?, status = ?, error = ?, completedAt = ?, nextAttemptAt = NULL WHERE id = ?',
      previous,
      version,
      w.status,
      w.error,
      w.completedAt,
      w.actionId,
    );
    action = w.actionId;
  } else {
    action = sql
      .exec<{ id: number }>(
        `INSERT INTO actions (verb, actor, target, input, output, durability, status, error, requestId, sessionId,
           workflowId, correlationId, type, createdAt, startedAt, completedAt, ts)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
        verb.id,
        w.actor,
        w.target,
        previous,
        version,
        w.durability,
        w.status,
        w.error,
        w.requestId,
        w.sessionId,
        w.workflowId,
        w.correlationId,
        noun,
        w.ts,
        w.startedAt,
        w.completedAt,
        w.ts,
      )
      .one().id;
  }
  const head = chainHead(storage, state);
  const seq = head.seq + 1;
  const row = buildEventRow({
    ns: state.ns,
    incarnation: state.incarnation,
    seq,
    prevHash: head.hash,
    ts: w.ts,
    noun: w.type,
    action: verb.action,
    past: verb.event,
    target: w.target,
    actor: w.actor,
    durability: w.durability,
    status: w.status,
    branch: w.branch,
    input: previous,
    output: version,
    data: w.payload !== undefined ? w.payload : w.data === undefined ? null : w.data,
    error: w.error,
    requestId: w.requestId,
    sessionId: w.sessionId,
    workflowId: w.workflowId,
    correlationId: w.correlationId,
    startedAt: w.startedAt,
    completedAt: w.completedAt,
  });
  const hash = row.hash!;
  sql.exec(
    'INSERT INTO events (id, action, verb, source, ts, row, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    seq,
    action,
    verb.event,
    w.target,
    w.ts,
    JSON.stringify(row),
    head.hash,
    hash,
  );
  if (seq % state.checkpointEvery === 0) {
    sql.exec(
      'INSERT INTO _dotdo_checkpoints (head_seq, head_hash, count, ts) VALUES (?, ?, ?, ?)',
      seq,
      hash,
      seq,
      w.ts,
    );
  }
  state.head = { seq, hash };
  return { action, seq, version, previous, hash };
}
