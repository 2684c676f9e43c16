/**
 * Rows from an engine and rows from a case's oracle, brought to one form so they compare equal when
 * they mean the same: timestamps (ISO text in any precision or offset, or Date) → ISO text with µs
 * (`2026-11-25T09:00:00.000000Z`); bigints and integer strings within 2^53 → numbers; JSON columns
 * given as text → parsed; nested values likewise. Numbers then compare with a relative tolerance.
 *
 * @module
 */

/** A row as JSON values. */
export type Row = Record<string, unknown>;

/** Columns that hold JSON: given as text, they are parsed (any JSON, not just objects). */
const JSON_COLUMNS = new Set(['data', 'error', 'options', 'before', 'after', 'diff', 'changes']);
const ISO_TIME =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const INTEGER = /^-?(0|[1-9]\d*)$/;
const NUMBER = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;
const NUMERIC_TYPE = /^(DECIMAL|NUMERIC|DOUBLE|FLOAT|REAL|HUGEINT|BIGINT|INTEGER|Float|Int|Decimal)/i;

/** An ISO time in any precision and offset as UTC text with six fractional digits; null if not one. */
export function isoMicros(text: string): string | null {
  const match = ISO_TIME.exec(text);
  if (!match) return null;
  const [, date, clock, fraction = '', zone = 'Z'] = match;
  const offset =
    zone.toUpperCase() === 'Z'
      ? 'Z'
      : zone.length === 3
        ? `${zone}:00`
        : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${date}T${clock!.length === 5 ? `${clock}:00` : clock}${offset}`);
  if (Number.isNaN(ms)) return null;
  const whole = new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
  return `${whole}.${fraction.padEnd(6, '0').slice(0, 6)}Z`;
}

function normalizeString(text: string, key: string | undefined): unknown {
  if (key !== undefined && JSON_COLUMNS.has(key)) {
    try {
      return normalizeValue(JSON.parse(text));
    } catch {
      // Not JSON after all: compared as text.
    }
  }
  const time = isoMicros(text);
  if (time !== null) return time;
  if (INTEGER.test(text) && text.length <= 16) {
    const value = Number(text);
    if (Number.isSafeInteger(value)) return value;
  }
  return text;
}

/**
 * One value in its normal form (see the module comment); `key` is its column, for JSON columns.
 *
 * @example
 * ```ts
 * import { normalizeValue } from './normalize-rows.ts';
 * normalizeValue(new Date('2026-11-25T09:00:00Z')); // '2026-11-25T09:00:00.000000Z'
 * normalizeValue('{"a":1}', 'data'); // { a: 1 }
 * ```
 */
export function normalizeValue(value: unknown, key?: string): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return normalizeString(value, key);
  if (typeof value === 'bigint') {
    const small = Number(value);
    return Number.isSafeInteger(small) ? small : value.toString();
  }
  if (value instanceof Date) return normalizeString(value.toISOString(), undefined);
  if (Array.isArray(value)) return value.map((item) => normalizeValue(item));
  if (typeof value === 'object') {
    const out: Row = {};
    for (const [k, v] of Object.entries(value as Row)) if (v !== undefined) out[k] = normalizeValue(v);
    return out;
  }
  return value;
}

/**
 * Rows in their normal form; columns whose value is `undefined` are dropped.
 *
 * @example
 * ```ts
 * import { normalizeRows } from './normalize-rows.ts';
 * normalizeRows([{ hour: '2026-11-25 09:00:00+00', n: '3' }]); // [{ hour: '2026-11-25T09:00:00.000000Z', n: 3 }]
 * ```
 */
export function normalizeRows(rows: readonly Row[], types: Readonly<Record<string, string>> = {}): Row[] {
  return rows.map((row) => {
    const out: Row = {};
    for (const [key, value] of Object.entries(row)) {
      if (value === undefined) continue;
      // A DECIMAL (or other numeric) column may arrive as text: it is a number.
      const numeric = typeof value === 'string' && NUMERIC_TYPE.test(types[key] ?? '') && NUMBER.test(value);
      out[key] = numeric ? Number(value) : normalizeValue(value, key);
    }
    return out;
  });
}

/** Whether two numbers are equal within a relative tolerance (absolute near zero). */
export function closeTo(a: number, b: number, tolerance = 1e-9): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Where two normalized values differ (a path and both sides), or null when they are equal. */
export function differ(a: unknown, b: unknown, path = ''): string | null {
  if (typeof a === 'number' && typeof b === 'number') return closeTo(a, b) ? null : `${path}: ${a} ≠ ${b}`;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    return Object.is(a, b) ? null : `${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: ${a.length} items ≠ ${b.length} items`;
    for (let i = 0; i < a.length; i++) {
      const found = differ(a[i], b[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  const ra = a as Row;
  const rb = b as Row;
  const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort();
  for (const key of keys) {
    if (!(key in ra) || !(key in rb))
      return `${path}.${key}: ${key in ra ? 'only on the left' : 'only on the right'} (${JSON.stringify(ra[key] ?? rb[key])})`;
    const found = differ(ra[key], rb[key], `${path}.${key}`);
    if (found) return found;
  }
  return null;
}

// A sort key that ignores float noise: numbers rounded to 9 significant digits.
const sortKey = (row: unknown): string =>
  JSON.stringify(row, (_key, value) => (typeof value === 'number' ? Number(value.toPrecision(9)) : value));

/** Compares two row lists, both sides normalized first. */
export interface RowComparison {
  equal: boolean;
  /** The first differences (at most 5), each naming its row and column. */
  differences: string[];
  actual: Row[];
  expected: Row[];
}

/**
 * Compares an engine's rows with expected rows: normalized, in order (`ordered`) or as multisets
 * (`unordered`), numbers within 1e-9 relative.
 *
 * @example
 * ```ts
 * import { compareRows } from './normalize-rows.ts';
 * compareRows([{ n: '1', t: '2026-11-25T09:00:00Z' }], [{ n: 1, t: new Date('2026-11-25T09:00:00Z') }]).equal; // true
 * ```
 */
export function compareRows(
  actual: readonly Row[],
  expected: readonly Row[],
  order: 'ordered' | 'unordered' = 'ordered',
  types: Readonly<Record<string, string>> = {},
): RowComparison {
  let left = normalizeRows(actual, types);
  let right = normalizeRows(expected);
  if (order === 'unordered') {
    const sort = (rows: Row[]) =>
      rows
        .map((row) => [sortKey(row), row] as const)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([, row]) => row);
    left = sort(left);
    right = sort(right);
  }
  const differences: string[] = [];
  if (left.length !== right.length) differences.push(`${left.length} rows ≠ ${right.length} rows expected`);
  for (let i = 0; i < Math.min(left.length, right.length) && differences.length < 5; i++) {
    const found = differ(left[i], right[i], `row ${i}`);
    if (found) differences.push(found);
  }
  return { equal: differences.length === 0, differences, actual: left, expected: right };
}
