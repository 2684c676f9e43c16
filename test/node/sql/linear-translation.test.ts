import { describe, expect, it } from 'vitest';
import { R2SQL_LIMITS, toDuckDbSql } from '../../../sql/index.ts';

/** Translates `sql` (which must pass) and returns the output length and the best of three timings. */
function translate(sql: string): { length: number; ms: number } {
  let ms = Infinity;
  let length = 0;
  for (let k = 0; k < 3; k++) {
    const start = performance.now();
    const result = toDuckDbSql(sql);
    ms = Math.min(ms, performance.now() - start);
    if (!result.ok) throw new Error(result.problem.message);
    length = result.value.sql.length;
  }
  return { length, ms };
}

const arrows = (n: number) => `SELECT data${"->'a'".repeat(n)} FROM analytics.events`;
const nested = (n: number) =>
  `SELECT ${'json_get_str('.repeat(n)}data${", 'k')".repeat(n)} AS v FROM analytics.events`;
const unions = (n: number) => Array.from({ length: n }, (_, k) => `SELECT ${k} AS n`).join(' UNION ALL ');
const calls = (n: number) =>
  `SELECT ${Array.from({ length: n }, (_, k) => `initcap(json_get_str(data, 'k${k}'))`).join(', ')} FROM analytics.events`;

// Each shape at a small size and at one 4–25× larger (near the size limit): translation time and
// output size must grow in proportion. Quadratic work would make the time ratio ~16–32× the size
// ratio; the bound allows 4× the size ratio (plus a few ms for timer noise), so it is generous.
describe('translation is linear in the size of the query', () => {
  it.each([
    ['80,000-byte chain of -> operators', arrows, 1_000, 16_000],
    ['json_get_str nested to the depth limit', nested, 16, 63],
    ['3,500 UNION ALL branches', unions, 200, 3_500],
    ['2,500 rewritten calls', calls, 100, 2_500],
  ] as const)('%s', (_name, build, small, large) => {
    const a = translate(build(small));
    const b = translate(build(large));
    const sizeRatio = build(large).length / build(small).length;
    expect(b.length / a.length).toBeLessThan(sizeRatio * 1.5);
    expect(b.ms).toBeLessThan(a.ms * sizeRatio * 4 + 20);
  });

  it('keeps nested rewrites from multiplying the SQL (each level adds a constant)', () => {
    const sizes = [10, 20, 40].map((n) => translate(nested(n)).length);
    expect(sizes[2]! - sizes[1]!).toBeLessThan((sizes[1]! - sizes[0]!) * 2.5);
    expect(sizes[2]!).toBeLessThan(nested(40).length * 20);
    // The shape that produced 27.8 MB at 18 levels (each level doubled the SQL): now a few KB at 24.
    expect(translate(nested(24)).length).toBeLessThan(8_000);
  });

  it('refuses 80,000 -> operators (400 KB) at once, by size, before tokenizing', () => {
    const start = performance.now();
    const result = toDuckDbSql(arrows(80_000));
    expect(!result.ok && result.problem.construct).toBe('query size');
    expect(performance.now() - start).toBeLessThan(50);
  });
});

describe('query size and nesting depth are bounded (40004 naming the limit)', () => {
  it(`refuses a query over ${R2SQL_LIMITS.maxQueryBytes} bytes, counted in UTF-8`, () => {
    const big = `SELECT '${'x'.repeat(R2SQL_LIMITS.maxQueryBytes)}' AS s`;
    const result = toDuckDbSql(big);
    expect(!result.ok && result.problem).toMatchObject({ code: 40004, construct: 'query size' });
    expect(!result.ok && result.problem.message).toContain('maxQueryBytes');
    const multibyte = `SELECT '${'é'.repeat(R2SQL_LIMITS.maxQueryBytes / 2)}' AS s`; // 2 bytes each
    expect(toDuckDbSql(multibyte).ok).toBe(false);
    expect(toDuckDbSql(`SELECT '${'é'.repeat(R2SQL_LIMITS.maxQueryBytes / 2 - 20)}' AS s`).ok).toBe(true);
  });

  it(`refuses parentheses nested over ${R2SQL_LIMITS.maxNestingDepth} levels, at the first one too deep`, () => {
    const deep = (n: number) => `SELECT ${'('.repeat(n)}1${')'.repeat(n)} AS v`;
    expect(toDuckDbSql(deep(R2SQL_LIMITS.maxNestingDepth)).ok).toBe(true);
    const result = toDuckDbSql(deep(R2SQL_LIMITS.maxNestingDepth + 1));
    expect(!result.ok && result.problem).toMatchObject({
      code: 40004,
      construct: 'nesting depth',
      position: { column: 8 + R2SQL_LIMITS.maxNestingDepth },
    });
    expect(!result.ok && result.problem.message).toContain('maxNestingDepth');
    expect(toDuckDbSql(nestedCall(R2SQL_LIMITS.maxNestingDepth + 1)).ok).toBe(false);
  });
});

const nestedCall = (n: number) => `SELECT ${'abs('.repeat(n)}1${')'.repeat(n)} AS v`;
