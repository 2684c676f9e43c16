import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { utf8Buffers, validityOf } from '../../../lake/parquet/arrow-buffers.ts';
import { pipelinesConfig } from '../../../local/pipelines/pipelines-config.ts';
import { createPipelineTransforms, createSyncDuckDb } from '../../../local/pipelines/transforms/index.ts';
import { fillAbsent } from '../../../local/pipelines/validate-records.ts';
import { eventRow } from '../../../schemas/index.ts';
import { eventFixture, tempDir } from '../helpers.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function transforms(pipelines: { name: string; sql: string }[], sinks = {}) {
  const temp = await tempDir('dotdo-pass-through-');
  cleanups.push(temp.remove);
  const db = createSyncDuckDb();
  cleanups.push(() => db.close());
  return createPipelineTransforms({
    db,
    tmpDir: temp.dir,
    streams: { events: eventRow },
    sinks: { all_sink: eventRow, copy_sink: eventRow, ...sinks },
    pipelines,
  });
}

describe('Pipeline SQL: SELECT * into a sink of the same table', () => {
  it('passes the batch through untouched, equal to what DuckDB makes of it', async () => {
    const t = await transforms([
      { name: 'all', sql: 'INSERT INTO all_sink SELECT * FROM events' },
      // The same rows taken through DuckDB: a WHERE that keeps every row.
      { name: 'copy', sql: 'INSERT INTO copy_sink SELECT * FROM events WHERE seq > 0' },
    ]);
    expect(t.statements.map((s) => [s.sink, s.passThrough])).toEqual([
      ['all_sink', true],
      ['copy_sink', false],
    ]);
    const records = fillAbsent(
      eventRow,
      Array.from({ length: 300 }, (_, i) =>
        eventFixture(i + 1, { data: { name: `Acme ${i}`, n: i, nested: { é: ['ü', null, i / 3] } } }),
      ) as unknown as Record<string, unknown>[],
    );
    const out = t.apply('events', records, 'b1');
    const all = out.get('all_sink')!;
    const copy = out.get('copy_sink')!;
    expect(all.rejects).toEqual([]);
    expect(copy.rejects).toEqual([]);
    expect(all.rows).toHaveLength(300);
    expect(all.rows).toEqual(copy.rows);
  });

  it('still takes the batch through DuckDB when the sink is stricter or only SELECT * of another shape', async () => {
    const strict = eventRow.extend({ actor: eventRow.shape.id });
    const t = await transforms(
      [
        { name: 'strict', sql: 'INSERT INTO strict_sink SELECT * FROM events' },
        { name: 'some', sql: 'INSERT INTO some_sink SELECT id, seq FROM events' },
      ],
      { strict_sink: strict, some_sink: eventRow },
    );
    expect(t.statements.map((s) => s.passThrough)).toEqual([false, false]);
    // A record without an actor is refused by the stricter sink, as DuckDB's path checks each row.
    const records = fillAbsent(eventRow, [eventFixture(1, { actor: null })] as never);
    const out = t.apply('events', records, 'b2');
    expect(out.get('strict_sink')!.rows).toEqual([]);
    expect(out.get('strict_sink')!.rejects[0]!.field).toBe('actor');
    expect(out.get('some_sink')!.rows).toEqual([{ id: records[0]!.id, seq: 1 }]);
  });
});

describe('Roll size bound', () => {
  it('refuses a rollBytes a roll could not read whole, naming the limit', () => {
    const result = pipelinesConfig.safeParse({ dataDir: '/tmp/x', rollBytes: 2 ** 30 });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('256 MiB');
    expect(pipelinesConfig.safeParse({ dataDir: '/tmp/x', rollBytes: 256 * 2 ** 20 }).success).toBe(true);
  });
});

describe('Arrow buffers', () => {
  it('lays out any strings as TextEncoder encodes them, nulls empty', () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.string({ unit: 'binary' }), { nil: null }), { maxLength: 60 }),
        (values) => {
          const { valueOffsets, data } = utf8Buffers(values);
          values.forEach((value, i) => {
            const bytes = data.subarray(valueOffsets[i]!, valueOffsets[i + 1]!);
            expect([...bytes]).toEqual([...encoder.encode(value ?? '')]);
          });
          expect(validityOf(values).nullCount).toBe(values.filter((v) => v === null).length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
