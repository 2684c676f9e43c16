import { canonicalJson } from '../../lake/chain/index.ts';
import { META_TABLE } from '../../schemas/index.ts';
import { sql } from '../../sql/sql-template.ts';
import type { SqlValue, StorageLike } from '../storage-like.ts';
import { bindNamespace } from '../store/bind-namespace.ts';
import { writeMeta } from '../store/meta.ts';
import { adoptIncarnation, migrate } from '../store/migrate.ts';
import { markStreamed, pendingEvents } from '../store/outbox.ts';
import { nowMicros } from '../store/record.ts';
import { chainHead, dropStoreState, inTransaction, lastIds, storeState } from '../store/store-state.ts';
import { type ActionWrite, actionWrite, writeAction } from '../store/write-action.ts';

type Row = Record<string, SqlValue>;

/** A Durable Object's state in transit: plain data, so it crosses RPC as it is. */
export interface StateBundle {
  format: 1;
  ns: string;
  incarnation: string;
  head: { seq: number; hash: string | null };
  /** The highest version and action ids the source ever used; the new instance continues after them. */
  lastIds?: { version: number; action: number };
  tables: { nouns: Row[]; verbs: Row[]; things: Row[]; branches: Row[]; actions: Row[] };
}

const TABLES = ['nouns', 'verbs', 'things', 'branches', 'actions'] as const;

/**
 * Exports this object's state — every version, open `do` actions, and the chain head — for a move,
 * a replica or a fork. Refused while events are unstreamed, unless the export is for a fork.
 *
 * @example
 * ```ts
 * import { exportState } from './transfer.ts';
 * const bundle = exportState(ctx.storage); // send it to the new instance, which calls importState
 * ```
 */
export function exportState(storage: StorageLike, options: { allowUnstreamed?: boolean } = {}): StateBundle {
  const state = storeState(storage);
  if (state.ns === null) throw new Error('export: bind a namespace first');
  const pending = pendingEvents(storage);
  if (pending > 0 && !options.allowUnstreamed)
    throw new Error(`export: ${pending} events are not streamed yet; flush first`);
  const select = (table: string, where = sql``): Row[] =>
    storage.sql.exec<Row>(sql`SELECT * FROM ${sql.id(table)} ${where}`.text).toArray();
  return {
    format: 1,
    ns: state.ns,
    incarnation: state.incarnation,
    head: { ...chainHead(storage, state) },
    lastIds: { ...lastIds(storage, state) },
    tables: {
      nouns: select('nouns'),
      verbs: select('verbs'),
      things: select('things'),
      branches: select('branches'),
      actions: select('actions', sql`WHERE id IN (SELECT action FROM _dotdo_due)`),
    },
  };
}

function insertAll(storage: StorageLike, table: string, rows: Row[]): void {
  for (const row of rows) {
    const columns = Object.keys(row);
    storage.sql.exec(
      // Column names come from the imported bundle: quoted by the template, never spliced as written.
      sql`INSERT INTO ${sql.id(table)} (${sql.join(columns.map((c) => sql.id(c)))}) VALUES (${sql.raw(columns.map(() => '?').join(', '))})`
        .text,
      ...columns.map((c) => row[c]),
    );
  }
}

function requireFresh(storage: StorageLike): void {
  migrate(storage);
  const used = storage.sql
    .exec<{ n: number }>(
      'SELECT (SELECT count(*) FROM things) + (SELECT count(*) FROM events) + (SELECT count(*) FROM actions) AS n',
    )
    .one().n;
  if (used > 0)
    throw new Error('import: the target storage already holds things or events; import into a fresh object');
  // Nouns and verbs a fresh object registered up front (declared vocabulary) give way to the bundle's.
  storage.sql.exec('DELETE FROM verbs');
  storage.sql.exec('DELETE FROM nouns');
  dropStoreState(storage);
}

/** How an imported bundle is taken in. */
export type ImportMode = 'move' | 'replica';

/**
 * Imports a bundle into a fresh object. A `move` carries the incarnation, seq and chain head over and
 * records a `moved` event that continues the chain, so the lake's history of the namespace stays
 * gapless and verifiable across the move. A `replica` is a read-only copy that writes no events.
 *
 * @example
 * ```ts
 * import { importState } from './transfer.ts';
 * importState(ctx.storage, bundle, 'move');
 * ```
 */
export function importState(
  storage: StorageLike,
  bundle: StateBundle,
  mode: ImportMode,
): { seq: number | null } {
  if (bundle?.format !== 1) throw new Error('import: not a state bundle (format 1)');
  requireFresh(storage);
  const seq = inTransaction(storage, () => {
    for (const table of TABLES) insertAll(storage, table, bundle.tables[table]);
    storage.sql.exec(
      "INSERT INTO _dotdo_due (action) SELECT id FROM actions WHERE durability = 'do' AND status IN ('pending', 'running', 'retrying')",
    );
    if (bundle.lastIds) {
      writeMeta(storage, 'last_version', String(bundle.lastIds.version));
      writeMeta(storage, 'last_action', String(bundle.lastIds.action));
    }
    writeMeta(storage, 'chain_head_seq', String(bundle.head.seq));
    markStreamed(storage, bundle.head.seq, nowMicros()); // everything up to the head was streamed by the source
    if (bundle.head.hash) writeMeta(storage, 'chain_head_hash', bundle.head.hash);
    if (mode === 'replica') {
      writeMeta(storage, 'read_only', `a replica of ${bundle.ns}`);
      return null;
    }
    adoptIncarnation(storage, bundle.incarnation);
    dropStoreState(storage);
    bindNamespace(storage, bundle.ns);
    const ts = nowMicros();
    return writeAction(
      storage,
      storeState(storage),
      lifecycleWrite(bundle.ns, 'move', ts, { from: bundle.head }),
    ).seq;
  });
  dropStoreState(storage);
  if (mode === 'replica')
    storage.sql.exec(`INSERT OR REPLACE INTO ${META_TABLE} (key, value) VALUES ('ns', ?)`, bundle.ns);
  return { seq };
}

/** Marks the source of a move read-only: its namespace now lives elsewhere. */
export function markMoved(storage: StorageLike, to: string): void {
  writeMeta(storage, 'read_only', `the namespace moved to ${to}`);
  writeMeta(storage, 'moved_to', to);
  dropStoreState(storage);
}

/**
 * Undoes {@link markMoved} after a move whose target refused the state: this object keeps the namespace.
 *
 * @example
 * ```ts
 * import { markMoved, unmarkMoved } from './transfer.ts';
 * markMoved(ctx.storage, id);
 * try { await target.receive({ kind: 'move', bundle }); } catch (e) { unmarkMoved(ctx.storage); throw e; }
 * ```
 */
export function unmarkMoved(storage: StorageLike): void {
  storage.sql.exec(`DELETE FROM ${META_TABLE} WHERE key IN ('read_only', 'moved_to')`);
  dropStoreState(storage);
}

/**
 * Records an event about the object itself (`Namespace.forked`, …): no version, the payload as data.
 *
 * @example
 * ```ts
 * import { recordLifecycle } from './transfer.ts';
 * recordLifecycle(ctx.storage, 'fork', { to: 'https://acme-labs.startups.studio' });
 * ```
 */
export function recordLifecycle(
  storage: StorageLike,
  verb: string,
  payload: unknown,
  actor: string | null = null,
): { seq: number } {
  const state = storeState(storage);
  if (state.ns === null) throw new Error(`${verb}: bind a namespace first`);
  const ns = state.ns;
  return inTransaction(storage, () => ({
    seq: writeAction(storage, state, { ...lifecycleWrite(ns, verb, nowMicros(), payload), actor }).seq,
  }));
}

/** An event about the object itself (moved, compacted, forked, replicated): no version, a payload. */
export function lifecycleWrite(ns: string, verb: string, ts: number, payload: unknown): ActionWrite {
  return actionWrite({ verb, type: 'Namespace', target: ns, ts, payload: canonicalJson(payload) });
}

/**
 * Forks: a new namespace with its own identity and a fresh history (seq from 1, a new incarnation),
 * holding the current version of every thing of the source's main branch as a `forked` event each.
 *
 * @example
 * ```ts
 * import { exportState, importFork } from './transfer.ts';
 * importFork(target.storage, exportState(source.storage, { allowUnstreamed: true }), 'https://acme-labs.startups.studio');
 * ```
 */
export function importFork(storage: StorageLike, bundle: StateBundle, ns: string): { events: number } {
  if (bundle?.format !== 1) throw new Error('fork: not a state bundle (format 1)');
  if (ns.replace(/\/+$/, '') === bundle.ns) throw new Error('fork: a fork needs a namespace of its own');
  requireFresh(storage);
  bindNamespace(storage, ns);
  const state = storeState(storage);
  const nouns = new Map(bundle.tables.nouns.map((n) => [n.id, String(n.noun)]));
  const latest = new Map<string, Row>();
  for (const thing of bundle.tables.things) if (thing.branch === null) latest.set(String(thing.id), thing);
  return inTransaction(storage, () => {
    let events = 0;
    for (const thing of latest.values()) {
      if (thing.deleted === 1) continue;
      const ts = nowMicros();
      writeAction(storage, state, {
        ...lifecycleWrite(ns, 'fork', ts, null),
        type: nouns.get(thing.type as number) ?? 'Thing',
        target: String(thing.id),
        data: (thing.data as string | null) ?? null,
        payload: undefined,
        name: (thing.name as string | null) ?? null,
      });
      events++;
    }
    return { events };
  });
}
