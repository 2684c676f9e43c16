import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildEventRow } from '../../../ingest/store/event-row.ts';
import {
  isPipelinesSchema,
  type PipelinesSchema,
  renderPipelinesSchema,
  TABLES,
  toR2SqlColumns,
  toStreamRecord,
  validateStreamRecords,
} from '../../../schemas/index.ts';
import { sampleRows } from './sample-rows.ts';

const dir = new URL('../../../schemas/pipelines/', import.meta.url);
const committed = (table: string): string => readFileSync(new URL(`${table}.json`, dir), 'utf8');
const schemaOf = (table: string): PipelinesSchema => JSON.parse(committed(table)) as PipelinesSchema;
const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

// The field types Cloudflare documents for stream schemas (PLATFORM.md); wrangler's extra uint32,
// uint64 and decimal128 are left out on purpose.
const DOCUMENTED = [
  'string',
  'int32',
  'int64',
  'float32',
  'float64',
  'bool',
  'timestamp',
  'json',
  'binary',
  'list',
  'struct',
];

describe('committed Pipelines stream schemas (schemas/pipelines/*.json)', () => {
  it('exist for exactly the zod tables', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(
      Object.keys(TABLES)
        .map((t) => `${t}.json`)
        .sort(),
    );
  });

  for (const [table, schema] of Object.entries(TABLES)) {
    it(`${table}.json is what the zod schema derives, byte for byte (run \`dotdo-analytics schema generate\`)`, () => {
      expect(committed(table)).toBe(renderPipelinesSchema(schema));
    });

    it(`${table}.json uses only documented types; timestamps in microseconds`, () => {
      const parsed = schemaOf(table);
      expect(isPipelinesSchema(parsed)).toBe(true);
      for (const field of parsed.fields) {
        expect(DOCUMENTED).toContain(field.type);
        expect(field.name).toMatch(/^[a-z][a-z0-9_]*$/);
        if (field.type === 'timestamp') expect(field.unit).toBe('microsecond');
        else expect(field.unit).toBeUndefined();
      }
      expect(parsed.fields.find((f) => f.name === 'schema_version')).toEqual({
        name: 'schema_version',
        type: 'int32',
        required: true,
      });
    });

    it(`${table}: sample rows pass both zod and the stream schema in their JSON form`, () => {
      const rows = sampleRows[table as keyof typeof TABLES].map((r) => schema.parse(r));
      const records = wire(rows.map((row) => toStreamRecord(schema, row)));
      expect(validateStreamRecords(schemaOf(table), records)).toEqual([]);
      for (const record of records) expect(schema.safeParse(record).success).toBe(true);
    });
  }

  it('R2 SQL types follow the lake types', () => {
    const byName = Object.fromEntries(toR2SqlColumns(TABLES.events).map((c) => [c.name, c]));
    expect(byName.seq).toMatchObject({ sqlType: 'BIGINT', icebergType: 'long', nullable: false });
    expect(byName.ts).toMatchObject({ sqlType: 'TIMESTAMP', icebergType: 'timestamptz' });
    expect(byName.data).toMatchObject({ sqlType: 'VARCHAR', nullable: true });
    expect(byName.schema_version).toMatchObject({ sqlType: 'INT', icebergType: 'int' });
  });
});

describe('validateStreamRecords', () => {
  const events = schemaOf('events');
  const good = wire(toStreamRecord(TABLES.events, TABLES.events.parse(sampleRows.events[0])));

  it('passes a row the emitter builds', () => {
    const row = buildEventRow({
      ns: 'https://startups.studio',
      incarnation: 'inc-1',
      prevHash: 'ab'.repeat(32),
      seq: 3,
      ts: 1_764_000_000_000_001,
      data: JSON.stringify({ n: 1, name: 'Ünï 😀' }),
      action: 'create',
      past: 'created',
      noun: 'Startup',
      actor: 'agents/priya',
      target: 'acme',
      durability: 'do',
      status: 'completed',
      input: null,
      output: 3,
      actionId: 3,
      name: 'Acme',
      deleted: false,
      branch: null,
      error: null,
      requestId: 'r',
      sessionId: null,
      workflowId: null,
      correlationId: 'c',
      startedAt: 1_764_000_000_000_000,
      completedAt: 1_764_000_000_000_001,
    });
    expect(validateStreamRecords(events, [wire(row)])).toEqual([]);
  });

  it('names every bad field: missing required, null required, wrong type, inexact int64, unknown', () => {
    const bad = {
      ...good,
      id: undefined,
      ns: null,
      seq: 2 ** 53 + 2,
      ts: '2026-13-45 nonsense',
      duration_ms: 'fast',
      schema_version: 2 ** 31,
      extra: 1,
    };
    const problems = validateStreamRecords(events, [good, wire(bad)]);
    expect(problems.map((p) => [p.index, p.field])).toEqual([
      [1, 'schema_version'],
      [1, 'id'],
      [1, 'ns'],
      [1, 'seq'],
      [1, 'ts'],
      [1, 'duration_ms'],
      [1, 'extra'],
    ]);
    expect(problems.find((p) => p.field === 'seq')?.message).toMatch(/decimal string/);
    expect(problems.find((p) => p.field === 'id')?.message).toMatch(/required/);
    expect(problems.find((p) => p.field === 'extra')?.message).toMatch(/not in the stream schema/);
  });

  it('takes an int64 beyond 2^53 as a decimal string, and RFC 3339 timestamps', () => {
    const record = { ...good, seq: '9223372036854775807', ts: '2026-11-25T09:00:00.123456Z' };
    expect(validateStreamRecords(events, [record])).toEqual([]);
    expect(validateStreamRecords(events, [{ ...good, seq: '9223372036854775808' }])[0]?.field).toBe('seq');
  });

  it('checks list and struct fields by path', () => {
    const schema: PipelinesSchema = {
      fields: [
        { name: 'tags', type: 'list', required: false, items: { type: 'string' } },
        {
          name: 'meta',
          type: 'struct',
          required: true,
          fields: [{ name: 'priority', type: 'int32', required: true }],
        },
      ],
    };
    const problems = validateStreamRecords(schema, [{ tags: ['a', 2], meta: { priority: 'high' } }, 'x']);
    expect(problems.map((p) => `${p.index}:${p.field}`)).toEqual([
      '0:tags[1]',
      '0:meta.priority',
      '1:(record)',
    ]);
  });
});
