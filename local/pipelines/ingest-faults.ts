import { z } from 'zod';
import { errorResponse, isBearer, type StandInResponse } from '../stand-in-response.ts';
import { summarize } from './check-records.ts';
import { ingestError } from './ingest-answers.ts';
import type { PipelinesStandIn } from './pipelines-stand-in.ts';

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

/** Fault injection over a stand-in: the queue and random faults, and their counts. */
export interface IngestFaults {
  /** Ingests through the random faults, if set (a request without the token is never faulted). */
  ingest(stream: string, body: string | null, authorization: string | undefined): Promise<StandInResponse>;
  /** Applies a parsed `POST /_admin/faults` body. */
  configure(body: unknown): StandInResponse;
  readonly injected: { before: number; after: number };
}

/**
 * Wraps a stand-in's ingest with fault injection (only wired up when the stack is started with it).
 *
 * @example
 * ```ts
 * import { createIngestFaults } from './ingest-faults.ts';
 * const faults = createIngestFaults(pipelines);
 * faults.configure({ rate: 0.3, after: 0.5, seed: 7 });
 * ```
 */
export function createIngestFaults(pipelines: PipelinesStandIn, token?: string): IngestFaults {
  let chaos: IngestChaos | null = null;
  const injected = { before: 0, after: 0 };
  return {
    injected,
    async ingest(stream, body, authorization) {
      const authorized = !token || isBearer(authorization, token);
      if (!chaos || !authorized || chaos.random() >= chaos.rate)
        return pipelines.ingestAsync(stream, body, authorization);
      if (chaos.random() >= chaos.after) {
        injected.before += 1;
        return ingestError(503, 'injected_fault', 'injected fault: nothing stored');
      }
      // The records are stored, but the acknowledgement is lost: the client will send them again.
      const answer = await pipelines.ingestAsync(stream, body, authorization);
      if (answer.status !== 200) return answer;
      injected.after += 1;
      return ingestError(500, 'injected_fault', 'injected fault after storing');
    },
    configure(body) {
      const parsed = ingestFaultsRequest.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return errorResponse(
          400,
          'invalid_faults',
          `body must be {"ingest": [500, ...]} (statuses 400–599) or {"rate": 0.3, "after": 0.5, "seed": 1}: ${summarize(issue.message, 200)}`,
          issue.path.join('.') || undefined,
        );
      }
      if ('ingest' in parsed.data) {
        pipelines.injectFaults(parsed.data.ingest);
        return { status: 200, body: { success: true, queued: parsed.data.ingest.length } };
      }
      const { rate, after, seed } = parsed.data;
      chaos = rate === 0 ? null : { rate, after, random: seededRandom(seed) };
      return { status: 200, body: { success: true, rate, after } };
    },
  };
}
