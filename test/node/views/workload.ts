/**
 * The generated workload the view conformance cases run over: ≥ 50 Durable Objects and ≥ 100,000
 * events over 30 days, from a seeded generator (the same rows on every run). Creates, updates (data
 * and names), deletes (tombstones), branches with their own version chains, failed actions with
 * durations, several types, verbs, actors and durabilities, relationships (actors and payload fields
 * that are Person things, across DOs too), each namespace hash-chained as its DO chains it. Delivery
 * is in daily batches, as an emitter flushes them: some events arrive days late (a DO whose emitter
 * was down, a request retried later) and some twice, in a later batch (at-least-once delivery).
 *
 * @module
 */
import { seededRandom } from '../../../local/pipelines/ingest-faults.ts';
import { type ActionRow, deriveGlobalRows, type EventRow, type ThingRow } from '../../../schemas/index.ts';
import { simulateNamespace } from './simulate-namespace.ts';
import type { Workload } from './view-case.ts';
import { slugOf } from './workload-data.ts';

export type { Workload } from './view-case.ts';

/** Construction options of {@link generateWorkload}. */
export interface WorkloadConfig {
  seed?: number;
  /** Durable Objects (default 60). */
  namespaces?: number;
  /** Events, before duplicated deliveries (default 100,000). */
  events?: number;
  /** Days covered, one delivery batch each (default 30). */
  days?: number;
  /** The first instant (default 2026-10-01T00:00:00Z). */
  from?: Date;
  /** Share of events delivered a second time, in a later batch (default 0.02). */
  duplicates?: number;
}

/** A generated workload, with the daily batches its rows were delivered in. */
export interface GeneratedWorkload extends Workload {
  /** `delivered`, cut into its daily batches (batch d is delivered at the end of day d). */
  batches: EventRow[][];
  /** Events delivered in a batch after the day of their `ts`. */
  late: number;
  /** Rows delivered twice. */
  duplicated: number;
}

const DAY_US = 86_400_000_000;
const HOSTS = ['startups.studio', 'agents.do', 'shop.example'];
const USERS = Array.from({ length: 40 }, (_, i) => `https://auth.startups.studio/users/u${i}`);

function namespaceUrls(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const host = HOSTS[i % HOSTS.length]!;
    const name = `${slugOf('Startup', i)}`;
    return i % 3 === 1 ? `https://${host}/tenants/${name}` : `https://${name}.${host}`;
  });
}

/** Splits `total` events over namespaces, skewed: a few large DOs, many small ones, none below 200. */
function eventCounts(count: number, total: number, random: () => number): number[] {
  const weights = Array.from({ length: count }, () => 0.2 + random() ** 3 * 5);
  const sum = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.max(200, Math.floor((w / sum) * total)));
  let excess = counts.reduce((a, b) => a + b, 0) - total;
  for (let i = 0; excess !== 0; i = (i + 1) % count) {
    if (excess > 0 && counts[i]! > 200) {
      counts[i]!--;
      excess--;
    } else if (excess < 0) {
      counts[i]!++;
      excess++;
    }
  }
  return counts;
}

/** Ascending µs times within the namespace's active span (most DOs live the whole period). */
function eventTimes(n: number, from: number, span: number, random: () => number): number[] {
  const start = random() < 0.75 ? 0 : random() * 0.4 * span;
  const end = random() < 0.8 ? span : span - random() * 0.3 * span;
  const times = Array.from({ length: n }, () => from + Math.floor(start + random() * (end - start)));
  return times.sort((a, b) => a - b);
}

/**
 * The day each event is delivered at: its own, or later when its DO's emitter was down (about one
 * DO in five, for one to three days) or a single request was retried a day or two later.
 */
function deliveryDays(rows: EventRow[], from: number, days: number, random: () => number): number[] {
  const outage =
    random() < 0.2 ? { day: Math.floor(random() * (days - 4)), length: 1 + Math.floor(random() * 3) } : null;
  return rows.map((row) => {
    const day = Math.min(days - 1, Math.floor((row.ts - from) / DAY_US));
    if (outage && day >= outage.day && day < outage.day + outage.length) return outage.day + outage.length;
    if (random() < 0.004) return Math.min(days - 1, day + 1 + Math.floor(random() * 2));
    return day;
  });
}

function assemble(batches: EventRow[][], events: EventRow[], namespaces: string[], from: Date, to: Date) {
  const things: ThingRow[] = [];
  const actions: ActionRow[] = [];
  for (const event of events) {
    const derived = deriveGlobalRows(event);
    things.push(...derived.things);
    actions.push(...derived.actions);
  }
  const sorted = (values: Iterable<string | null>) =>
    [...new Set(values)].filter((v): v is string => v !== null).sort();
  return {
    delivered: batches.flat(),
    events,
    things,
    actions,
    namespaces: [...namespaces].sort(),
    types: sorted(events.map((e) => e.type)),
    actors: sorted(events.map((e) => e.actor)),
    from,
    to,
  };
}

/**
 * Generates the workload: every namespace's history, then its delivery in daily batches with late
 * and duplicated rows. Deterministic for a given config.
 *
 * @example
 * ```ts
 * import { generateWorkload } from './workload.ts';
 * const w = generateWorkload({ seed: 1 });
 * w.events.length; // 100000
 * w.delivered.length > w.events.length; // true: some rows arrive twice
 * ```
 */
export function generateWorkload(config: WorkloadConfig = {}): GeneratedWorkload {
  const random = seededRandom(config.seed ?? 13);
  const days = config.days ?? 30;
  const from = config.from ?? new Date('2026-10-01T00:00:00Z');
  const fromUs = from.getTime() * 1000;
  const namespaces = namespaceUrls(config.namespaces ?? 60);
  const counts = eventCounts(namespaces.length, config.events ?? 100_000, random);
  const batches: EventRow[][] = Array.from({ length: days }, () => []);
  const events: EventRow[] = [];
  let late = 0;
  namespaces.forEach((ns, i) => {
    const others = namespaces.filter((_, j) => j !== i && (i + j) % 7 === 0);
    const rows = simulateNamespace({
      ns,
      incarnation: `inc-${Math.floor(random() * 2 ** 32)
        .toString(16)
        .padStart(8, '0')}`,
      times: eventTimes(counts[i]!, fromUs, days * DAY_US, random),
      foreignPeople: others.flatMap((o) => [1, 2, 3, 4].map((k) => `${o}/persons/${slugOf('Person', k)}`)),
      users: USERS,
      random,
    });
    const at = deliveryDays(rows, fromUs, days, random);
    rows.forEach((row, k) => {
      batches[at[k]!]!.push(row);
      if (at[k]! > Math.floor((row.ts - fromUs) / DAY_US)) late++;
    });
    events.push(...rows);
  });
  events.sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : Number(a.seq) - Number(b.seq)));
  // Emitters flush concurrently: within a batch, rows of different DOs interleave by time.
  for (const batch of batches) batch.sort((a, b) => a.ts - b.ts);
  const duplicated = duplicate(batches, config.duplicates ?? 0.02, random);
  const to = new Date(from.getTime() + days * 86_400_000);
  return { ...assemble(batches, events, namespaces, from, to), batches, late, duplicated };
}

/** Re-delivers a share of rows, identical, in a later batch (a retried send whose first try landed). */
function duplicate(batches: EventRow[][], share: number, random: () => number): number {
  const again: [day: number, row: EventRow][] = [];
  for (let day = 0; day < batches.length - 1; day++) {
    for (const row of batches[day]!) {
      if (random() < share)
        again.push([day + 1 + Math.floor(random() * Math.min(3, batches.length - 1 - day)), row]);
    }
  }
  for (const [day, row] of again) {
    const batch = batches[day]!;
    batch.splice(Math.floor(random() * (batch.length + 1)), 0, row);
  }
  return again.length;
}
