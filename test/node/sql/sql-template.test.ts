import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSqlFragment, type SqlLiteral, SqlTemplateError, sql, tokenizeSql } from '../../../sql/index.ts';

let connection: DuckDBConnection;

beforeAll(async () => {
  connection = await (await DuckDBInstance.create(':memory:')).connect();
  await connection.run("SET TimeZone = 'UTC'");
});

afterAll(() => connection?.closeSync());

describe('the sql template', () => {
  it('renders literals, identifiers, lists and fragments', () => {
    const since = new Date('2026-11-25T09:00:00.123Z');
    const where = sql`ns = ${"o'brien"} AND ts >= ${since}`;
    expect(
      sql`SELECT ${1}, ${-2}, ${0.1}, ${5n}, ${true}, ${null} FROM ${sql.id('analytics', 'events')} WHERE ${where} AND verb IN ${['a', 'b']}`
        .text,
    ).toBe(
      `SELECT 1, (-2), 1e-1, 5, TRUE, NULL FROM "analytics"."events" WHERE ns = 'o''brien' AND ts >= TIMESTAMP '2026-11-25T09:00:00.123000Z' AND verb IN ('a', 'b')`,
    );
    expect(sql.id('my "table"').text).toBe('"my ""table"""');
    expect(sql.join([sql.id('a'), sql.id('b')], sql` AND `).text).toBe('"a" AND "b"');
    expect(sql.timestamp(1_764_061_200_123_456n).text).toBe("TIMESTAMP '2025-11-25T09:00:00.123456Z'");
    expect(`${sql`SELECT 1`}`).toBe('SELECT 1');
  });

  it('keeps a value from fusing with the text around it', () => {
    // E'x' would be an escape string in which a backslash escapes the closing quote.
    expect(sql`SELECT E${'x\\'}`.text).toBe("SELECT E 'x\\'");
    // x --1 would be a comment.
    expect(sql`SELECT 1 -${-1}`.text).toBe('SELECT 1 -(-1)');
  });

  it.each([
    [Number.NaN, /not a finite number/],
    [Number.POSITIVE_INFINITY, /not a finite number/],
    [new Date('not a date'), /invalid Date/],
    [new Date('+100000-01-01T00:00:00Z'), /outside 1677-09-22/],
    ['a\u0000b', /NUL/],
    ['\uD800', /lone surrogate/],
    [[], /empty list/],
    [undefined, /undefined has no SQL literal/],
    [2n ** 127n, /128-bit/],
    [{ kind: 'sql-fragment', text: 'DROP TABLE x' }, /not a SQL value/],
    [[['nested']], /list inside a list/],
  ])('refuses %s with a clear error', (value, message) => {
    const render = () => sql`SELECT ${value as SqlLiteral}`;
    expect(render).toThrow(SqlTemplateError);
    expect(render).toThrow(message);
  });

  it('refuses an identifier that is empty or not text', () => {
    expect(() => sql.id('')).toThrow(/non-empty/);
    expect(() => sql.id('a\u0000')).toThrow(/NUL/);
    expect(() => sql.id()).toThrow(/at least one/);
  });

  it('trusts only fragments it made', () => {
    expect(isSqlFragment(sql`SELECT 1`)).toBe(true);
    expect(isSqlFragment(JSON.parse(JSON.stringify(sql`SELECT 1`)))).toBe(false);
  });
});

// Values chosen to break quoting: quotes, backslashes, comment openers, statement separators, NUL,
// lone surrogates, and every UTF-16 code unit.
const NASTY = [
  "'",
  "''",
  '"',
  '\\',
  "\\'",
  '--',
  '/*',
  '*/',
  ';',
  '\u0000',
  '\uD800',
  '\uDFFF',
  'E',
  '$$',
  '\n',
];
const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
  fc.array(fc.constantFrom(...NASTY), { maxLength: 12 }).map((parts) => parts.join('')),
  fc.string({ unit: fc.constantFrom(...NASTY, 'a', '\u00e9', '\u{1F600}') }),
);
const number = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e21, -0, 0.1),
);
const bigint = fc.oneof(
  fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }),
  fc.constantFrom(2n ** 127n - 1n, -(2n ** 127n) + 1n, 2n ** 127n, -(2n ** 127n), 2n ** 63n),
);
const date = fc.oneof(
  fc.date({ noInvalidDate: false }),
  fc.date({ min: new Date('1677-09-22T00:00:00Z'), max: new Date('2262-04-11T00:00:00Z') }),
);
const value = fc.oneof(
  { arbitrary: text, weight: 4 },
  { arbitrary: number, weight: 2 },
  { arbitrary: bigint, weight: 1 },
  { arbitrary: date, weight: 2 },
  { arbitrary: fc.boolean(), weight: 1 },
  { arbitrary: fc.constant(null), weight: 1 },
  { arbitrary: fc.array(text, { maxLength: 4 }), weight: 1 },
);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const badText = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s);

/** Why the template must refuse `v`, decided apart from the template's own code; null when it must not. */
function mustRefuse(v: unknown): boolean {
  if (typeof v === 'string') return badText(v);
  if (typeof v === 'number') return !Number.isFinite(v);
  if (typeof v === 'bigint') return v >= 2n ** 127n || v <= -(2n ** 127n);
  if (v instanceof Date) {
    const t = v.getTime();
    return Number.isNaN(t) || t < Date.UTC(1677, 8, 22) || t > Date.UTC(2262, 3, 11);
  }
  if (Array.isArray(v)) return v.length === 0 || v.some(mustRefuse);
  return false;
}

/** The token shape `SELECT <value> AS v` must have, for each kind of value. */
function expectShape(rendered: string, v: unknown): void {
  const tokens = tokenizeSql(rendered);
  if (!Array.isArray(tokens)) throw new Error(`does not tokenize: ${tokens.message}`);
  const middle = tokens.slice(1, -2);
  expect(tokens[0]!.value).toBe('SELECT');
  expect(tokens.slice(-2).map((t) => t.value)).toEqual(['AS', 'V']);
  const kinds = middle.map((t) => (t.kind === 'symbol' ? t.value : t.kind));
  if (typeof v === 'string') {
    expect(kinds).toEqual(['string']);
    expect(middle[0]!.value).toBe(v);
  } else if (typeof v === 'number' || typeof v === 'bigint') {
    expect(kinds).toEqual(kinds.length === 1 ? ['number'] : ['(', '-', 'number', ')']);
  } else if (v instanceof Date) {
    expect(kinds).toEqual(['word', 'string']);
  } else if (Array.isArray(v)) {
    expect(kinds).toEqual([
      'word',
      '(',
      ...v.flatMap((_, i) => (i === 0 ? ['string'] : [',', 'string'])),
      ')',
    ]);
    expect(middle.filter((t) => t.kind === 'string').map((t) => t.value)).toEqual(v);
  } else expect(kinds).toEqual(['word']);
}

function expectRoundTrip(out: unknown, v: unknown): void {
  if (typeof v === 'number') {
    expect(typeof out === 'bigint' ? out === BigInt(v) : Object.is(out, v)).toBe(true);
  } else if (typeof v === 'bigint') expect(BigInt(out as bigint)).toBe(v);
  else if (v instanceof Date) expect((out as Date).getTime()).toBe(v.getTime());
  else expect(out).toEqual(v);
}

describe('the sql template against adversarial values (property, 10,000 runs)', () => {
  it('renders SQL of the expected shape that DuckDB reads back unchanged, or refuses with a clear error', async () => {
    let refused = 0;
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(value, async (v) => {
        // A list goes through list_value(...) so DuckDB answers it as a list to compare.
        const prefix = Array.isArray(v) ? sql`list_value` : sql``;
        let rendered: string;
        try {
          rendered = sql`SELECT ${prefix}${v} AS v`.text;
        } catch (error) {
          expect(error).toBeInstanceOf(SqlTemplateError);
          expect((error as Error).message).toMatch(/^sql value #\d+: \S/);
          expect(mustRefuse(v)).toBe(true);
          refused++;
          return;
        }
        expect(mustRefuse(v)).toBe(false);
        expectShape(rendered, v);
        const reader = await connection.runAndReadAll(rendered);
        expectRoundTrip(reader.getRowsJS()[0]![0], v);
        ran++;
      }),
      { numRuns: 10_000, seed: 20261201 },
    );
    expect(refused).toBeGreaterThan(100);
    expect(ran).toBeGreaterThan(5_000);
  }, 120_000);
});
