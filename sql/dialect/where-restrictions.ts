import { isSymbol, isWord, type SqlStructure } from '../sql-structure.ts';
import type { SqlToken } from '../tokenize-sql.ts';

/**
 * Restrictions a WHERE clause puts on one time column, read from its tokens: the part of time-bound
 * analysis that understands predicates (`col >= TIMESTAMP '…'`, BETWEEN, either way round) and
 * timestamp literals.
 *
 * @module
 */

const fold = (token: SqlToken): string => token.value.toLowerCase();

/** Where a SELECT's WHERE clause lies in the tokens: `[where + 1, whereEnd)` at paren depth `depth`. */
export interface WhereRange {
  depth: number;
  where: number;
  whereEnd: number;
}

/** A predicate on one column found in a WHERE clause: `qualifier.column` within [min, max]. */
export interface Restriction {
  qualifier: string;
  min: bigint | null;
  max: bigint | null;
}

/**
 * The restrictions on `column` in a scope's WHERE clause, intersected per qualifier; null when the
 * clause's top level has an OR (then no conjunct alone restricts the rows).
 */
export function whereRestrictions(
  structure: SqlStructure,
  scope: WhereRange,
  column: string,
): Map<string, Restriction> | null {
  const found = new Map<string, Restriction>();
  return conjuncts(structure, scope.where + 1, scope.whereEnd, scope.depth, column, found) ? found : null;
}

/**
 * Splits `[from, to)` (at paren depth `d`) on its top-level ANDs — not the AND of a BETWEEN, nor one
 * inside CASE … END — and records each conjunct that restricts `column`. A conjunct that is one
 * parenthesized AND-list is split in turn. Returns false when the range has a top-level OR.
 */
function conjuncts(
  structure: SqlStructure,
  from: number,
  to: number,
  d: number,
  column: string,
  found: Map<string, Restriction>,
): boolean {
  const { tokens, depth } = structure;
  const parts: [number, number][] = [];
  let start = from;
  let cases = 0;
  let between = false;
  for (let k = from; k < to; k++) {
    if (depth[k] !== d || tokens[k]!.kind !== 'word') continue;
    const word = tokens[k]!.value;
    if (word === 'CASE') cases++;
    else if (word === 'END' && cases > 0) cases--;
    else if (cases > 0) continue;
    else if (word === 'OR') return false;
    else if (word === 'BETWEEN') between = true;
    else if (word === 'AND' && between) between = false;
    else if (word === 'AND') {
      parts.push([start, k]);
      start = k + 1;
    }
  }
  parts.push([start, to]);
  for (const [a, b] of parts) {
    if (b - a >= 2 && isSymbol(tokens[a], '(') && structure.match.get(a) === b - 1) {
      // A parenthesized conjunct: its own AND-list (an OR inside drops just this conjunct).
      conjuncts(structure, a + 1, b - 1, d + 1, column, found);
      continue;
    }
    const r = restriction(tokens, a, b, column);
    if (!r) continue;
    const seen = found.get(r.qualifier);
    found.set(r.qualifier, seen ? intersect(seen, r) : r);
  }
  return true;
}

/** The tighter of two sides of a bound (null is no bound on that side): the later min, the earlier max. */
export function tighter(a: bigint | null, b: bigint | null, side: 'min' | 'max'): bigint | null {
  if (a === null) return b;
  if (b === null) return a;
  if (side === 'min') return a > b ? a : b;
  return a < b ? a : b;
}

const intersect = (a: Restriction, b: Restriction): Restriction => ({
  qualifier: a.qualifier,
  min: tighter(a.min, b.min, 'min'),
  max: tighter(a.max, b.max, 'max'),
});

/** The column reference spanning exactly `[a, b)`: its qualifier and name, or null. */
function columnAt(tokens: SqlToken[], a: number, b: number): { qualifier: string; name: string } | null {
  const n = b - a;
  if (n !== 1 && n !== 3 && n !== 5) return null;
  const names: string[] = [];
  for (let k = a; k < b; k++) {
    const token = tokens[k]!;
    if ((k - a) % 2 === 1) {
      if (!isSymbol(token, '.')) return null;
    } else if (token.kind === 'quoted' || (token.kind === 'word' && !NOT_A_COLUMN.has(token.value)))
      names.push(fold(token));
    else return null;
  }
  return { qualifier: names.slice(0, -1).join('.'), name: names[names.length - 1]! };
}

const NOT_A_COLUMN = new Set(['NOT', 'CASE', 'NULL', 'TRUE', 'FALSE', 'TIMESTAMP', 'TIMESTAMPTZ', 'DATE']);
const FLIP: Record<string, string> = { '>=': '<=', '>': '<', '<=': '>=', '<': '>', '=': '=' };

/** A TIMESTAMP literal spanning exactly `[a, a + 2)`, in epoch µs: [floor, ceil]; null otherwise. */
function literalAt(tokens: SqlToken[], a: number): [bigint, bigint] | null {
  if (!isWord(tokens[a], 'TIMESTAMP', 'TIMESTAMPTZ') || tokens[a + 1]?.kind !== 'string') return null;
  return parseUtcTimestamp(tokens[a + 1]!.value);
}

/** `[a, b)` as `column op literal`, `literal op column` or `column BETWEEN literal AND literal`. */
function restriction(tokens: SqlToken[], a: number, b: number, column: string): Restriction | null {
  const ops = [a + 1, a + 3, a + 5].filter(
    (k) => k < b && tokens[k]?.kind === 'symbol' && tokens[k]!.value in FLIP,
  );
  for (const k of ops) {
    const ref = columnAt(tokens, a, k);
    if (ref && ref.name === column && b === k + 3) {
      const value = literalAt(tokens, k + 1);
      if (value) return bounded(ref.qualifier, tokens[k]!.value, value);
    }
  }
  if (b - a >= 4 && tokens[a + 2]?.kind === 'symbol' && tokens[a + 2]!.value in FLIP) {
    const value = literalAt(tokens, a);
    const ref = columnAt(tokens, a + 3, b);
    if (value && ref && ref.name === column)
      return bounded(ref.qualifier, FLIP[tokens[a + 2]!.value]!, value);
  }
  for (const k of [a + 1, a + 3, a + 5]) {
    if (!isWord(tokens[k], 'BETWEEN') || b !== k + 6 || !isWord(tokens[k + 3], 'AND')) continue;
    const ref = columnAt(tokens, a, k);
    const low = literalAt(tokens, k + 1);
    const high = literalAt(tokens, k + 4);
    if (ref && ref.name === column && low && high)
      return { qualifier: ref.qualifier, min: low[0], max: high[1] };
  }
  return null;
}

function bounded(qualifier: string, op: string, [floor, ceil]: [bigint, bigint]): Restriction {
  if (op === '=') return { qualifier, min: floor, max: ceil };
  if (op === '>=' || op === '>') return { qualifier, min: floor, max: null };
  return { qualifier, min: null, max: ceil };
}

const TIMESTAMP_TEXT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|z|\+00(?::?00)?)?$/;

/**
 * A timestamp literal's text as epoch microseconds in UTC, `[floor, ceil]` (they differ only for
 * sub-microsecond digits), or null when it is not a plain UTC date or date-time: an offset other than
 * zero, a time zone name, an impossible date, or a value outside what R2 SQL represents.
 *
 * @example
 * ```ts
 * import { parseUtcTimestamp } from './where-restrictions.ts';
 * parseUtcTimestamp('2026-11-25T00:00:00.000001Z'); // [1795564800000001n, 1795564800000001n]
 * parseUtcTimestamp('2026-11-25 00:00:00+02'); // null
 * ```
 */
export function parseUtcTimestamp(text: string): [bigint, bigint] | null {
  const m = TIMESTAMP_TEXT.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v ?? 0)) as number[];
  const ms = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!);
  const back = new Date(ms);
  if (
    Number.isNaN(ms) ||
    back.getUTCFullYear() !== year ||
    back.getUTCMonth() !== month! - 1 ||
    back.getUTCDate() !== day ||
    back.getUTCHours() !== hour ||
    back.getUTCMinutes() !== minute ||
    back.getUTCSeconds() !== second
  )
    return null;
  if (year! < 1678 || year! > 2261) return null;
  const digits = (m[7] ?? '').padEnd(9, '0');
  const micros = BigInt(digits.slice(0, 6));
  const floor = BigInt(ms) * 1000n + micros;
  return [floor, /[1-9]/.test(digits.slice(6)) ? floor + 1n : floor];
}
