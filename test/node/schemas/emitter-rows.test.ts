import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildCheckpointRow } from '../../../ingest/emitter/checkpoint-row.ts';
import {
  MAX_PAYLOAD_BYTES,
  type RecordInput,
  RecordInputError,
  validateRecordInput,
  verbForms,
} from '../../../ingest/index.ts';
import { buildEventRow } from '../../../ingest/store/event-row.ts';
import {
  deriveGlobalRows,
  type PipelinesSchema,
  TABLES,
  type TableName,
  validateStreamRecords,
} from '../../../schemas/index.ts';

const committed = (table: TableName): PipelinesSchema =>
  JSON.parse(readFileSync(new URL(`../../../schemas/pipelines/${table}.json`, import.meta.url), 'utf8'));
const schemas = {
  events: committed('events'),
  things: committed('things'),
  actions: committed('actions'),
  checkpoints: committed('checkpoints'),
  rollups: committed('rollups'),
};
const wire = (row: unknown): Record<string, unknown> => JSON.parse(JSON.stringify(row));

/** A row must match the committed stream schema (as the platform reads it) and the zod schema (as the stand-in does). */
function expectLands(table: TableName, row: unknown): void {
  const sent = wire(row);
  expect(validateStreamRecords(schemas[table], [sent])).toEqual([]);
  const strict = TABLES[table].safeParse(
    Object.assign(Object.fromEntries(Object.keys(TABLES[table].shape).map((k) => [k, null])), sent),
  );
  expect(strict.error?.issues ?? []).toEqual([]);
}

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', 'ü', '𝄞', '"\\\n\u0000', '😀'.repeat(50)),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const segment = fc.oneof(
  fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,12}$/),
  fc.constantFrom('ü', 'café', '日本', 'a%20b', 'x.y'),
);
const path = fc.oneof(
  { arbitrary: fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/')), weight: 4 },
  fc.constantFrom('https://other.example.com/u/1', 'a b', 'a@b', 'tab\there', '', 'ok/then?q=1'),
);
const micros = fc.oneof(
  { arbitrary: fc.integer({ min: 100_000_000_000_000, max: 4_000_000_000_000_000 }), weight: 4 },
  fc.integer({ min: -2_000_000_000_000_000, max: -1 }),
  fc.constantFrom(Date.now(), 1_764_000_000, 0),
);
const payload = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constant({ big: 'ü'.repeat(Math.floor(MAX_PAYLOAD_BYTES / 2) - 20) }),
  fc.constant({ big: 'x'.repeat(MAX_PAYLOAD_BYTES + 1) }),
);

const input: fc.Arbitrary<RecordInput> = fc.record(
  {
    verb: fc.oneof(
      { arbitrary: fc.constantFrom('create', 'update', 'delete', 'publish', 'send'), weight: 6 },
      { arbitrary: fc.constantFrom('xyz', 'Bad', ''), weight: 1 },
    ),
    type: fc.oneof(
      { arbitrary: fc.constantFrom('Startup', 'Idea', 'B2bLead'), weight: 6 },
      { arbitrary: fc.constantFrom('lower', 'Has Space', ''), weight: 1 },
    ),
    target: path,
    data: maybe(nullable(payload)),
    deleted: maybe(fc.boolean()),
    actor: maybe(nullable(path)),
    durability: maybe(fc.constantFrom('send', 'try', 'do')),
    status: maybe(fc.constantFrom('completed', 'failed', 'pending')),
    branch: maybe(nullable(text)),
    name: maybe(nullable(text)),
    error: maybe(nullable(fc.jsonValue({ maxDepth: 2 }))),
    ts: maybe(micros),
    requestId: maybe(nullable(text)),
    sessionId: maybe(nullable(text)),
    workflowId: maybe(nullable(text)),
    correlationId: maybe(nullable(text)),
    startedAt: maybe(nullable(micros)),
    completedAt: maybe(nullable(micros)),
  },
  { requiredKeys: ['verb', 'type', 'target'] },
) as fc.Arbitrary<RecordInput>;

const ns = 'https://ü.rows.startups.studio';

describe('every row the emitter produces lands', () => {
  it('whatever record() accepts yields events, things, actions rows the committed stream schemas take', () => {
    let accepted = 0;
    fc.assert(
      fc.property(input, fc.integer({ min: 1, max: 2 ** 40 }), fc.boolean(), (given, seq, hasInput) => {
        let write: ReturnType<typeof validateRecordInput>;
        try {
          write = validateRecordInput(ns, given);
        } catch (error) {
          expect(error).toBeInstanceOf(RecordInputError);
          expect((error as RecordInputError).field).toMatch(/^[a-zA-Z(]/);
          return;
        }
        accepted++;
        const output = write.data === undefined ? null : seq;
        const event = buildEventRow({
          ...write,
          ns,
          incarnation: '2b1f6c1e-0000-4000-8000-000000000001',
          seq,
          prevHash: seq === 1 ? null : 'ab'.repeat(32),
          noun: write.type,
          action: write.verb,
          past: verbForms(write.verb).event,
          input: hasInput && seq > 1 ? seq - 1 : null,
          output,
          actionId: seq + 7,
          name: output === null ? null : (write.name ?? null),
          deleted: output !== null && write.deleted === true,
          data: write.data ?? null,
        });
        expectLands('events', event);
        const derived = deriveGlobalRows(event);
        expect(derived.things).toHaveLength(output === null ? 0 : 1);
        expect(derived.actions).toHaveLength(1);
        for (const row of derived.things) expectLands('things', row);
        for (const row of derived.actions) expectLands('actions', row);
      }),
      { numRuns: 400 },
    );
    // The generator is not so hostile that nothing passes.
    expect(accepted).toBeGreaterThan(40);
  });

  it('checkpoint rows take the committed checkpoints schema at the edges of their ranges', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.stringMatching(/^[0-9a-f]{64}$/),
        micros,
        (headSeq, hash, ts) => {
          expectLands(
            'checkpoints',
            buildCheckpointRow(ns, 'inc-1', { head_seq: headSeq, head_hash: hash, count: headSeq, ts }),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
