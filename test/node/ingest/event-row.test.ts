import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeEventRow, type EventParts, parseEventRow } from '../../../ingest/store/event-row.ts';
import { canonicalJson, eventHash, hashInput } from '../../../lake/chain/index.ts';
import { eventRow } from '../../../schemas/index.ts';

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('', 'ü', '𝄞', '"\\\n\u0000'),
);
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const jsonText = nullable(fc.jsonValue().map((v) => canonicalJson(v)));
const micros = fc.integer({ min: -2_000_000_000_000_000, max: 4_000_000_000_000_000 });

const parts: fc.Arbitrary<EventParts> = fc.record({
  ns: fc.constantFrom('https://startups.studio', 'https://a.example.com/tenants/ü'),
  incarnation: fc.uuid(),
  seq: fc.integer({ min: 1, max: 2 ** 40 }),
  prevHash: nullable(fc.stringMatching(/^[0-9a-f]{64}$/)),
  ts: micros,
  noun: fc.constantFrom('Startup', 'Idea', 'Namespace'),
  action: fc.constantFrom('create', 'update'),
  past: fc.constantFrom('created', 'updated'),
  target: fc.constantFrom('acme', 'orders/7', 'https://other.example.com/x'),
  actor: nullable(fc.constantFrom('agents/priya', 'https://auth.example.com/u/1')),
  durability: fc.constantFrom('send', 'try', 'do'),
  status: fc.constantFrom('completed', 'failed'),
  branch: nullable(fc.constantFrom('experiment', 'b-2')),
  input: nullable(fc.integer({ min: 1, max: 2 ** 40 })),
  output: nullable(fc.integer({ min: 1, max: 2 ** 40 })),
  actionId: fc.integer({ min: 1, max: 2 ** 40 }),
  name: nullable(text),
  deleted: fc.boolean(),
  data: jsonText,
  error: jsonText,
  requestId: nullable(text),
  sessionId: nullable(text),
  workflowId: nullable(text),
  correlationId: nullable(text),
  startedAt: nullable(micros),
  completedAt: nullable(micros),
}) as fc.Arbitrary<EventParts>;

describe('encodeEventRow', () => {
  it('seals every row with the hash the verifier recomputes from the parsed row alone', () => {
    fc.assert(
      fc.property(parts, (p) => {
        const { text: encoded, hash } = encodeEventRow(p);
        const row = JSON.parse(encoded) as Record<string, unknown>;
        expect(row.hash).toBe(hash);
        expect(eventHash(row)).toBe(hash);
        // Stored and sent as the canonical text itself (sorted keys, no nulls) with the hash appended.
        const keys = Object.keys(row);
        expect(keys.at(-1)).toBe('hash');
        expect(keys.slice(0, -1)).toEqual(keys.slice(0, -1).sort());
        expect(encoded).toBe(`${hashInput(row).slice(0, -1)},"hash":"${hash}"}`);
        const full = parseEventRow(encoded);
        expect(Object.keys(full).sort()).toEqual(Object.keys(eventRow.shape).sort());
        for (const key of Object.keys(eventRow.shape))
          if (!(key in row)) expect(full[key as 'data']).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it('changes the hash when any covered value changes', () => {
    const base: EventParts = fc.sample(parts, { numRuns: 1, seed: 7 })[0]!;
    const hash = encodeEventRow(base).hash;
    expect(encodeEventRow({ ...base, seq: base.seq + 1 }).hash).not.toBe(hash);
    expect(encodeEventRow({ ...base, data: canonicalJson({ changed: true }) }).hash).not.toBe(hash);
    expect(encodeEventRow({ ...base, prevHash: 'f'.repeat(64) }).hash).not.toBe(hash);
  });
});
