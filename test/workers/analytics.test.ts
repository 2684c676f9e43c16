import { abortAllDurableObjects, runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { AnalyticsError, analytics, type DoOutcome, type JsonObject } from '../../ingest/index.ts';
import { type ChainEvent, verifyChain } from '../../lake/chain/index.ts';
import { eventRow, fromLakeRow } from '../../schemas/index.ts';
import { eventually, failPayments, lakeEvents, paymentAttempts } from './helpers.ts';

const startup = (ns: string) => env.STARTUP.getByName(ns);
const customer = (ns: string) => env.CUSTOMER!.getByName(ns);
/** The Customer's RPC methods, narrowed: the full RPC type of a JSON-valued result is too deep for tsc. */
const customerRpc = (ns: string) =>
  env.CUSTOMER!.getByName(ns) as unknown as {
    charge(cents: number): Promise<DoOutcome<JsonObject | null>>;
    signUp(email: string): Promise<unknown>;
  };

describe('$.send', () => {
  it('returns at once; the event lands once the handler finished', async () => {
    const ns = 'https://send.analytics.example.com';
    await runInDurableObject(startup(ns), async (instance) => {
      const started = Date.now();
      expect(
        instance.$.send('Startup.created', { name: 'Acme' }, { target: 'acme', actor: 'agents/priya' }),
      ).toBe(undefined);
      expect(Date.now() - started).toBeLessThan(50);
      await eventually(() => instance.$.things.get('acme'));
      expect(instance.$.things.get('acme')).toMatchObject({ version: 1, data: { name: 'Acme' } });
      await instance.$.flush();
    });
    const [row] = await lakeEvents(ns);
    expect(row).toMatchObject({ event: 'Startup.created', durability: 'send', status: 'completed', seq: 1 });
    expect(row!.actor).toBe(`${ns}/agents/priya`);
  });
});

describe('$.try', () => {
  it('waits and records completion; records a failure as a failed event and rethrows', async () => {
    const ns = 'https://try.customers.example.com';
    await failPayments(ns, 1);
    const outcome = await runInDurableObject(customer(ns), async (instance) => {
      const created = await instance.$.try('Customer.create', { email: 'a@b.co' }, { target: 'profile' });
      expect(created).toMatchObject({ seq: 1, version: 1, data: { email: 'a@b.co' } });
      const failure = await instance.$.try('Customer.charge', { cents: 500 }, { target: 'profile' }).catch(
        (e) => e,
      );
      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toBe('payments answered 503');
      const paid = await instance.$.try('Customer.charge', { cents: 500 }, { target: 'profile' });
      await instance.$.flush();
      return paid;
    });
    expect(outcome).toMatchObject({ seq: 3, version: 2, data: { email: 'a@b.co', paidCents: 500 } });
    const rows = await lakeEvents(ns);
    expect(rows.map((r) => [r.seq, r.event, r.durability, r.status])).toEqual([
      [1, 'Customer.created', 'try', 'completed'],
      [2, 'Customer.charged', 'try', 'failed'],
      [3, 'Customer.charged', 'try', 'completed'],
    ]);
    expect(rows[1]).toMatchObject({ output_version: null, input_version: `${ns}/profile@v1` });
    expect(JSON.parse(String(rows[1]!.error))).toMatchObject({ message: 'payments answered 503' });
  });
});

describe('$.do', () => {
  it('fails twice, then succeeds from the alarm across an abort and a restart; one completed event', async () => {
    const ns = 'https://do.customers.example.com';
    await failPayments(ns, 2);
    const first = await customerRpc(ns).charge(1200);
    expect(first).toMatchObject({ status: 'retrying', error: 'payments answered 503' });
    expect(first.nextAttemptAt! - Date.now()).toBeGreaterThan(40); // ~100 ms of backoff
    await abortAllDurableObjects(); // the object dies with its retry pending, before the alarm is due
    // The alarm wakes a fresh instance, which runs the persisted action again: attempt 2 fails and
    // re-arms the alarm with a doubled delay; attempt 3 succeeds. (A stub from before an abort is
    // broken, so the object is reached anew.)
    const history = await eventually(async () => {
      const versions = await runInDurableObject(customer(ns), (instance) =>
        instance.$.things.history('profile'),
      );
      return versions.length > 0 ? versions : null;
    });
    expect(await paymentAttempts(ns)).toBe(3);
    expect(history).toMatchObject([{ version: 1, verb: 'charge', data: { paidCents: 1200 } }]);
    await runInDurableObject(customer(ns), (instance) => instance.$.flush());
    const rows = await lakeEvents(ns);
    expect(rows.map((r) => [r.seq, r.event, r.durability, r.status])).toEqual([
      [1, 'Customer.charged', 'do', 'completed'],
    ]);
    const event = fromLakeRow(eventRow, rows[0]!) as { started_at: number; completed_at: number };
    expect(event.started_at).toBeLessThan(event.completed_at);
  });

  it('records a failed event once its retries are exhausted', async () => {
    const ns = 'https://do-exhausted.customers.example.com';
    await failPayments(ns, 100);
    const stub = customer(ns);
    expect(await customerRpc(ns).charge(99)).toMatchObject({ status: 'retrying' });
    // Retries run from the alarm (100, 200, 400 ms); the failed event is recorded after the last, and
    // the same alarm streams it.
    await eventually(async () => (await paymentAttempts(ns)) === 4, 10_000);
    const rows = await eventually(async () => {
      await runInDurableObject(stub, (instance) => instance.$.flush());
      const landed = await lakeEvents(ns);
      return landed.length > 0 ? landed : null;
    });
    expect(await paymentAttempts(ns)).toBe(4);
    expect(rows.map((r) => [r.event, r.durability, r.status, r.output_version])).toEqual([
      ['Customer.charged', 'do', 'failed', null],
    ]);
  });
});

describe('actions as methods', () => {
  it('a wrapped method records verb, actor, target, and its input and output versions', async () => {
    const ns = 'https://methods.customers.example.com';
    const stub = customer(ns);
    await customerRpc(ns).signUp('first@example.com');
    await customerRpc(ns).charge(700);
    await customerRpc(ns).signUp('second@example.com');
    await runInDurableObject(stub, (instance) => instance.$.flush());
    const rows = await lakeEvents(ns);
    expect(rows.map((r) => [r.event, r.target, r.input_version, r.output_version])).toEqual([
      ['Customer.created', `${ns}/profile`, null, `${ns}/profile@v1`],
      ['Customer.charged', `${ns}/profile`, `${ns}/profile@v1`, `${ns}/profile@v2`],
      ['Customer.created', `${ns}/profile`, `${ns}/profile@v2`, `${ns}/profile@v3`],
    ]);
    const versions = await runInDurableObject(stub, (instance) => [
      instance.$.things.get('profile@~1')?.data,
      instance.$.things.get('profile')?.data,
      instance.$.things.get('nobody'),
    ]);
    expect(versions).toEqual([
      { email: 'first@example.com', paidCents: 700 },
      { email: 'second@example.com' },
      null,
    ]);
    expect(verifyChain(rows.map((r) => fromLakeRow(eventRow, r) as ChainEvent)).ok).toBe(true);
  });
});

describe('declared verbs', () => {
  it('keeps the declared event forms; a stored verb with other forms is a configuration error', async () => {
    const ns = 'https://forms.analytics.example.com';
    await runInDurableObject(startup(ns), async (instance) => {
      await instance.$.try('Startup.raise', { amount: 3 }, { target: 'acme' });
      await instance.$.try('Startup.raise', { amount: 4 }, { target: 'acme' });
      expect(instance.$.things.get('acme')?.data).toEqual({ raised: 7 });
      const undone = instance.$.undo(
        (await instance.$.try('Startup.create', { name: 'Acme' }, { target: 'beta' })).action,
      );
      expect(undone.previous).toBe(3);
      await instance.$.flush();
    });
    const rows = await lakeEvents(ns);
    expect(rows.map((r) => r.event)).toEqual([
      'Startup.raised',
      'Startup.raised',
      'Startup.created',
      'Startup.deleted',
    ]);
    expect(rows[0]!.type).toBe(`${ns}/Startup`);
    const clash = await runInDurableObject(startup(ns), (_instance, state) => {
      const other = analytics(state, { nouns: ['Startup'], verbs: { create: 'creatified' } });
      return other.try('Startup.create', {}, { target: 'gamma' }).catch((e) => e);
    });
    expect(clash).toMatchObject({ code: 'invalid_config', field: 'verbs.create' });
    expect((clash as Error).message).toMatch(/stored with event form "created", not "creatified"/);
  });

  it('refuses to write on an object whose namespace cannot be known', async () => {
    const error = await runInDurableObject(env.STARTUP.getByName('not-a-url'), (instance) =>
      instance.$.try('Startup.create', {}, { target: 'acme' }).catch((e) => e),
    );
    expect(error).toBeInstanceOf(AnalyticsError);
    expect(error).toMatchObject({ code: 'no_namespace' });
  });
});

describe('reads and branches', () => {
  it('reads a branch apart from main, and history per branch', async () => {
    const ns = 'https://branches.analytics.example.com';
    await runInDurableObject(startup(ns), async (instance) => {
      const $ = instance.$;
      await $.try('Startup.create', { name: 'Acme' }, { target: 'acme' });
      expect($.branches.create('experiment')).toMatchObject({ name: 'experiment', base: 1 });
      await $.try('Startup.raise', { amount: 9 }, { target: 'acme', branch: 'experiment' });
      expect($.things.get('acme')?.data).toEqual({ name: 'Acme' });
      expect($.things.get('acme@experiment')?.data).toEqual({ name: 'Acme', raised: 9 });
      expect($.things.history('acme').map((v) => v.verb)).toEqual(['create']);
      expect($.things.history('acme', { branch: 'experiment' })).toMatchObject([
        { version: 2, verb: 'raise' },
      ]);
      expect($.branches.list().map((b) => b.name)).toEqual(['experiment']);
      expect(() => $.things.get('acme@@')).toThrow(/ref "acme@@"/);
      expect(() => $.things.history('acme', { limit: 0 })).toThrow(AnalyticsError);
    });
  });
});

describe('hostile calls', () => {
  it('refuses malformed lifecycle messages and writes on a missing binding, changing nothing', async () => {
    const ns = 'https://hostile.analytics.example.com';
    const result = await runInDurableObject(startup(ns), async (instance, state) => {
      const $ = instance.$;
      await $.try('Startup.create', {}, { target: 'acme' });
      const codes: unknown[] = [];
      for (const message of [
        null,
        { kind: 'explode' },
        { kind: 'move', bundle: { format: 9 } },
        { kind: 'relocate', ns, id: 'x' },
      ])
        codes.push(await $.receive(message as never).catch((e: AnalyticsError) => `${e.code}:${e.field}`));
      const noBinding = analytics(state, { nouns: ['Startup'], verbs: { create: 'created' }, ns });
      codes.push(await noBinding.moveTo('weur').catch((e: AnalyticsError) => e.code));
      codes.push(
        await noBinding.fork({ to: 'https://other.example.com' }).catch((e: AnalyticsError) => e.code),
      );
      codes.push(await $.fork({ to: 'not a url' }).catch((e: AnalyticsError) => `${e.code}:${e.field}`));
      return { codes, head: $.things.get('acme')?.version, moved: await $.receive({ kind: 'locate', ns }) };
    });
    expect(result).toEqual({
      codes: [
        'invalid_input:kind',
        'invalid_input:kind',
        'invalid_input:bundle',
        'invalid_input:id',
        'no_binding',
        'no_binding',
        'invalid_input:to',
      ],
      head: 1,
      moved: null,
    });
  });
});
