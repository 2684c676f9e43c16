import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { col, columnsOf, TABLES, toInt64, toStreamRecord } from '../../../schemas/index.ts';

describe('col.int64', () => {
  const row = z.object({ n: col.int64() });

  it('takes a safe number, a bigint or a decimal string, and answers number when safe, bigint beyond', () => {
    expect(row.parse({ n: 42 }).n).toBe(42);
    expect(row.parse({ n: 42n }).n).toBe(42);
    expect(row.parse({ n: '-42' }).n).toBe(-42);
    expect(row.parse({ n: '9007199254740993' }).n).toBe(9_007_199_254_740_993n);
    expect(row.parse({ n: -(2n ** 63n) }).n).toBe(-(2n ** 63n));
  });

  it('rejects what is not an exact int64, naming the field', () => {
    for (const n of [1.5, 2 ** 53, '1e3', '01', ' 1', '9223372036854775808', 2n ** 63n, null, true]) {
      const result = row.safeParse({ n });
      expect(result.success, String(n)).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['n']);
    }
  });

  it('toInt64 is the same rule, usable without zod', () => {
    expect(toInt64('123')).toBe(123);
    expect(toInt64(2n ** 60n)).toBe(2n ** 60n);
    expect(toInt64(Number.MAX_SAFE_INTEGER + 1)).toBeNull();
  });

  it('goes on the wire as a decimal string when beyond 2^53', () => {
    const checkpoint = toStreamRecord(TABLES.checkpoints, { count: 2n ** 60n, head_seq: 7, nope: 1 });
    expect(checkpoint).toEqual({ count: '1152921504606846976', head_seq: 7 });
    expect(JSON.stringify(checkpoint)).toBe('{"head_seq":7,"count":"1152921504606846976"}');
  });
});

describe('global tables', () => {
  it('are snake_case, carry schema_version first and a UTC µs ts', () => {
    for (const [name, schema] of Object.entries(TABLES)) {
      const columns = columnsOf(schema);
      expect(columns[0], name).toMatchObject({ name: 'schema_version', lakeType: 'int32', nullable: false });
      expect(
        columns.find((c) => c.name === 'ts'),
        name,
      ).toMatchObject({ lakeType: 'timestamp', nullable: false });
      for (const c of columns) expect(c.name).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });

  it('events carry the naming, correlation, timing and durability columns', () => {
    const names = columnsOf(TABLES.events).map((c) => c.name);
    for (const name of [
      'event',
      'verb',
      'action',
      'durability',
      'request_id',
      'session_id',
      'workflow_id',
      'correlation_id',
      'started_at',
      'completed_at',
      'duration_ms',
      'input_version',
      'output_version',
    ])
      expect(names).toContain(name);
  });

  it('ids are absolute URLs and version refs look like https://startups.studio/acme@v1234', () => {
    const things = TABLES.things;
    expect(things.shape.id.safeParse('https://startups.studio/acme@v1234').success).toBe(true);
    expect(things.shape.id.safeParse('https://startups.studio/acme').success).toBe(false);
    expect(things.shape.id.safeParse('acme@v1').success).toBe(false);
    expect(TABLES.events.shape.target.safeParse('acme').success).toBe(false);
    expect(TABLES.events.shape.output_version.safeParse('https://startups.studio/acme@v0').success).toBe(
      false,
    );
  });
});
