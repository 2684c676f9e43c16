import type { ACTION_STATUSES, DURABILITIES } from '../../schemas/index.ts';
import type { SqlValue, StorageLike } from '../storage-like.ts';
import { sql } from '../../sql/sql-template.ts';
import { type ActionContext, encodeEventRow } from './event-row.ts';
import { chainHead, lastIds, type StoreState, storeState, type VerbRow } from './store-state.ts';
import { type VerbForms, verbForms } from './verb-forms.ts';

/** One action as the store writes it. JSON columns are already serialized. */
export interface ActionWrite extends ActionContext {
  verb: string;
  type: string;
  target: string;
  /** The thing's new data as canonical JSON text; `undefined` writes no new version (a failed action). */
  data: string | null | undefined;
  deleted?: boolean;
  branch: string | null;
  name?: string | null;
  actor: string | null;
  durability: (typeof DURABILITIES)[number];
  status: (typeof ACTION_STATUSES)[number];
  error: string | null;
  ts: number;
  /** Complete this earlier (pending/running) action instead of inserting a new one. */
  actionId?: number;
  /** The event's data when it differs from the version's (JSON text), e.g. a lifecycle summary. */
  payload?: string | null;
}

/**
 * An {@link ActionWrite} with every optional field at its default: durability `try`, status
 * `completed`, no version written, no correlation ids, started and completed at `ts`.
 *
 * @example
 * ```ts
 * import { actionWrite } from './write-action.ts';
 * actionWrite({ verb: 'compact', type: 'Namespace', target: ns, ts: nowMicros(), payload: '{}' });
 * ```
 */
export function actionWrite(
  fields: Pick<ActionWrite, 'verb' | 'type' | 'target' | 'ts'> & Partial<ActionWrite>,
): ActionWrite {
  return {
    data: undefined,
    branch: null,
    actor: null,
    durability: 'try',
    status: 'completed',
    error: null,
    requestId: null,
    sessionId: null,
    workflowId: null,
    correlationId: null,
    startedAt: fields.ts,
    completedAt: fields.ts,
    ...fields,
  };
}

/** What one write produced. */
export interface Written {
  action: number;
  seq: number;
  version: number | null;
  previous: number | null;
  hash: string;
}

const THING_COLUMNS = ['version', 'id', 'type', 'branch', 'name', 'data', 'deleted', 'createdAt'] as const;
const RECORD_COLUMNS = [
  'version',
  'target',
  'type',
  'branch',
  'name',
  'data',
  'deleted',
  'action',
  'verb',
  'actor',
  'input',
  'durability',
  'status',
  'error',
  'requestId',
  'sessionId',
  'workflowId',
  'correlationId',
  'startedAt',
  'completedAt',
  'ts',
  'seq',
  'row',
] as const;
// Statement texts per set of present columns (a bitmask), one cache per table.
const recordSql = new Map<number, string>();
const thingSql = new Map<number, string>();

// Each bound parameter costs real time in the DO SQL API, so only columns with a value are bound (the
// others take their defaults); the statement text is cached per table and set of present columns.
function insertPresent(
  storage: StorageLike,
  statements: Map<number, string>,
  table: string,
  columns: readonly string[],
  values: (SqlValue | undefined)[],
): void {
  const args: unknown[] = [''];
  let mask = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === null || value === undefined) continue;
    mask |= 1 << i;
    args.push(value);
  }
  let text = statements.get(mask);
  if (text === undefined) {
    const names = columns.filter((_, i) => mask & (1 << i));
    text =
      sql`INSERT INTO ${sql.id(table)} (${sql.join(names.map((name) => sql.id(name)))}) VALUES (${sql.raw(names.map(() => '?').join(', '))})`
        .text;
    statements.set(mask, text);
  }
  args[0] = text;
  storage.sql.exec.apply(storage.sql, args as [string, ...unknown[]]);
}

/** Stores a verb with its forms unless it is stored already (the first forms stored win). */
export function insertVerb(storage: StorageLike, verb: string, forms: VerbForms): void {
  storage.sql.exec(
    'INSERT INTO verbs (verb, action, activity, event, reverse, inverse) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (verb) DO NOTHING',
    verb,
    forms.action,
    forms.activity,
    forms.event,
    forms.reverse,
    forms.inverse,
  );
}

/** The row of a verb, registering it with its forms on first use. */
export function verbRow(storage: StorageLike, state: StoreState, verb: string): VerbRow {
  const cached = state.verbs.get(verb);
  if (cached) return cached;
  insertVerb(storage, verb, verbForms(verb));
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
  const versions = storeState(storage).versions;
  const key = `${branch ?? ''}\u0000${id}`;
  const cached = versions.get(key);
  if (cached !== undefined) return cached;
  const found = lookupVersion(storage, id, branch);
  if (versions.size >= 50_000) versions.clear();
  versions.set(key, found);
  return found;
}

function lookupVersion(storage: StorageLike, id: string, branch: string | null): number | null {
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
  const ids = lastIds(storage, state);
  const version = w.data !== undefined ? ids.version + 1 : null;
  const action = w.actionId ?? ids.action + 1;
  const head = chainHead(storage, state);
  const seq = head.seq + 1;
  const encoded = encodeEventRow({
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
    actionId: action,
    name: version === null ? null : (w.name ?? null),
    deleted: version !== null && w.deleted === true,
    data: w.payload !== undefined ? w.payload : w.data === undefined ? null : w.data,
    error: w.error,
    requestId: w.requestId,
    sessionId: w.sessionId,
    workflowId: w.workflowId,
    correlationId: w.correlationId,
    startedAt: w.startedAt,
    completedAt: w.completedAt,
  });
  const hash = encoded.hash;
  // The record view's columns start with the thing's, in the same order.
  const thing = [version, w.target, noun, w.branch, w.name, w.data, w.deleted ? 1 : null];
  if (w.actionId === undefined) {
    insertPresent(storage, recordSql, '_dotdo_record', RECORD_COLUMNS, [
      ...thing,
      action,
      verb.id,
      w.actor,
      previous,
      w.durability === 'try' ? null : w.durability,
      w.status === 'completed' ? null : w.status,
      w.error,
      w.requestId,
      w.sessionId,
      w.workflowId,
      w.correlationId,
      w.startedAt,
      w.completedAt,
      w.ts,
      seq,
      encoded.text,
    ]);
    ids.action = action;
  } else {
    // Completing an action recorded earlier (a durable `do`): update it, then add version and event.
    if (version !== null) {
      insertPresent(storage, thingSql, 'things', THING_COLUMNS, [...thing, w.ts]);
    }
    sql.exec(
      'UPDATE actions SET input = ?, output = ?, status = ?, error = ?, completedAt = ?, nextAttemptAt = NULL WHERE id = ?',
      previous,
      version,
      w.status,
      w.error,
      w.completedAt,
      action,
    );
    sql.exec('INSERT INTO events (id, action, row) VALUES (?, ?, ?)', seq, action, encoded.text);
    sql.exec('DELETE FROM _dotdo_due WHERE action = ?', action);
  }
  if (version !== null) {
    ids.version = version;
    state.versions.set(`${w.branch ?? ''}\u0000${w.target}`, version);
    if (w.branch !== null) sql.exec('UPDATE branches SET head = ? WHERE name = ?', version, w.branch);
  }
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
