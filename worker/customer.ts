import { DurableObject } from 'cloudflare:workers';
import { analytics, type LifecycleMessage } from '../ingest/index.ts';
import { deployment, type Env } from './env.ts';
import { pay } from './payments.ts';

/** The second example object: one customer per namespace (its `profile`); charges are durable. */
export class Customer extends DurableObject<Env> {
  $ = analytics(this.ctx, {
    nouns: ['Customer'],
    verbs: { create: 'created', charge: 'charged' },
    handlers: {
      'Customer.charge': async (input: { cents: number }, { current, ns }) => {
        await pay(this.env, ns, input.cents);
        return { ...current, paidCents: Number(current?.paidCents ?? 0) + input.cents };
      },
    },
    binding: this.env.CUSTOMER,
    ...deployment(this.env),
  });
  #signUp = this.$.action('Customer.create', (input: { email: string }) => ({ email: input.email }));

  signUp(email: string) {
    return this.#signUp({ email }, { target: 'profile' });
  }
  charge(cents: number) {
    return this.$.do('Customer.charge', { cents }, { target: 'profile' });
  }
  receive(message: LifecycleMessage) {
    return this.$.receive(message);
  }
  override async alarm() {
    await this.$.alarm();
  }
}
