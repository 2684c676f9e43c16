import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { type ChainEvent, verifyChain } from '../../lake/chain/index.ts';
import { eventRow, fromLakeRow } from '../../schemas/index.ts';
import { injectRandomFaults, lakeEvents } from './helpers.ts';

// Each test backs one guarantee of README's "Event ordering".
const post = (path: string, body?: unknown) =>
  exports.default.fetch(`http://worker${path}`, { method: 'POST', body: JSON.stringify(body ?? {}) });
const chain = async (ns: string) => (await lakeEvents(ns)).map((r) => fromLakeRow(eventRow, r) as ChainEvent);

describe('event ordering', () => {
  it('per namespace: one total order by seq, gapless, in the order the object applied the actions', async () => {
    const host = 'order.ordering.example.com';
    const ns = `https://${host}`;
    // 40 concurrent requests race into one object; the object serializes them.
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        post(`/ns/${host}/actions`, { verb: 'update', type: 'Startup', target: 'acme', data: { i } }).then(
          (r) => r.json() as Promise<{ recorded: { seq: number; version: number }[] }>,
        ),
      ),
    );
    const seqs = answers.map((a) => a.recorded[0]!.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    await post(`/ns/${host}/flush`);
    const rows = await chain(ns);
    expect(rows.map((r) => r.seq)).toEqual(seqs);
    // Each event's input version is the previous event's output: seq order is the order of application.
    for (let i = 1; i < rows.length; i++) {
      const row = rows[i] as ChainEvent & { input_version: string; output_version: string };
      expect(row.input_version).toBe((rows[i - 1] as typeof row).output_version);
    }
    expect(verifyChain(rows)).toMatchObject({ ok: true, events: 40 });
  });

  it('at least once: a lost acknowledgement re-sends; deduplicating by id gives every event exactly once', async () => {
    const ns = 'https://retry.ordering.example.com';
    const stub = env.STARTUP.getByName(ns);
    await runInDurableObject(stub, async (instance) => {
      for (let n = 0; n < 5; n++) await instance.$.try('Startup.update', { n }, { target: 'acme' });
      await injectRandomFaults(1, 1, 3); // the stand-in stores each request, then answers 500
      await expect(instance.$.flush()).rejects.toThrow();
      await injectRandomFaults(0);
      expect(instance.$.pending()).toBe(5); // unacknowledged: still pending
      expect(await instance.$.flush()).toMatchObject({ sent: 5 });
    });
    const rows = await chain(ns);
    expect(rows).toHaveLength(10);
    expect(new Set(rows.map((r) => r.id)).size).toBe(5);
    const report = verifyChain(rows);
    expect(report).toMatchObject({ ok: true, events: 5, duplicates: 5 });
  });

  it('across namespaces: no shared order; each namespace has its own seq and ids never collide', async () => {
    const a = 'https://a.ordering.example.com';
    const b = 'https://b.ordering.example.com';
    for (let n = 0; n < 3; n++) {
      for (const ns of [a, b])
        await env.STARTUP.getByName(ns).record(ns, {
          verb: 'update',
          type: 'Startup',
          target: 'acme',
          data: { n },
        });
    }
    for (const ns of [a, b]) await env.STARTUP.getByName(ns).flush(ns);
    const [rowsA, rowsB] = [await chain(a), await chain(b)];
    expect(rowsA.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(rowsB.map((r) => r.seq)).toEqual([1, 2, 3]);
    const ids = new Set([...rowsA, ...rowsB].map((r) => r.id));
    expect(ids.size).toBe(6);
    expect([...ids].every((id) => id.startsWith(`${a}/`) || id.startsWith(`${b}/`))).toBe(true);
    expect(verifyChain([...rowsA, ...rowsB])).toMatchObject({ ok: true, namespaces: 2, events: 6 });
  });
});
