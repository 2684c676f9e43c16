import { z } from 'zod';

/**
 * A fault-injection request for ingest, validated: either a queue of failure statuses for the next
 * requests (`{"ingest": [500, 503]}`, each 400–599: a fault never acknowledges what it did not store),
 * or random faults (`{"rate": 0.3, "after": 0.5, "seed": 7}`: 30 % of requests fail, half of them after
 * storing, i.e. a lost acknowledgement; `{"rate": 0}` stops).
 *
 * @example
 * ```ts
 * import { ingestFaultsRequest } from './ingest-faults.ts';
 * ingestFaultsRequest.safeParse({ ingest: [200] }).success; // false
 * ```
 */
export const ingestFaultsRequest = z.union([
  z.object({ ingest: z.array(z.number().int().min(400).max(599)).min(1).max(10_000) }).strict(),
  z
    .object({
      rate: z.number().min(0).max(1),
      after: z.number().min(0).max(1).default(0),
      seed: z.number().int().default(1),
    })
    .strict(),
]);

/** Random ingest faults: a share `rate` of requests fails; a share `after` of those fails after storing. */
export interface IngestChaos {
  rate: number;
  after: number;
  random: () => number;
}

/**
 * A seeded generator (mulberry32), so a fault run can be reproduced.
 *
 * @example
 * ```ts
 * import { seededRandom } from './ingest-faults.ts';
 * seededRandom(7)() === seededRandom(7)(); // true
 * ```
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
