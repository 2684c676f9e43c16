import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { type ChainEvent, verifyChain } from '../../lake/chain/index.ts';
import { eventRow, fromLakeRow } from '../../schemas/index.ts';
import { injectIngestFaults, lakeEvents } from './helpers.ts';

const post = (path: string, body?: unknown) =>
  exports.default.fetch(`http://worker${path}`, { method: 'POST', body: JSON.stringify(body ?? {}) });
const chain = async (ns: string) => (await lakeEvents(ns)).map((r) => fromLakeRow(eventRow, r) as ChainEvent);

describe('$.moveTo', () => {
  it('keeps the URL, the seq and a verifying chain; the Worker routes new requests to the new instance', async () => {
    const host = 'moving.lifecycle.example.com';
    const ns = `https://${host}`;
    await post(`/ns/${host}/actions`, [
      { verb: 'create', type: 'Startup', target: 'acme', data: { n: 1 } },
      { verb: 'update', type: 'Startup', target: 'acme', data: { n: 2 } },
    ]);
    const moved = await post(`/ns/${host}/move`, { locationHint: 'weur' });
    expect(moved.status).toBe(200);
    const first = (await moved.json()) as { id: string; seq: number };
    expect(first.seq).toBe(3); // Namespace.moved continues the chain in the new instance
    const home = env.STARTUP.getByName(ns);
    expect(first.id).not.toBe(home.id.toString());

    // Through the objects table: the record lands in the new instance, after the moved event.
    const after = await post(`/ns/${host}/actions`, {
      verb: 'update',
      type: 'Startup',
      target: 'acme',
      data: { n: 3 },
    });
    expect(((await after.json()) as { recorded: { seq: number; version: number }[] }).recorded).toMatchObject(
      [{ seq: 4, version: 3 }],
    );
    const thing = await exports.default.fetch(`http://worker/ns/${host}/things/acme@~1`);
    expect(await thing.json()).toMatchObject({ version: 2, data: { n: 2 } });
    const retired = await runInDurableObject(home, (instance) =>
      instance.$.try('Startup.update', {}, { target: 'acme' }).catch((e) => e),
    );
    expect(retired).toMatchObject({ code: 'read_only' });
    expect((retired as Error).message).toContain(first.id);

    // A second move starts in the moved instance and updates the home's objects table.
    const second = (await (await post(`/ns/${host}/move`, { locationHint: 'enam' })).json()) as {
      id: string;
      seq: number;
    };
    expect(second).toMatchObject({ seq: 5 });
    expect(second.id).not.toBe(first.id);
    await post(`/ns/${host}/actions`, { verb: 'publish', type: 'Startup', target: 'acme' });
    await post(`/ns/${host}/flush`);
    await runInDurableObject(env.STARTUP.get(env.STARTUP.idFromString(second.id)), (instance) => {
      expect(instance.$.ns).toBe(ns);
      expect(instance.$.things.history('acme').map((v) => v.version)).toEqual([1, 2, 3, 4]);
    });

    const rows = await chain(ns);
    expect(rows.map((r) => [r.seq, r.event])).toEqual([
      [1, 'Startup.created'],
      [2, 'Startup.updated'],
      [3, 'Namespace.moved'],
      [4, 'Startup.updated'],
      [5, 'Namespace.moved'],
      [6, 'Startup.published'],
    ]);
    expect(new Set(rows.map((r) => r.incarnation)).size).toBe(1);
    expect(verifyChain(rows)).toMatchObject({ ok: true, events: 6, problems: [] });
  });

  it('refuses while events cannot be streamed, and stays where it is', async () => {
    const host = 'stuck.lifecycle.example.com';
    await post(`/ns/${host}/actions`, { verb: 'create', type: 'Startup', target: 'acme' });
    await injectIngestFaults([500]);
    const refused = await post(`/ns/${host}/move`, { locationHint: 'weur' });
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /moveTo: 1 events are not streamed yet: .*500.*; nothing changed/,
    );
    const next = await post(`/ns/${host}/actions`, { verb: 'update', type: 'Startup', target: 'acme' });
    expect(((await next.json()) as { recorded: { seq: number }[] }).recorded[0]!.seq).toBe(2);
  });
});

describe('$.fork', () => {
  it('starts a fresh, verifying chain under the new URL with the current things', async () => {
    const parent = 'https://parent.fork.example.com';
    const child = 'https://child.fork.example.com';
    const result = await runInDurableObject(env.STARTUP.getByName(parent), async (instance) => {
      await instance.$.try('Startup.create', { name: 'Acme' }, { target: 'acme' });
      await instance.$.try('Startup.raise', { amount: 10 }, { target: 'acme' });
      await instance.$.try('Idea.create', { title: 'Rockets' }, { target: 'ideas/1' });
      await expect(instance.$.fork({ to: parent })).rejects.toMatchObject({ code: 'invalid_input' });
      const forked = await instance.$.fork({ to: child });
      await instance.$.flush();
      return forked;
    });
    expect(result).toEqual({ ns: child, events: 2 });
    await runInDurableObject(env.STARTUP.getByName(child), async (instance) => {
      expect(instance.$.things.get('acme')?.data).toEqual({ name: 'Acme', raised: 10 });
      expect(instance.$.things.history('acme')).toHaveLength(1); // fresh history
      await instance.$.flush();
    });
    const rows = await chain(child);
    expect(rows.map((r) => [r.seq, r.event])).toEqual([
      [1, 'Startup.forked'],
      [2, 'Idea.forked'],
    ]);
    const parentRows = await chain(parent);
    expect(rows[0]!.incarnation).not.toBe(parentRows[0]!.incarnation);
    expect(parentRows.at(-1)).toMatchObject({
      seq: 4,
      event: 'Namespace.forked',
      data: { to: child, events: 2 },
    });
    expect(verifyChain(rows)).toMatchObject({ ok: true, events: 2 });
    expect(verifyChain(parentRows)).toMatchObject({ ok: true, events: 4 });
  });
});

describe('$.compact', () => {
  it('refuses while events are unstreamed; once streamed, squashes history under the same identity', async () => {
    const ns = 'https://compact.lifecycle.example.com';
    const stub = env.STARTUP.getByName(ns);
    await runInDurableObject(stub, async (instance) => {
      for (let n = 1; n <= 5; n++) await instance.$.try('Startup.raise', { amount: n }, { target: 'acme' });
      await injectIngestFaults([500]);
      const refused = await instance.$.compact().catch((e) => e);
      expect(refused).toMatchObject({ code: 'unstreamed' });
      expect((refused as Error).message).toMatch(/compact: 5 events are not streamed yet/);
      expect(instance.$.pending()).toBe(5);
      expect(instance.$.things.history('acme')).toHaveLength(5); // nothing was removed

      const compacted = await instance.$.compact();
      expect(compacted).toMatchObject({ seq: 6, removed: { versions: 4, events: 5 } });
      expect(instance.$.things.get('acme')).toMatchObject({ version: 5, data: { raised: 15 } });
      expect(instance.$.things.history('acme')).toHaveLength(1);
      await instance.$.try('Startup.raise', { amount: 1 }, { target: 'acme' });
      await instance.$.flush();
    });
    const rows = await chain(ns);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(rows[5]).toMatchObject({ event: 'Namespace.compacted' });
    expect(verifyChain(rows)).toMatchObject({ ok: true, events: 7 });
  });
});
