import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkRecords, createRecordChecker } from '../../../local/pipelines/check-records.ts';
import { compileRecordTest } from '../../../local/pipelines/compile-record-test.ts';
import { seededRandom } from '../../../local/pipelines/ingest-faults.ts';
import { columnsOf, type LakeType, TABLES } from '../../../schemas/index.ts';

const MAX_DEPTH = 8;
const RECORDS_PER_TABLE = 6_000;

/** Values of each lake type that a column of that type accepts. */
const GOOD: Record<LakeType | 'url' | 'ref' | 'enum', unknown[]> = {
  string: ['', 'x', 'ü 🙂', 'a'.repeat(300), 'https://x.dev/a'],
  url: ['https://x.dev/a', 'HTTPS://X.DEV', 'a+b.c-d://x', 'urn-x://y/z?q=1#f'],
  ref: ['https://x.dev/a@v1', 'https://x.dev/a/b@v987654321', 'A://b@v9'],
  enum: [],
  int32: [0, 1, -1, 2 ** 31 - 1, -(2 ** 31)],
  int64: [0, -5, Number.MAX_SAFE_INTEGER, '9223372036854775807', '-9223372036854775808', '0', '-0', 12n],
  float64: [0, -0, 1.5, -1e300, Number.MAX_VALUE, 5e-324],
  bool: [true, false],
  timestamp: [0, 1_764_000_000_000_000, -Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  json: [
    null,
    1,
    'x',
    true,
    [],
    {},
    [1, [2, [3]]],
    { a: { b: { c: [null, 'd'] } } },
    JSON.parse('{"__proto__":{"x":1}}'),
  ],
};

/** Values that some column type refuses (and some other accepts): every one is tried everywhere. */
const HOSTILE: unknown[] = [
  undefined,
  null,
  '',
  'not a url',
  'https://x y',
  'https://',
  '://x',
  '1http://x',
  'https://x.dev/a@v0',
  'https://x.dev/a@v01',
  'https://x.dev/a@v1 ',
  'https://x@y.dev/a@v1',
  'Try',
  'completed ',
  '9223372036854775808',
  '-9223372036854775809',
  '1.5',
  '0x10',
  '01',
  ' 1',
  1.5,
  -0.5,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53,
  -(2 ** 53),
  Number.NaN,
  JSON.parse('1e999'),
  -JSON.parse('1e999'),
  2n ** 64n,
  true,
  [],
  [1],
  {},
  { a: 1 },
  JSON.parse('{"a":[1,{"b":1e999}]}'),
  JSON.parse('{"__proto__":1e999}'),
  Object.assign([1], { 2: 3 }), // a hole (index 1) reads undefined, which JSON has not
  { [Symbol('s')]: 1 },
  Object.create(null),
  new Date(0),
  () => 1,
  Symbol('x'),
];

const nested = (depth: number): unknown =>
  depth <= 1 ? { leaf: 1 } : depth % 2 ? { a: nested(depth - 1) } : [nested(depth - 1)];

function goodValues(schema: z.ZodObject, name: string, lakeType: LakeType): unknown[] {
  const field = schema.shape[name] as z.ZodType;
  if (GOOD.url.every((v) => field.safeParse(v).success)) {
    if (!GOOD.string.every((v) => field.safeParse(v).success)) return GOOD.url;
  }
  if (GOOD.ref.every((v) => field.safeParse(v).success) && !field.safeParse('https://x.dev/a').success)
    return GOOD.ref;
  const options = GOOD.string.filter((v) => field.safeParse(v).success);
  if (lakeType === 'string' && options.length === 0) {
    let inner = field;
    while (inner instanceof z.ZodNullable || inner instanceof z.ZodOptional)
      inner = inner.unwrap() as z.ZodType;
    return (inner as z.ZodEnum).options as unknown[];
  }
  return GOOD[lakeType];
}

/** Records around a valid one: mostly valid, then one to three mutations each. */
function generate(schema: z.ZodObject, seed: number, count: number): unknown[] {
  const next = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const columns = columnsOf(schema).map((c) => ({ ...c, good: goodValues(schema, c.name, c.lakeType) }));
  const records: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const record: Record<string, unknown> = {};
    for (const column of columns) {
      const roll = next();
      if (column.nullable && roll < 0.15) record[column.name] = null;
      else if (column.nullable && roll < 0.25) continue;
      else record[column.name] = pick(column.good);
    }
    const mutations = next() < 0.35 ? 0 : 1 + Math.floor(next() * 3);
    for (let m = 0; m < mutations; m++) {
      const column = pick(columns);
      const kind = next();
      if (kind < 0.6) record[column.name] = pick(HOSTILE);
      else if (kind < 0.7) delete record[column.name];
      else if (kind < 0.78) record[pick(['extra', 'ID', '__proto__', 'constructor'])] = 1;
      else if (kind < 0.88) record[column.name] = nested(MAX_DEPTH - 2 + Math.floor(next() * 4));
      else if (kind < 0.94)
        record[column.name] = pick(columns.find((c) => c.lakeType !== column.lakeType)!.good);
      else {
        records.push(pick([null, 1, 'x', [], {}, [record], Object.create(null)]));
        break;
      }
    }
    if (records.length === i) records.push(record);
  }
  return records;
}

/** Today's decision, from zod alone: a strict object whose nullable columns may be absent, nesting bounded. */
function referenceAccepts(schema: z.ZodObject): (record: unknown) => boolean {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([name, field]) => {
      const type = field as z.ZodType;
      return [name, type.safeParse(null).success ? type.optional() : type];
    }),
  );
  const strict = z.object(shape).strict();
  const depth = (value: unknown): number =>
    value === null || typeof value !== 'object'
      ? 0
      : 1 + Math.max(0, ...(Array.isArray(value) ? value : Object.values(value)).map(depth));
  return (record) =>
    record !== null &&
    typeof record === 'object' &&
    !Array.isArray(record) &&
    Object.keys(record).length > 0 &&
    Object.values(record).every((value) => depth(value) < MAX_DEPTH) &&
    strict.safeParse(record).success;
}

const hasProtoKey = (value: unknown): boolean =>
  value !== null &&
  typeof value === 'object' &&
  (Object.hasOwn(value, '__proto__') || Object.values(value).some(hasProtoKey));

describe('the compiled record test against zod (fuzz)', () => {
  for (const [table, schema] of Object.entries(TABLES)) {
    it(`${table}: the same decision on every generated record, and the same refusal details`, () => {
      const records = generate(schema, table.length * 7919, RECORDS_PER_TABLE);
      const test = compileRecordTest(schema);
      const accepts = referenceAccepts(schema);
      let valid = 0;
      const wrong: { index: number; record: unknown; vouched: boolean }[] = [];
      for (const [index, record] of records.entries()) {
        const expected = accepts(record);
        if (expected) valid += 1;
        const vouched = test(record, MAX_DEPTH);
        // Never vouches for a refused record (the property that matters), and vouches for every valid
        // one but those with a JSON `__proto__` key (left to the full check).
        if (vouched ? !expected : expected && !hasProtoKey(record)) wrong.push({ index, record, vouched });
      }
      expect(wrong.slice(0, 3)).toEqual([]);
      // Both kinds are well represented.
      expect(valid).toBeGreaterThan(RECORDS_PER_TABLE * 0.2);
      expect(RECORDS_PER_TABLE - valid).toBeGreaterThan(RECORDS_PER_TABLE * 0.2);

      // The checker with the compiled test answers exactly what the zod-only checker answers.
      const config = { maxDepth: MAX_DEPTH, maxDetails: 100_000, maxRejected: 100_000, maxReasons: 100_000 };
      const fast = createRecordChecker(schema, records, config);
      fast.step(0, records.length);
      const reference = createRecordChecker(schema, records, { ...config, compiledTest: false });
      reference.step(0, records.length);
      const result = fast.result();
      expect(result).toEqual(reference.result());
      expect(result!.invalid).toBe(RECORDS_PER_TABLE - valid);
      expect(new Set(result!.details.map((d) => d.field)).size).toBeGreaterThan(5);
    });
  }

  it('answers a valid batch with no problems, and names the bad field of a mixed one', async () => {
    const records = generate(TABLES.events, 1, 400);
    const accepts = referenceAccepts(TABLES.events);
    const good = records.filter(accepts);
    expect(await checkRecords(TABLES.events, good, { maxDepth: MAX_DEPTH })).toBeNull();
    const bad = { ...(good[0] as Record<string, unknown>), seq: 1.5 };
    const check = await checkRecords(TABLES.events, [...good, bad], { maxDepth: MAX_DEPTH });
    expect(check?.rejected).toEqual([good.length]);
    expect(check?.details).toEqual([
      { index: good.length, field: 'seq', message: expect.stringContaining('int64') },
    ]);
  });
});
