import { runInDurableObject } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import {
  bindNamespace,
  compact,
  createEmitter,
  exportState,
  importFork,
  importState,
  markMoved,
  record,
  resolveRef,
  type Sink,
} from '../../ingest/index.ts';
import { type ChainEvent, verifyChain } from '../../lake/chain/index.ts';
import type { EventRow } from '../../schemas/index.ts';

const lake: EventRow[] = [];
const sink: Sink<EventRow> = {
  async send(rows) {
    lake.push(...rows);
  },
};
const chainOf = (ns: string): ChainEvent[] => lake.filter((r) => r.ns === ns) as ChainEvent[];

describe('lifecycle', () => {
  it('compacts local history only once streamed; seq and chain continue across a move', async () => {
    const ns = 'https://moving.example.com';
    const source = env.STARTUP.getByName('lifecycle-source');
    const bundle = await runInDurableObject(source, async (_i, state) => {
      const emitter = createEmitter(state.storage, { ns, sink });
      for (let n = 0; n < 20; n++)
        record(state.storage, {
          verb: n ? 'update' : 'create',
          type: 'Startup',
          target: 'acme',
          data: { n },
        });
      expect(() => compact(state.storage)).toThrow(/20 events are not streamed yet/);
      await emitter.flush();
      const result = compact(state.storage);
      expect(result.seq).toBe(21);
      expect(result.removed).toEqual({ versions: 19, actions: 20, events: 20 });
      expect(resolveRef(state.storage, 'acme').data).toEqual({ n: 19 });
      record(state.storage, { verb: 'update', type: 'Startup', target: 'acme', data: { n: 20 } }); // seq 22
      await emitter.flush();
      return exportState(state.storage);
    });
    expect(bundle.head.seq).toBe(22);
    // Compaction dropped actions 1–20 and no action is open, yet the ids carry over: none is reused.
    expect(bundle.lastIds).toEqual({ version: 21, action: 22 });
    expect(bundle.tables.actions).toEqual([]);

    const target = env.STARTUP.getByName('lifecycle-target');
    await runInDurableObject(target, async (_i, state) => {
      expect(importState(state.storage, bundle, 'move')).toEqual({ seq: 23 });
      const emitter = createEmitter(state.storage, { ns, sink });
      const next = record(state.storage, {
        verb: 'update',
        type: 'Startup',
        target: 'acme',
        data: { n: 21 },
      });
      expect(next).toMatchObject({ seq: 24, action: 24, version: 22, previous: 21 }); // moved was action 23
      expect(resolveRef(state.storage, 'acme').data).toEqual({ n: 21 });
      await emitter.flush();
    });
    await runInDurableObject(source, (_i, state) => {
      markMoved(state.storage, 'lifecycle-target');
      expect(() => record(state.storage, { verb: 'update', type: 'Startup', target: 'acme' })).toThrow(
        /read-only: the namespace moved/,
      );
    });

    const rows = chainOf(ns);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
    expect(rows.find((r) => r.seq === 21)).toMatchObject({
      event: 'Namespace.compacted',
      data: { before: { events: 20 } },
    });
    expect(rows.find((r) => r.seq === 23)).toMatchObject({
      event: 'Namespace.moved',
      data: { from: { seq: 22 } },
    });
    expect(new Set(rows.map((r) => r.incarnation)).size).toBe(1);
    expect(verifyChain(rows)).toMatchObject({ ok: true, events: 24 });
  });

  it('forks into a new identity with a fresh history', async () => {
    const bundle = await runInDurableObject(env.STARTUP.getByName('fork-source'), (_i, state) => {
      bindNamespace(state.storage, 'https://parent.example.com');
      record(state.storage, { verb: 'create', type: 'Startup', target: 'acme', data: { a: 1 } });
      record(state.storage, { verb: 'update', type: 'Startup', target: 'acme', data: { a: 2 } });
      record(state.storage, { verb: 'create', type: 'Idea', target: 'ideas/1', data: { b: 1 } });
      return exportState(state.storage, { allowUnstreamed: true });
    });
    await runInDurableObject(env.STARTUP.getByName('fork-target'), async (_i, state) => {
      expect(() => importFork(state.storage, bundle, 'https://parent.example.com')).toThrow(
        /namespace of its own/,
      );
      expect(importFork(state.storage, bundle, 'https://child.example.com')).toEqual({ events: 2 });
      await createEmitter(state.storage, { ns: 'https://child.example.com', sink }).flush();
      expect(resolveRef(state.storage, 'acme').data).toEqual({ a: 2 });
    });
    const rows = chainOf('https://child.example.com');
    expect(rows.map((r) => [r.seq, r.event])).toEqual([
      [1, 'Startup.forked'],
      [2, 'Idea.forked'],
    ]);
    expect(rows[0]!.incarnation).not.toBe(bundle.incarnation);
    expect(verifyChain(rows).ok).toBe(true);
  });

  it('never reuses an id when a namespace is re-created from scratch, and the audit flags the unlinked restart', async () => {
    const ns = 'https://recreated.example.com';
    for (const name of ['recreated-1', 'recreated-2']) {
      await runInDurableObject(env.STARTUP.getByName(name), async (_i, state) => {
        const emitter = createEmitter(state.storage, { ns, sink });
        record(state.storage, { verb: 'create', type: 'Startup', target: 'acme' });
        record(state.storage, { verb: 'update', type: 'Startup', target: 'acme' });
        await emitter.flush();
      });
    }
    const rows = chainOf(ns);
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 1, 2]);
    expect(new Set(rows.map((r) => r.id)).size).toBe(4);
    const report = verifyChain(rows);
    expect(report.problems.map((p) => p.kind)).toEqual(['unlinked-incarnation']);
  });
});
