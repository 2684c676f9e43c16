import type { RecordInput, Recorded } from '../ingest/index.ts';

const VERBS = ['create', 'update', 'update', 'publish', 'archive'] as const;
const NOUNS = ['Startup', 'Idea', 'Customer', 'Order'] as const;

/**
 * A deterministic demo workload: `count` actions over a handful of things, spread evenly over the
 * `hours` before `endMicros`, so an hourly view has something to show.
 *
 * @example
 * ```ts
 * import { demoWorkload } from './demo-workload.ts';
 * for (const input of demoWorkload(500)) record(ctx.storage, input);
 * ```
 */
export function* demoWorkload(
  count: number,
  hours = 12,
  endMicros = Date.now() * 1000,
): Generator<RecordInput> {
  const span = hours * 3600 * 1_000_000;
  for (let i = 0; i < count; i++) {
    const noun = NOUNS[i % NOUNS.length]!;
    const verb = i < NOUNS.length * 3 ? 'create' : VERBS[i % VERBS.length]!;
    yield {
      verb,
      type: noun,
      target: `${noun.toLowerCase()}-${i % 12}`,
      data: { step: i, noun, note: `demo ${verb}` },
      actor: i % 3 === 0 ? 'https://auth.startups.studio/users/nathan' : 'agents/priya',
      ts: endMicros - span + Math.floor((span * (i + 1)) / (count + 1)),
    };
  }
}

/**
 * Records the demo workload through a `$` (or anything with `record`): `count` actions over the past hours.
 *
 * @example
 * ```ts
 * import { seedDemo } from './demo-workload.ts';
 * seedDemo(this.$, 500); // { recorded: 500, lastSeq: 500 }
 * ```
 */
export function seedDemo(
  $: { record(input: RecordInput): Recorded },
  count: number,
): { recorded: number; lastSeq: number } {
  let lastSeq = 0;
  for (const input of demoWorkload(count)) lastSeq = $.record(input).seq;
  return { recorded: count, lastSeq };
}
