/**
 * The Worker the `$` benchmark runs in workerd: one Durable Object class wired with `analytics()`,
 * measuring `$.send` / `$.try` / `$.do` next to a bare `record()` on the same storage.
 *
 * @module
 */
import { DurableObject } from 'cloudflare:workers';
import { analytics, type Json, record, type Sink } from '../../ingest/index.ts';
import type { EventRow } from '../../schemas/index.ts';

const noop: Sink<EventRow> = { async send() {}, async sendJson() {} };

interface Env {
  BENCH: DurableObjectNamespace<AnalyticsBench>;
}

const data = (i: number): { [key: string]: Json } => ({ name: 'Acme', step: i, tags: ['ai', 'saas'] });

export class AnalyticsBench extends DurableObject<Env> {
  $ = analytics(this.ctx, {
    nouns: ['Startup'],
    verbs: { update: 'updated', raise: 'raised' },
    handlers: {
      'Startup.raise': (input: { amount: number }, { current }) => ({
        ...current,
        raised: Number(current?.raised ?? 0) + input.amount,
      }),
    },
    sink: noop,
    flushDelayMs: 3_600_000, // the alarm stays out of the measurement
  });

  ping(): number {
    return 0;
  }

  /** Baseline: n bare record() calls (version + action + hashed event). */
  record(n: number): number {
    this.$.bind(this.$.ns); // bound, as the `$` calls are
    let seq = 0;
    for (let i = 0; i < n; i++)
      seq = record(this.ctx.storage, {
        verb: 'update',
        type: 'Startup',
        target: `acme-${i % 50}`,
        data: data(i),
        actor: 'agents/priya',
      }).seq;
    return seq;
  }

  async try(n: number): Promise<number> {
    let seq = 0;
    for (let i = 0; i < n; i++)
      seq = (await this.$.try('Startup.update', data(i), { target: `acme-${i % 50}`, actor: 'agents/priya' }))
        .seq;
    return seq;
  }

  /** `$.try` of an action with a handler: the current data is read and handed to it. */
  async handler(n: number): Promise<number> {
    let seq = 0;
    for (let i = 0; i < n; i++)
      seq = (
        await this.$.try('Startup.raise', { amount: i }, { target: `acme-${i % 50}`, actor: 'agents/priya' })
      ).seq;
    return seq;
  }

  async do(n: number): Promise<number> {
    let seq = 0;
    for (let i = 0; i < n; i++)
      seq = (await this.$.do('Startup.update', data(i), { target: `acme-${i % 50}`, actor: 'agents/priya' }))
        .seq!;
    return seq;
  }

  /** n sends, then waits until all n events are recorded (send itself returns at once). */
  async send(n: number): Promise<number> {
    const before = this.$.pending();
    for (let i = 0; i < n; i++)
      this.$.send('Startup.updated', data(i), { target: `acme-${i % 50}`, actor: 'agents/priya' });
    while (this.$.pending() < before + n) await new Promise((resolve) => setTimeout(resolve, 0));
    return n;
  }

  /** Empties the outbox (a no-op sink), so `pending()` stays small between rounds. */
  async drain(): Promise<number> {
    return (await this.$.flush()).sent;
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const stub = env.BENCH.getByName(
      `https://${url.searchParams.get('object') ?? 'bench'}.bench.startups.studio`,
    );
    const n = Number(url.searchParams.get('n') ?? 0);
    switch (url.pathname) {
      case '/noop':
        return Response.json(await stub.ping());
      case '/record':
        return Response.json(await stub.record(n));
      case '/try':
        return Response.json(await stub.try(n));
      case '/handler':
        return Response.json(await stub.handler(n));
      case '/do':
        return Response.json(await stub.do(n));
      case '/send':
        return Response.json(await stub.send(n));
      case '/drain':
        return Response.json(await stub.drain());
      default:
        return new Response('not found', { status: 404 });
    }
  },
};
