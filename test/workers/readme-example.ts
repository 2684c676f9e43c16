// The README's "Using it in your Durable Object" snippet, type-checked by tsc; readme.test.ts keeps the
// two identical (everything below the marker line).
import type { EventRow } from '../../schemas/index.ts';
import type { Sink } from '../../ingest/index.ts';

interface Env {
  EVENTS: Sink<EventRow>;
  STARTUP: DurableObjectNamespace;
}

// --- README snippet ---
import { DurableObject } from 'cloudflare:workers';
import { analytics, type LifecycleMessage } from '@dotdo/analytics/ingest';

export class Startup extends DurableObject<Env> {
  $ = analytics(this.ctx, {
    nouns: ['Startup'],
    verbs: { create: 'created', raise: 'raised' },
    handlers: {
      'Startup.raise': (input: { amount: number }, { current }) => ({ ...current, raised: input.amount }),
    },
    sink: this.env.EVENTS, // a Pipelines binding, or { url, token } for Pipelines HTTP ingest
    binding: this.env.STARTUP, // this class's namespace: fork and moveTo create instances
  });
  #create = this.$.action('Startup.create', (input: { name: string }) => ({ name: input.name }));

  create(target: string, name: string) {
    return this.#create({ name }, { target }); // an action: verb, actor, target, before/after versions
  }
  raise(target: string, amount: number) {
    return this.$.do('Startup.raise', { amount }, { target }); // persisted first, retried, guaranteed
  }
  receive(message: LifecycleMessage) {
    return this.$.receive(message); // the other end of fork and moveTo
  }
  override async alarm() {
    await this.$.alarm(); // due retries, the outbox flush with backoff, the next alarm
  }
}
