/**
 * The payloads of the generated workload: per noun, the data a thing starts with and how each verb
 * changes it (names, amounts, stages, and relationships to Person things, in this DO and others).
 *
 * @module
 */

/** A JSON value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** The nouns things are made of. */
export const NOUNS = ['Person', 'Startup', 'Customer', 'Order', 'Deal', 'Ticket'] as const;
/** One of {@link NOUNS}. */
export type Noun = (typeof NOUNS)[number];

/** The verbs (imperatives) that change a thing of each noun, besides create and delete. */
const VERBS: Record<Noun, readonly string[]> = {
  Person: ['update', 'update', 'rename'],
  Startup: ['update', 'rename', 'raise', 'raise'],
  Customer: ['update', 'upgrade', 'rename'],
  Order: ['update', 'pay', 'pay', 'ship'],
  Deal: ['update', 'close', 'assign'],
  Ticket: ['update', 'assign', 'resolve'],
};

const FIRST = ['Ada', 'Grace', 'Alan', 'Linus', 'Barbara', 'Ken', 'Margaret', 'Dennis', 'Radia', 'Edsger'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Liskov', 'Thompson', 'Hamilton', 'Ritchie'];
const WORDS = ['acme', 'nova', 'orbit', 'lumen', 'quartz', 'vertex', 'ember', 'atlas', 'pixel', 'tide'];
const STAGES = ['pre-seed', 'seed', 'series-a', 'series-b', 'series-c'];
const PLANS = ['free', 'pro', 'team', 'enterprise'];
const CITIES = ['Berlin', 'Lisbon', 'Austin', 'Toronto', 'Nairobi', 'Osaka'];
const CURRENCIES = ['USD', 'EUR'];
const PRIORITIES = ['low', 'normal', 'high', 'urgent'];

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const cents = (value: number): number => Math.round(value * 100) / 100;

/** A thing's path segment: the same (noun, n) always gives the same slug. */
export function slugOf(noun: Noun, n: number): string {
  if (noun === 'Person') return `${FIRST[n % FIRST.length]!.toLowerCase()}-${n}`;
  return `${WORDS[n % WORDS.length]}-${n}`;
}

/** A verb that changes a thing of this noun (weighted by repetition in the table). */
export const pickVerb = (noun: Noun, random: () => number): string => pick(random, VERBS[noun]);

/** What payloads may point at: Person things of this DO and of others. */
export interface DataContext {
  ns: string;
  people: readonly string[];
  foreign: readonly string[];
  /** The verb applied to `previous` (absent for a create). */
  verb?: string;
}

const someone = (random: () => number, ctx: DataContext): string | null => {
  if (ctx.foreign.length > 0 && random() < 0.15) return pick(random, ctx.foreign);
  return ctx.people.length > 0 ? pick(random, ctx.people) : null;
};

function initial(noun: Noun, n: number, random: () => number, ctx: DataContext): Record<string, Json> {
  const word = WORDS[n % WORDS.length]!;
  switch (noun) {
    case 'Person': {
      const first = FIRST[n % FIRST.length]!;
      return {
        name: `${first} ${pick(random, LAST)}`,
        email: `${first.toLowerCase()}.${n}@example.com`,
        role: pick(random, ['founder', 'engineer', 'sales', 'investor']),
      };
    }
    case 'Startup':
      return {
        name: `${word[0]!.toUpperCase()}${word.slice(1)} ${n}`,
        stage: 'pre-seed',
        employees: 1 + Math.floor(random() * 20),
        raised: 0,
        tags: [pick(random, ['ai', 'saas', 'fintech', 'health']), pick(random, ['b2b', 'b2c'])],
        address: { city: pick(random, CITIES) },
      };
    case 'Customer':
      return {
        name: `${word} customer ${n}`,
        plan: pick(random, PLANS),
        mrr: cents(random() * 500),
        country: pick(random, ['DE', 'PT', 'US', 'CA', 'KE', 'JP']),
      };
    case 'Order':
      return {
        name: `Order ${n}`,
        customer: someone(random, ctx),
        amount: cents(5 + random() * 995),
        currency: pick(random, CURRENCIES),
        items: 1 + Math.floor(random() * 9),
        status: 'open',
      };
    case 'Deal':
      return {
        name: `Deal ${word} ${n}`,
        value: cents(random() * 50_000),
        stage: 'open',
        owner: someone(random, ctx),
      };
    case 'Ticket':
      return { name: `Ticket ${n}`, priority: pick(random, PRIORITIES), assignee: null, status: 'open' };
  }
}

function changed(noun: Noun, data: Record<string, Json>, random: () => number, ctx: DataContext) {
  const next = { ...data };
  switch (ctx.verb) {
    case 'rename':
      next.name = `${String(data.name).replace(/ \(.*\)$/, '')} (${pick(random, WORDS)})`;
      return next;
    case 'raise': {
      const amount = cents(100_000 + random() * 4_900_000);
      const stage = STAGES.indexOf(String(data.stage));
      next.stage = STAGES[Math.min(stage + 1, STAGES.length - 1)]!;
      next.raised = cents(Number(data.raised ?? 0) + amount);
      next.round = { amount, lead: someone(random, ctx) };
      return next;
    }
    case 'upgrade':
      next.plan = PLANS[Math.min(PLANS.indexOf(String(data.plan)) + 1, PLANS.length - 1)]!;
      next.mrr = cents(Number(data.mrr ?? 0) * 1.5 + 10);
      return next;
    case 'pay':
      next.status = 'paid';
      next.paid_at_step = Math.floor(random() * 100);
      return next;
    case 'ship':
      next.status = 'shipped';
      return next;
    case 'close':
      next.stage = random() < 0.6 ? 'won' : 'lost';
      return next;
    case 'assign':
      next[noun === 'Deal' ? 'owner' : 'assignee'] = someone(random, ctx);
      return next;
    case 'resolve':
      next.status = 'resolved';
      return next;
  }
  // A plain update: a property changes, and now and then the name.
  if (noun === 'Person') next.role = pick(random, ['founder', 'engineer', 'sales', 'investor', 'advisor']);
  else if (noun === 'Startup') next.employees = Number(data.employees ?? 1) + Math.floor(random() * 5);
  else if (noun === 'Customer') next.mrr = cents(random() * 800);
  else if (noun === 'Order') next.items = 1 + Math.floor(random() * 9);
  else if (noun === 'Deal') next.value = cents(random() * 60_000);
  else next.priority = pick(random, PRIORITIES);
  if (random() < 0.15) next.name = `${String(data.name).replace(/ \(.*\)$/, '')} (${pick(random, WORDS)})`;
  return next;
}

/** A thing's data: a new one's (`previous` null) or the data after `ctx.verb` changed it. */
export function makeData(
  noun: Noun,
  n: number,
  previous: Record<string, Json> | null,
  random: () => number,
  ctx: DataContext,
): Record<string, Json> {
  return previous === null ? initial(noun, n, random, ctx) : changed(noun, previous, random, ctx);
}
