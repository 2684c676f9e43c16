import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { bindNamespace, createEmitter, nowMicros, record, type Sink, SinkError } from '../../ingest/index.ts';
import { inTransaction, storeState } from '../../ingest/store/store-state.ts';
import { actionWrite, writeAction } from '../../ingest/store/write-action.ts';
import type { EventRow } from '../../schemas/index.ts';
import { lakeQuery, roll } from './helpers.ts';

const POISON = [7, 99, 100, 101, 350, 351, 352, 353, 777, 1000];

/** Writes an action the way record() would, minus its validation: how a poison record gets in. */
function writeUnchecked(storage: DurableObjectStorage, n: number): void {
  const bad =
    n % 2 ? { target: `things/bad ${n}?x`, actor: null } : { target: `things/ok-${n}`, actor: 'agents/a b' };
  inTransaction(storage, () =>
    writeAction(
      storage,
      storeState(storage),
      actionWrite({ verb: 'update', type: 'Customer', ts: nowMicros(), data: '{"poison":true}', ...bad }),
    ),
  );
}

describe('a poison record cannot block a namespace', () => {
  it('1,000 actions, 10 the stream refuses: 990 land, 10 dead-lettered with the reason, the alarm stops', async () => {
    const host = 'poison.startups.studio';
    const ns = `https://${host}`;
    const stub = env.STARTUP.getByName(ns);
    await runInDurableObject(stub, async (instance, state) => {
      instance.status(ns); // binds the namespace and the Worker's emitter (100 rows per batch)
      await state.storage.setAlarm(Date.now() + 3_600_000); // as the Worker's writes do
      for (let n = 1; n <= 1000; n++) {
        if (POISON.includes(n)) writeUnchecked(state.storage, n);
        else
          record(state.storage, {
            verb: 'update',
            type: 'Customer',
            target: `things/c${n % 40}`,
            data: { n },
          });
      }
    });
    // The alarm flushes; a refused record must not make it fail and retry forever.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const after = await runInDurableObject(stub, async (_instance, state) => ({
      alarm: await state.storage.getAlarm(),
    }));
    expect(after.alarm).toBeNull();

    const status = await exports.default.fetch(`http://worker/ns/${host}/pending`);
    expect(await status.json()).toEqual({ pending: 0, deadLetters: 10 });
    const listed = (await (await exports.default.fetch(`http://worker/ns/${host}/dead-letters`)).json()) as {
      count: number;
      deadLetters: { seq: number; reason: string; code: string }[];
    };
    expect(listed.count).toBe(10);
    expect(listed.deadLetters.map((d) => d.seq)).toEqual(POISON);
    for (const letter of listed.deadLetters) {
      expect(letter.code).toBe('schema_mismatch');
      // The stand-in's own words: the field and why.
      expect(letter.reason).toMatch(/^(target|actor): must be an absolute URL/);
    }

    await roll();
    const [landed] = await lakeQuery<{ n: number; lo: number; hi: number }>(
      `SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM analytics.events WHERE ns = '${ns}'`,
    );
    expect(Number(landed!.n)).toBe(990);
    const poisoned = await lakeQuery(
      `SELECT seq FROM analytics.events WHERE ns = '${ns}' AND seq IN (${POISON.join(', ')})`,
    );
    expect(poisoned).toEqual([]);

    // Re-sending before a fix: refused again, still dead letters, nothing lost.
    const resent = await exports.default.fetch(`http://worker/ns/${host}/resend`, { method: 'POST' });
    expect(await resent.json()).toEqual({ sent: 0, refused: 10 });
    expect(await (await exports.default.fetch(`http://worker/ns/${host}/pending`)).json()).toEqual({
      pending: 0,
      deadLetters: 10,
    });
  });

  it('bisects a refusal that names no record (a bare 400, a binding that throws) down to the poison', async () => {
    await runInDurableObject(env.STARTUP.getByName('poison-bisect'), async (_instance, state) => {
      bindNamespace(state.storage, 'https://bisect.example.com');
      for (let n = 1; n <= 64; n++)
        record(state.storage, {
          verb: 'update',
          type: 'Order',
          target: 'orders/1',
          data: { n, poison: n === 13 || n === 40 },
        });
      let fixed = false;
      let sends = 0;
      const landed: number[] = [];
      const sink: Sink<EventRow> = {
        async send(rows) {
          sends += 1;
          if (!fixed && rows.some((r) => (r.data as { poison: boolean }).poison))
            throw new SinkError('400: a record does not match', { status: 400 });
          landed.push(...rows.map((r) => Number(r.seq)));
        },
      };
      const emitter = createEmitter(state.storage, { ns: 'https://bisect.example.com', sink, batchRows: 32 });
      expect(await emitter.flush()).toMatchObject({ sent: 62, deadLettered: 2 });
      expect(emitter.pending()).toBe(0);
      expect(emitter.deadLetters().map((d) => [d.seq, d.code, d.reason])).toEqual([
        [13, 'refused', '400: a record does not match'],
        [40, 'refused', '400: a record does not match'],
      ]);
      expect(landed.sort((a, b) => a - b)).toEqual(
        Array.from({ length: 64 }, (_, i) => i + 1).filter((n) => n !== 13 && n !== 40),
      );
      // log2(32) sends per poison and per half: far fewer than one send per record.
      expect(sends).toBeLessThan(30);

      // After the fix, a re-send lands them and empties the dead-letter table.
      fixed = true;
      expect(await emitter.resend()).toEqual({ sent: 2, refused: 0 });
      expect(emitter.deadLetterCount()).toBe(0);
      expect(landed.slice(-2)).toEqual([13, 40]);
    });
  });

  it('keeps retrying a transient failure or a refusal of the sink itself, dead-lettering nothing', async () => {
    await runInDurableObject(env.STARTUP.getByName('poison-transient'), async (_instance, state) => {
      bindNamespace(state.storage, 'https://transient.example.com');
      for (let n = 1; n <= 10; n++)
        record(state.storage, { verb: 'update', type: 'Order', target: 'orders/1', data: { n } });
      for (const status of [503, 429, 408, 401, 404]) {
        const sink: Sink<EventRow> = {
          async send() {
            throw new SinkError(`answered ${status}`, { status });
          },
        };
        const emitter = createEmitter(state.storage, { ns: 'https://transient.example.com', sink });
        await expect(emitter.flush()).rejects.toThrow(`answered ${status}`);
        expect(emitter.pending()).toBe(10);
        expect(emitter.deadLetterCount()).toBe(0);
      }
    });
  });
});
