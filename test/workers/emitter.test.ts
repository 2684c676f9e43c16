import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { bindNamespace, createEmitter, record, rewindOutbox, type Sink } from '../../ingest/index.ts';
import { type EventRow, eventRow } from '../../schemas/index.ts';

function capture(delayMs = 0): Sink<EventRow> & { batches: EventRow[][] } {
  const batches: EventRow[][] = [];
  return {
    batches,
    async send(rows) {
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      batches.push(rows);
    },
  };
}

const inDo = <R>(name: string, fn: (state: DurableObjectState) => R | Promise<R>): Promise<R> =>
  runInDurableObject(env.STARTUP.getByName(name), (_instance, state) => {
    bindNamespace(
      state.storage,
      name === 'emitter-batches' ? 'https://shop.example.com' : 'https://docs.example.com',
    );
    return fn(state);
  });

describe('emitter', () => {
  it('sends schema-valid rows in bounded batches, in seq order', async () => {
    await inDo('emitter-batches', async (state) => {
      for (let i = 0; i < 25; i++)
        record(state.storage, {
          verb: i ? 'update' : 'create',
          type: 'Order',
          target: 'orders/7',
          data: { i },
        });
      const sink = capture();
      const result = await createEmitter(state.storage, {
        ns: 'https://shop.example.com/',
        sink,
        batchRows: 10,
      }).flush();
      expect(result).toMatchObject({ sent: 25, batches: 3, deadLettered: 0 });
      expect(sink.batches.map((b) => b.length)).toEqual([10, 10, 5]);
      const rows = sink.batches.flat();
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
      for (const row of rows) expect(eventRow.safeParse(row).success).toBe(true);
      expect(rows[0]).toMatchObject({
        ns: 'https://shop.example.com',
        event: 'Order.created',
        type: 'https://shop.example.com/Order',
        target: 'https://shop.example.com/orders/7',
        input_version: null,
        output_version: 'https://shop.example.com/orders/7@v1',
        data: { i: 0 },
      });
      expect(rows[1]!.input_version).toBe('https://shop.example.com/orders/7@v1');
    });
  });

  it('cuts batches by serialized bytes', async () => {
    await inDo('emitter-bytes', async (state) => {
      for (let i = 0; i < 6; i++)
        record(state.storage, {
          verb: 'update',
          type: 'Doc',
          target: 'doc',
          data: { body: 'x'.repeat(40_000) },
        });
      const sink = capture();
      await createEmitter(state.storage, {
        ns: 'https://docs.example.com',
        sink,
        batchBytes: 100_000,
      }).flush();
      expect(sink.batches.map((b) => b.length)).toEqual([2, 2, 2]);
      for (const batch of sink.batches) expect(JSON.stringify(batch).length).toBeLessThanOrEqual(100_000);
    });
  });

  it('gives a re-sent event the same id, and serializes overlapping flushes', async () => {
    await inDo('emitter-ids', async (state) => {
      for (let i = 0; i < 5; i++) record(state.storage, { verb: 'update', type: 'Doc', target: 'doc' });
      const sink = capture(20);
      const emitter = createEmitter(state.storage, { ns: 'https://docs.example.com', sink });
      const [a, b] = await Promise.all([
        emitter.flush(),
        createEmitter(state.storage, { ns: 'https://docs.example.com', sink }).flush(),
      ]);
      expect(a.sent + b.sent).toBe(5);
      const first = sink.batches.flat().map((r) => r.id);
      rewindOutbox(state.storage);
      await emitter.flush();
      expect(
        sink.batches
          .flat()
          .map((r) => r.id)
          .slice(5),
      ).toEqual(first);
      expect(new Set(first).size).toBe(5);
    });
  });
});
