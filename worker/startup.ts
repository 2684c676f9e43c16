import { DurableObject } from 'cloudflare:workers';
import { analytics, type LifecycleMessage, type RecordInput } from '../ingest/index.ts';
import { seedDemo } from './demo-workload.ts';
import { deployment, type Env } from './env.ts';

export type { Env } from './env.ts';

/**
 * The example Durable Object: one namespace, its versioned things and actions, its events streamed
 * from the alarm — all through `$`. E.g. `env.STARTUP.getByName('https://acme.startups.studio').raise('acme', 5)`.
 */
export class Startup extends DurableObject<Env> {
  $ = analytics(this.ctx, {
    nouns: ['Startup', 'Idea', 'Customer', 'Order'],
    verbs: {
      create: 'created',
      update: 'updated',
      publish: 'published',
      archive: 'archived',
      raise: 'raised',
    },
    handlers: {
      'Startup.raise': (input: { amount: number }, { current }) => ({
        ...current,
        raised: Number(current?.raised ?? 0) + input.amount,
      }),
    },
    binding: this.env.STARTUP,
    ...deployment(this.env),
  });

  /** Raises money: persisted first, retried from the alarm until its event lands. */
  raise(target: string, amount: number) {
    return this.$.do('Startup.raise', { amount }, { target });
  }
  /** The HTTP routes name the namespace; `bind` checks it is this object's. */
  record(ns: string, input: RecordInput) {
    return this.$.bind(ns).record(input);
  }
  seed(ns: string, count: number) {
    return seedDemo(this.$.bind(ns), count);
  }
  flush(ns: string) {
    return this.$.bind(ns).flush();
  }
  /** What waits in the outbox, and how many events the sink refused for good. */
  status(ns: string) {
    const $ = this.$.bind(ns);
    return { pending: $.pending(), deadLetters: $.deadLetters.count() };
  }
  deadLetters(ns: string, limit = 100, after = 0) {
    return this.$.bind(ns).deadLetters.list({ limit, after });
  }
  resend(ns: string, seqs?: number[]) {
    return this.$.bind(ns).deadLetters.resend(seqs ? { seqs } : {});
  }
  thing(ref: string) {
    return this.$.things.get(ref);
  }
  moveTo(locationHint?: string) {
    return this.$.moveTo(locationHint);
  }
  receive(message: LifecycleMessage) {
    return this.$.receive(message);
  }
  override async alarm() {
    await this.$.alarm();
  }
}
