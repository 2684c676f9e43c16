/**
 * The `sql` tagged template: the one way a value reaches SQL. Interpolated values are rendered as
 * literals (strings escaped, numbers, bigints, booleans and timestamps validated, arrays as lists),
 * identifiers go through `sql.id()`, and fragments compose. Nothing here runs SQL; the text renders
 * the same for R2 SQL and DuckDB. Workers-safe: imports nothing.
 *
 * @module
 */

/** A piece of SQL made by the template (never by hand): `text` is the rendered SQL. */
export interface SqlFragment {
  readonly kind: 'sql-fragment';
  readonly text: string;
  toString(): string;
}

/** A single value (what a list may hold): a literal or a fragment. */
export type SqlLiteral = string | number | bigint | boolean | Date | null | SqlFragment;

/** What may be interpolated: a literal, a fragment, or a list of literals (rendered `(a, b, …)`). */
export type SqlValue = SqlLiteral | readonly SqlLiteral[];

/** A value the template refuses to render, with the interpolation's position and why. */
export class SqlTemplateError extends Error {
  override readonly name = 'SqlTemplateError';
  readonly code = 'invalid_sql_value';
  /** 0-based index of the interpolation in its template (`${…}` number), when known. */
  readonly index: number | undefined;

  constructor(message: string, index?: number) {
    super(index === undefined ? message : `sql value #${index}: ${message}`);
    this.index = index;
  }
}

// Only fragments this module made are trusted: an object that merely looks like one (say, parsed
// from a request body) is refused rather than spliced in.
const made = new WeakSet<object>();

function fragment(text: string): SqlFragment {
  const value: SqlFragment = Object.freeze({ kind: 'sql-fragment' as const, text, toString: () => text });
  made.add(value);
  return value;
}

/**
 * Tells a fragment made by the template from anything else (a look-alike object is not one).
 *
 * @example
 * ```ts
 * import { isSqlFragment, sql } from './sql-template.ts';
 * isSqlFragment(sql`SELECT 1`); // true
 * isSqlFragment({ kind: 'sql-fragment', text: 'DROP TABLE x' }); // false
 * ```
 */
export function isSqlFragment(value: unknown): value is SqlFragment {
  return typeof value === 'object' && value !== null && made.has(value);
}

// R2 SQL (DataFusion) stores timestamps as i64 nanoseconds: literals outside this range cannot be
// represented there, so they are refused here too.
const MIN_TIMESTAMP_MS = Date.parse('1677-09-22T00:00:00.000Z');
const MAX_TIMESTAMP_MS = Date.parse('2262-04-11T00:00:00.000Z');
const INT128_LIMIT = 2n ** 127n;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkText(text: string, what: string, index?: number): void {
  if (text.includes('\u0000')) throw new SqlTemplateError(`${what} contains a NUL character`, index);
  if (LONE_SURROGATE.test(text))
    throw new SqlTemplateError(`${what} contains a lone surrogate (not valid Unicode text)`, index);
}

function renderString(text: string, index?: number): string {
  checkText(text, 'a string', index);
  return `'${text.replaceAll("'", "''")}'`;
}

function renderNumber(value: number, index?: number): string {
  if (!Number.isFinite(value))
    throw new SqlTemplateError(`${value} is not a finite number; SQL has no literal for it`, index);
  // Safe integers as integers; anything else in exponent form, which both engines read as a double
  // (a plain `0.1` would be a DECIMAL in DuckDB), with the digits that round-trip exactly.
  if (Object.is(value, -0)) return '(-0e0)';
  const text = Number.isSafeInteger(value) ? String(value) : value.toExponential();
  // Parenthesized when negative, so `x -${-1}` cannot become the comment `x --1`.
  return value < 0 ? `(${text})` : text;
}

function renderBigInt(value: bigint, index?: number): string {
  if (value >= INT128_LIMIT || value <= -INT128_LIMIT)
    throw new SqlTemplateError(`${value} is outside the 128-bit integer range`, index);
  return value < 0n ? `(${value})` : String(value);
}

function renderTimestamp(ms: number, micros: string, index?: number): string {
  if (!Number.isFinite(ms)) throw new SqlTemplateError('an invalid Date (its time is NaN)', index);
  if (ms < MIN_TIMESTAMP_MS || ms > MAX_TIMESTAMP_MS)
    throw new SqlTemplateError(
      `timestamp ${new Date(ms).toISOString()} is outside 1677-09-22 … 2262-04-11, the range R2 SQL can represent`,
      index,
    );
  const iso = new Date(ms).toISOString(); // 2026-11-25T09:00:00.123Z
  return `TIMESTAMP '${iso.slice(0, 19)}.${micros}Z'`;
}

function renderLiteral(value: unknown, index?: number): string {
  if (value === null) return 'NULL';
  switch (typeof value) {
    case 'string':
      return renderString(value, index);
    case 'number':
      return renderNumber(value, index);
    case 'bigint':
      return renderBigInt(value, index);
    case 'boolean':
      return value ? 'TRUE' : 'FALSE';
    case 'undefined':
      throw new SqlTemplateError('undefined has no SQL literal; pass null for NULL', index);
  }
  if (value instanceof Date) {
    const ms = value.getTime();
    const millis = String(((ms % 1000) + 1000) % 1000).padStart(3, '0');
    return renderTimestamp(ms, `${millis}000`, index);
  }
  if (isSqlFragment(value)) return value.text;
  throw new SqlTemplateError(
    `${Object.prototype.toString.call(value).slice(8, -1)} is not a SQL value (use a string, number, bigint, boolean, Date, null, a list of those, or a fragment made by sql)`,
    index,
  );
}

function render(value: unknown, index?: number): string {
  if (Array.isArray(value)) {
    if (value.length === 0)
      throw new SqlTemplateError('an empty list has no SQL form (`IN ()` is not valid SQL)', index);
    return `(${value
      .map((item) => {
        if (Array.isArray(item)) throw new SqlTemplateError('a list inside a list is not a SQL value', index);
        return renderLiteral(item, index);
      })
      .join(', ')})`;
  }
  return renderLiteral(value, index);
}

const WORD_CHAR = /[A-Za-z0-9_$\u0080-\uffff]$/;

function template(strings: TemplateStringsArray, ...values: SqlValue[]): SqlFragment {
  let text = strings[0] ?? '';
  values.forEach((value, i) => {
    const rendered = render(value, i);
    // `E${'x'}` would otherwise make an escape string (E'x'), `N${…}` a national one: keep a literal or
    // identifier from fusing with a word written right before it.
    const glue = WORD_CHAR.test(text) && /^['"]/.test(rendered) ? ' ' : '';
    text += glue + rendered + (strings[i + 1] ?? '');
  });
  return fragment(text);
}

/**
 * An identifier, quoted: `sql.id('events')` → `"events"`, `sql.id('analytics', 'events')` →
 * `"analytics"."events"` (each part one name; a dot inside a part stays part of that name).
 */
function id(...parts: string[]): SqlFragment {
  if (parts.length === 0) throw new SqlTemplateError('sql.id() needs at least one name');
  return fragment(
    parts
      .map((part) => {
        if (typeof part !== 'string' || part === '')
          throw new SqlTemplateError(`an identifier must be a non-empty string, got ${JSON.stringify(part)}`);
        checkText(part, `identifier ${JSON.stringify(part)}`);
        return `"${part.replaceAll('"', '""')}"`;
      })
      .join('.'),
  );
}

/** Trusted SQL text, spliced in as is. Only for text written in our own code, never for input. */
function raw(trustedText: string): SqlFragment {
  if (typeof trustedText !== 'string') throw new SqlTemplateError('sql.raw() takes a string');
  return fragment(trustedText);
}

/** Values or fragments rendered one after another with `separator` (default `, `) between them. */
function join(values: readonly SqlValue[], separator: string | SqlFragment = ', '): SqlFragment {
  const between = typeof separator === 'string' ? separator : separator.text;
  return fragment(values.map((value, i) => render(value, i)).join(between));
}

/** A timestamp from microseconds since the epoch (UTC), keeping all six fractional digits. */
function timestamp(microseconds: bigint | number): SqlFragment {
  const us = typeof microseconds === 'bigint' ? microseconds : BigInt(Math.trunc(microseconds));
  if (typeof microseconds === 'number' && !Number.isSafeInteger(microseconds))
    throw new SqlTemplateError(`${microseconds} µs is not a safe integer; pass a bigint`);
  const fraction = ((us % 1_000_000n) + 1_000_000n) % 1_000_000n;
  const ms = Number((us - fraction) / 1000n);
  return fragment(renderTimestamp(ms, String(fraction).padStart(6, '0')));
}

/** The `sql` tag with its helpers. */
export interface SqlTag {
  (strings: TemplateStringsArray, ...values: SqlValue[]): SqlFragment;
  /** A quoted identifier; several parts make a dotted name (`namespace.table`). */
  id: typeof id;
  /** Trusted SQL text, as is: only text written in code, never a value from input. */
  raw: typeof raw;
  /** Values or fragments separated by `separator` (trusted text, default `, `). */
  join: typeof join;
  /** A TIMESTAMP literal from epoch microseconds (UTC). */
  timestamp: typeof timestamp;
  /** One literal, rendered alone (what `${value}` renders to). */
  literal(value: SqlValue): SqlFragment;
}

/**
 * The tagged template every value reaches SQL through.
 *
 * @example
 * ```ts
 * import { sql } from './sql-template.ts';
 * const since = new Date('2026-11-25T00:00:00Z');
 * const query = sql`SELECT count(*) AS n FROM ${sql.id('analytics', 'events')}
 *   WHERE ns = ${"https://o'brien.example"} AND ts >= ${since} AND verb IN ${['created', 'updated']}`;
 * query.text; // SELECT count(*) AS n FROM "analytics"."events" WHERE ns = 'https://o''brien.example' AND ts >= TIMESTAMP '2026-11-25T00:00:00.000000Z' AND verb IN ('created', 'updated')
 * ```
 */
export const sql: SqlTag = Object.assign(template, {
  id,
  raw,
  join,
  timestamp,
  literal: (value: SqlValue) => fragment(render(value)),
});
