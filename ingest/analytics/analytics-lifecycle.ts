import { compact } from '../lifecycle/compact.ts';
import {
  exportState,
  importFork,
  importState,
  markMoved,
  recordLifecycle,
  type StateBundle,
  unmarkMoved,
} from '../lifecycle/transfer.ts';
import { readMeta } from '../store/meta.ts';
import { pendingEvents } from '../store/outbox.ts';
import { AnalyticsError } from './analytics-error.ts';
import type { Runtime } from './analytics-runtime.ts';
import type {
  Analytics,
  LifecycleMessage,
  LifecycleStubLike,
  ObjectNamespaceLike,
} from './analytics-types.ts';
import { assignObject, locateObject } from './objects-table.ts';

type Lifecycle = Pick<
  Analytics<string, Record<string, string>, unknown>,
  'compact' | 'fork' | 'moveTo' | 'receive'
>;

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\/[^\s/]+(\/\S*)?$/i;

function requireBinding(binding: ObjectNamespaceLike | undefined, what: string): ObjectNamespaceLike {
  if (!binding)
    throw new AnalyticsError(
      'no_binding',
      `${what} needs binding: the class's own namespace (e.g. env.STARTUP)`,
      'binding',
    );
  return binding;
}

/** Flushes everything, or refuses `what` with the count still unstreamed and why. */
async function flushAll(runtime: Runtime, what: string): Promise<void> {
  let cause = '';
  if (pendingEvents(runtime.storage) > 0) {
    try {
      await runtime.emitter().flush();
    } catch (error) {
      cause = `: ${(error as Error).message}`;
    }
  }
  const pending = pendingEvents(runtime.storage);
  if (pending > 0)
    throw new AnalyticsError(
      'unstreamed',
      `${what}: ${pending} events are not streamed yet${cause}; nothing changed`,
    );
}

function isBundle(value: unknown): value is StateBundle {
  return typeof value === 'object' && value !== null && (value as StateBundle).format === 1;
}

/** What the lifecycle operations share. */
interface LifecycleDeps {
  runtime: Runtime;
  binding: ObjectNamespaceLike | undefined;
  /** Registers the declared vocabulary (before a write). */
  ready(): void;
  /** Forgets that the vocabulary was registered (after an import replaced it). */
  reset(): void;
}

async function publishLocation(d: LifecycleDeps, ns: string, id: string, hint: string | null): Promise<void> {
  if (d.runtime.ctx.id.name === ns) assignObject(d.runtime.storage, ns, id, hint);
  else {
    const home = requireBinding(d.binding, 'moveTo').getByName(ns) as LifecycleStubLike;
    await home.receive({ kind: 'relocate', ns, id, locationHint: hint });
  }
}

async function moveTo(d: LifecycleDeps, locationHint?: string): Promise<{ id: string; seq: number | null }> {
  const { runtime } = d;
  const storage = runtime.storage;
  const ns = runtime.ns();
  const namespace = requireBinding(d.binding, 'moveTo');
  const movedTo = readMeta(storage, 'moved_to');
  if (movedTo) {
    // A move whose objects-table update failed: publish it again.
    await publishLocation(d, ns, movedTo, locationHint ?? null);
    return { id: movedTo, seq: null };
  }
  runtime.writable();
  await flushAll(runtime, 'moveTo');
  const id = namespace.newUniqueId();
  const text = id.toString();
  // Export and retire in one synchronous step: no write can slip in between.
  const bundle = exportState(storage);
  const due = storage.sql.exec<{ action: number }>('SELECT action FROM _dotdo_due').toArray();
  storage.transactionSync(() => {
    markMoved(storage, text);
    storage.sql.exec('DELETE FROM _dotdo_due'); // open `do` actions run in the new instance from now on
  });
  runtime.reset();
  let seq: number | null;
  try {
    const target: LifecycleStubLike = namespace.get(id, locationHint ? { locationHint } : undefined);
    ({ seq } = (await target.receive({ kind: 'move', bundle })) as { seq: number | null });
  } catch (error) {
    storage.transactionSync(() => {
      unmarkMoved(storage);
      for (const row of due)
        storage.sql.exec('INSERT OR IGNORE INTO _dotdo_due (action) VALUES (?)', row.action);
    });
    runtime.reset();
    throw error;
  }
  await publishLocation(d, ns, text, locationHint ?? null);
  await storage.deleteAlarm?.();
  return { id: text, seq };
}

function imported<T>(d: LifecycleDeps, result: T): T {
  d.reset();
  d.runtime.reset();
  d.runtime.afterWrite();
  return result;
}

async function receive(d: LifecycleDeps, message: LifecycleMessage): Promise<unknown> {
  const storage = d.runtime.storage;
  switch (message?.kind) {
    case 'move':
      if (!isBundle(message.bundle))
        throw new AnalyticsError('invalid_input', 'move: not a state bundle', 'bundle');
      return imported(d, importState(storage, message.bundle, 'move'));
    case 'fork': {
      if (!isBundle(message.bundle))
        throw new AnalyticsError('invalid_input', 'fork: not a state bundle', 'bundle');
      const { events } = imported(d, importFork(storage, message.bundle, message.ns));
      return { ns: d.runtime.ns(), events };
    }
    case 'locate':
      return locateObject(storage, String(message.ns));
    case 'relocate':
      if (typeof message.id !== 'string' || !/^[0-9a-f]{64}$/.test(message.id))
        throw new AnalyticsError('invalid_input', 'relocate: id must be an object id (64 hex digits)', 'id');
      assignObject(storage, String(message.ns), message.id, message.locationHint ?? null);
      return null;
    default:
      throw new AnalyticsError(
        'invalid_input',
        'receive: kind must be move, fork, locate or relocate',
        'kind',
      );
  }
}

async function fork(d: LifecycleDeps, to: string): Promise<{ ns: string; events: number }> {
  const from = d.runtime.ns();
  if (typeof to !== 'string' || !URL_LIKE.test(to))
    throw new AnalyticsError('invalid_input', `fork: to must be a namespace URL, got "${String(to)}"`, 'to');
  if (to.replace(/\/+$/, '') === from)
    throw new AnalyticsError('invalid_input', 'fork: a fork needs a namespace of its own', 'to');
  const target: LifecycleStubLike = requireBinding(d.binding, 'fork').getByName(to);
  const bundle = exportState(d.runtime.storage, { allowUnstreamed: true });
  const result = (await target.receive({ kind: 'fork', bundle, ns: to })) as { ns: string; events: number };
  d.runtime.writable();
  recordLifecycle(d.runtime.storage, 'fork', { to: result.ns, events: result.events });
  d.runtime.afterWrite();
  return result;
}

/** Builds compact / fork / moveTo and the receiving side of fork and move. */
export function createLifecycle(deps: LifecycleDeps): Lifecycle {
  const { runtime } = deps;
  return {
    async compact(options = {}) {
      runtime.ns();
      runtime.writable();
      await flushAll(runtime, 'compact');
      deps.ready();
      const result = compact(runtime.storage, options);
      runtime.afterWrite();
      return result;
    },
    fork: ({ to }) => fork(deps, to),
    moveTo: (locationHint) => moveTo(deps, locationHint),
    receive: (message) => receive(deps, message),
  };
}
