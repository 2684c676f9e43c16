import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
  type ActionHandler,
  bindNamespace,
  createActions,
  createEmitter,
  type Sink,
  parseEventRow,
} from '../../ingest/index.ts';
import type { EventRow } from '../../schemas/index.ts';
import { type ChainEvent, verifyChain } from '../../lake/chain/index.ts';

const inDo = <R>(name: string, fn: (state: DurableObjectState) => R | Promise<R>): Promise<R> =>
  runInDurableObject(env.STARTUP.getByName(name), (_instance, state) => {
    bindNamespace(state.storage, `https://${name}.example.com`);
    return fn(state);
  });

function capture(): Sink<EventRow> & { rows: EventRow[] } {
  const rows: EventRow[] = [];
  return {
    rows,
    async send(batch) {
      rows.push(...batch);
    },
  };
}

const events = (state: DurableObjectState) =>
  state.storage.sql
    .exec<{ row: string }>('SELECT row FROM events ORDER BY id')
    .toArray()
    .map((r) => parseEventRow(r.row));

describe('durability: send', () => {
  it('returns before the handler runs and never touches the sink; the event is recorded once the handler finishes', async () => {
    await inDo('actions-send', async (state) => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const neverAcks: Sink<EventRow> = { send: () => new Promise(() => {}) };
      const waited: Promise<unknown>[] = [];
      const actions = createActions(state.storage, {
        handlers: {
          ping: async ({ call }) => {
            await gate;
            return { pinged: call.input ?? null };
          },
        },
        waitUntil: (p) => waited.push(p),
      });
      createEmitter(state.storage, { ns: 'https://actions-send.example.com', sink: neverAcks });
      const started = Date.now();
      expect(actions.send({ verb: 'ping', type: 'Probe', target: 'p1', input: 1 })).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(50);
      expect(events(state)).toHaveLength(0); // not recorded yet: lost if the object died now
      release();
      await Promise.all(waited);
      const [event] = events(state);
      expect(event).toMatchObject({
        durability: 'send',
        status: 'completed',
        event: 'Probe.pinged',
        data: { pinged: 1 },
      });
    });
  });

  it('records a failed send as a failed event', async () => {
    await inDo('actions-send-fail', async (state) => {
      const waited: Promise<unknown>[] = [];
      const errors: unknown[] = [];
      const actions = createActions(state.storage, {
        handlers: { ping: () => Promise.reject(new Error('unreachable')) },
        waitUntil: (p) => waited.push(p),
        onSendError: (error) => errors.push(error),
      });
      actions.send({ verb: 'ping', type: 'Probe', target: 'p1' });
      await Promise.all(waited);
      expect(errors).toHaveLength(1);
      expect(events(state)[0]).toMatchObject({
        status: 'failed',
        error: { message: 'unreachable' },
        output_version: null,
      });
    });
  });
});

describe('durability: try', () => {
  it('waits for the handler, records the new version, and records a failure with its error', async () => {
    await inDo('actions-try', async (state) => {
      const actions = createActions(state.storage, {
        handlers: {
          rename: ({ call, current }) => ({ ...(current as object), name: call.input as string }),
          explode: () => {
            throw new TypeError('boom');
          },
        },
      });
      const ok = await actions.try({ verb: 'rename', type: 'Startup', target: 'acme', input: 'Acme' });
      expect(ok).toMatchObject({ status: 'completed', seq: 1, version: 1, data: { name: 'Acme' } });
      await expect(actions.try({ verb: 'explode', type: 'Startup', target: 'acme' })).rejects.toThrow('boom');
      const [, failed] = events(state);
      expect(failed).toMatchObject({
        durability: 'try',
        status: 'failed',
        error: { name: 'TypeError', message: 'boom' },
        input_version: 'https://actions-try.example.com/acme@v1',
        output_version: null,
      });
      const things = state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM things').one().n;
      expect(things).toBe(1);
    });
  });
});

describe('durability: do', () => {
  it('retries from the alarm with backoff until the handler succeeds; the event lands', async () => {
    await inDo('actions-do', async (state) => {
      let calls = 0;
      const alarms: number[] = [];
      const flaky: ActionHandler = ({ attempt }) => {
        calls++;
        if (attempt < 3) throw new Error(`attempt ${attempt} failed`);
        return { charged: true, attempt };
      };
      const actions = createActions(state.storage, {
        handlers: { charge: flaky },
        scheduleAlarm: (at) => {
          alarms.push(at);
        },
        retry: { baseMs: 100, jitter: 0 },
      });
      const first = await actions.do({
        verb: 'charge',
        type: 'Order',
        target: 'orders/7',
        input: { cents: 1200 },
      });
      expect(first.status).toBe('retrying');
      expect(first.nextAttemptAt! - Date.now()).toBeGreaterThan(50);
      expect(await actions.runDue(Date.now())).toEqual([]); // not due yet
      const second = await actions.runDue(first.nextAttemptAt! + 1);
      expect(second).toMatchObject([{ status: 'retrying' }]);
      expect(second[0]!.nextAttemptAt! - first.nextAttemptAt!).toBeGreaterThanOrEqual(100); // doubled
      const third = await actions.runDue(second[0]!.nextAttemptAt! + 1);
      expect(third).toMatchObject([{ status: 'completed', data: { charged: true, attempt: 3 } }]);
      expect(calls).toBe(3);
      expect(alarms).toHaveLength(2);

      const sink = capture();
      await createEmitter(state.storage, { ns: 'https://actions-do.example.com', sink }).flush();
      expect(sink.rows).toHaveLength(1);
      expect(sink.rows[0]).toMatchObject({ durability: 'do', status: 'completed', event: 'Order.charged' });
      expect(sink.rows[0]!.started_at).toBeLessThan(sink.rows[0]!.completed_at!);
      const action = state.storage.sql
        .exec<{ status: string; attempts: number }>('SELECT status, attempts FROM actions')
        .one();
      expect(action).toEqual({ status: 'completed', attempts: 3 });
    });
  });

  it('records a failed event once retries are exhausted', async () => {
    await inDo('actions-do-exhausted', async (state) => {
      const actions = createActions(state.storage, {
        handlers: { charge: () => Promise.reject(new Error('card declined')) },
        retry: { retries: 2, baseMs: 1, jitter: 0 },
      });
      await actions.do({ verb: 'charge', type: 'Order', target: 'orders/8' });
      const far = Date.now() + 60_000;
      expect(await actions.runDue(far)).toMatchObject([{ status: 'retrying' }]);
      expect(await actions.runDue(far)).toMatchObject([{ status: 'failed', error: 'card declined' }]);
      expect(await actions.runDue(far)).toEqual([]);
      expect(events(state)).toMatchObject([
        { status: 'failed', durability: 'do', error: { message: 'card declined' } },
      ]);
    });
  });

  it('picks up an action left running by a restart and completes it', async () => {
    await inDo('actions-do-restart', async (state) => {
      const stuck = createActions(state.storage, { handlers: { ship: () => new Promise(() => {}) } });
      void stuck.do({ verb: 'ship', type: 'Order', target: 'orders/9', input: { to: 'Berlin' } });
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(state.storage.sql.exec<{ status: string }>('SELECT status FROM actions').one().status).toBe(
        'running',
      );
      // A new instance after the restart: the running action is an orphan and runs again.
      const revived = createActions(state.storage, {
        handlers: { ship: ({ call }) => ({ shipped: call.input ?? null }) },
      });
      expect(await revived.runDue()).toMatchObject([
        { status: 'completed', data: { shipped: { to: 'Berlin' } } },
      ]);
      expect(events(state)).toHaveLength(1);
    });
  });
});

describe('undo', () => {
  it('records the inverse verb with the data from before, and marks the action undone', async () => {
    await inDo('actions-undo', async (state) => {
      const actions = createActions(state.storage);
      await actions.try({ verb: 'create', type: 'Post', target: 'posts/1', input: { title: 'Hi' } });
      const publish = await actions.try({
        verb: 'publish',
        type: 'Post',
        target: 'posts/1',
        input: { title: 'Hi', live: true },
      });
      const undone = actions.undo(publish.action);
      expect(undone.previous).toBe(publish.version);
      const last = events(state).at(-1)!;
      expect(last).toMatchObject({ event: 'Post.unpublished', data: { title: 'Hi' } });
      expect(
        state.storage.sql
          .exec<{ status: string }>('SELECT status FROM actions WHERE id = ?', publish.action)
          .one().status,
      ).toBe('undone');
      expect(() => actions.undo(publish.action)).toThrow(/is undone; only a completed action/);
      const rename = await actions.try({
        verb: 'rename',
        type: 'Post',
        target: 'posts/1',
        input: { title: 'Yo' },
      });
      expect(() => actions.undo(rename.action)).toThrow(/verb "rename" has no inverse/);
    });
  });
});

describe('the chain across every durability', () => {
  it('verifies, including actions whose new data is null', async () => {
    await inDo('actions-chain', async (state) => {
      const waited: Promise<unknown>[] = [];
      const actions = createActions(state.storage, { waitUntil: (p) => waited.push(p) });
      await actions.try({ verb: 'touch', type: 'Probe', target: 'p1' }); // default handler: data null
      await actions.do({ verb: 'touch', type: 'Probe', target: 'p1', input: { n: 1 } });
      actions.send({ verb: 'touch', type: 'Probe', target: 'p2', input: [1, 'ü', { z: 1, a: 2 }] });
      await Promise.all(waited);
      const rows = events(state);
      expect(rows).toHaveLength(3);
      expect(rows[0]!.data).toBeNull();
      expect(verifyChain(rows as ChainEvent[])).toMatchObject({ ok: true, events: 3 });
    });
  });
});
