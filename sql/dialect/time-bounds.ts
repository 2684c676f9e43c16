import { isSymbol, isWord, type SqlStructure } from '../sql-structure.ts';
import type { SqlToken } from '../tokenize-sql.ts';
import type { CheckedR2Sql } from './check-r2-sql.ts';
import { type Restriction, tighter, whereRestrictions } from './where-restrictions.ts';

/**
 * A conservative bound on a table's time column for one query: every row the query can use has the
 * column in `[min, max]` (epoch microseconds, UTC, inclusive; null is unbounded on that side). Rows
 * outside it are dropped by the query's own predicates before anything else sees them, so a reader
 * may skip the files that hold none inside.
 */
export interface TimeBound {
  /** The column, case-folded. */
  column: string;
  min: bigint | null;
  max: bigint | null;
}

/** Where a query names a lake table (`namespace.table` in a FROM clause or a JOIN). */
export interface TableOccurrence {
  /** `namespace.table`, case-folded as the references resolve it. */
  key: string;
  /** Token index of the namespace and of the table name. */
  start: number;
  end: number;
  /** The alias the query gives it (case-folded), or null when it reads it under its own name. */
  alias: string | null;
}

/** Per-call options of {@link mentionBounds} and {@link timeBounds}. */
export interface TimeBoundsOptions {
  /** The time column to bound (default `ts`). */
  column?: string;
}

/** One SELECT's scope: where its WHERE clause is, how many FROM items it has, what it names. */
interface Scope {
  depth: number;
  items: number;
  where: number;
  whereEnd: number;
  /** Names the select list gives its expressions (`AS name`): a WHERE could mean one of them. */
  aliases: Set<string>;
}

interface Found extends TableOccurrence {
  scope: Scope | null;
}

/** Words that follow a table reference without being its alias. */
const NOT_ALIAS = new Set(
  (
    'WHERE JOIN INNER LEFT RIGHT FULL OUTER CROSS NATURAL SEMI ANTI ASOF POSITIONAL ON USING GROUP ' +
    'HAVING ORDER LIMIT OFFSET QUALIFY WINDOW UNION INTERSECT EXCEPT TABLESAMPLE SAMPLE FETCH FOR'
  ).split(' '),
);
const ENDS_WHERE = new Set(['GROUP', 'HAVING', 'ORDER', 'LIMIT', 'QUALIFY', 'WINDOW', 'OFFSET', 'FETCH']);
const SET_OPERATORS = new Set(['UNION', 'INTERSECT', 'EXCEPT']);
const OTHER_CLAUSES = new Set(['SELECT', 'WHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'QUALIFY', 'WINDOW']);

const isName = (token: SqlToken | undefined): boolean => token?.kind === 'word' || token?.kind === 'quoted';
const fold = (token: SqlToken): string => token.value.toLowerCase();

/**
 * Every place a checked query reads a `namespace.table` (the same rule the reference resolver
 * applies: right after FROM, JOIN or a comma of a FROM clause, outside a call's parentheses), with
 * the alias it is read under. One pass over the tokens.
 *
 * @example
 * ```ts
 * import { analyzeR2Sql } from './check-r2-sql.ts';
 * import { tableOccurrences } from './time-bounds.ts';
 * const checked = analyzeR2Sql('SELECT * FROM analytics.events e');
 * if (!('kind' in checked)) tableOccurrences(checked); // [{ key: 'analytics.events', start: 3, end: 5, alias: 'e' }]
 * ```
 */
export function tableOccurrences(checked: CheckedR2Sql): TableOccurrence[] {
  return scan(checked).occurrences.map(({ scope: _scope, ...occurrence }) => occurrence);
}

/** One pass: table occurrences with their scopes, and the tables some column names in three parts. */
function scan(checked: CheckedR2Sql): { occurrences: Found[]; scopes: Scope[]; threePart: Set<string> } {
  const { tokens, depth } = checked.structure;
  const callParens = checked.references.callParens;
  const clause: string[] = [];
  const open: (Scope | null)[] = [];
  const scopes: Scope[] = [];
  const occurrences: Found[] = [];
  const threePart = new Set<string>();
  const close = (d: number, at: number): void => {
    const scope = open[d];
    if (scope && scope.where >= 0 && scope.whereEnd < 0) scope.whereEnd = at;
    open[d] = null;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const d = depth[i]!;
    if (isSymbol(token, '(')) {
      clause[d + 1] = callParens.has(i) ? 'CALL' : '';
      open[d + 1] = null;
      continue;
    }
    if (isSymbol(token, ')')) {
      close(d + 1, i);
      continue;
    }
    if (
      isName(token) &&
      isSymbol(tokens[i + 1], '.') &&
      isName(tokens[i + 2]) &&
      isSymbol(tokens[i + 3], '.')
    )
      threePart.add(`${fold(token)}.${fold(tokens[i + 2]!)}`);
    const scope = open[d] ?? null;
    if (token.kind === 'word') {
      const word = token.value;
      if (clause[d] === 'CALL') {
        // A call's own grammar (`EXTRACT(year FROM ts)`): no clause starts here.
      } else if (word === 'SELECT') {
        close(d, i);
        const fresh: Scope = { depth: d, items: 0, where: -1, whereEnd: -1, aliases: new Set() };
        open[d] = fresh;
        scopes.push(fresh);
      } else if (word === 'WHERE' && scope && scope.where < 0) scope.where = i;
      else if (ENDS_WHERE.has(word) && scope) {
        if (scope.where >= 0 && scope.whereEnd < 0) scope.whereEnd = i;
      } else if (SET_OPERATORS.has(word)) close(d, i);
      else if (word === 'AS' && scope && clause[d] === 'SELECT' && isName(tokens[i + 1]))
        scope.aliases.add(fold(tokens[i + 1]!));
      if (OTHER_CLAUSES.has(word)) clause[d] = word;
      if (word === 'FROM') clause[d] = 'FROM';
    }
    const startsItem =
      clause[d] !== 'CALL' &&
      (isWord(token, 'FROM', 'JOIN') || (isSymbol(token, ',') && clause[d] === 'FROM'));
    if (!startsItem) continue;
    if (scope) scope.items += 1;
    const found = occurrenceAt(tokens, i + 1, scope);
    if (found) occurrences.push(found);
  }
  for (let d = 0; d < open.length; d++) close(d, tokens.length);
  return { occurrences, scopes, threePart };
}

/** The `namespace.table` starting at token `at`, with its alias, or null when it is something else. */
function occurrenceAt(tokens: SqlToken[], at: number, scope: Scope | null): Found | null {
  const ns = tokens[at];
  const table = tokens[at + 2];
  if (!isName(ns) || !isSymbol(tokens[at + 1], '.') || !isName(table)) return null;
  if (isSymbol(tokens[at + 3], '.') || isSymbol(tokens[at + 3], '(')) return null;
  let alias: string | null = null;
  const next = tokens[at + 3];
  if (isWord(next, 'AS') && isName(tokens[at + 4])) alias = fold(tokens[at + 4]!);
  else if (next?.kind === 'quoted' || (next?.kind === 'word' && !NOT_ALIAS.has(next.value)))
    alias = fold(next);
  return { key: `${fold(ns!)}.${fold(table!)}`, start: at, end: at + 2, alias, scope };
}

/** One FROM item that reads a lake table, with the bound its own SELECT puts on the time column. */
export interface TableMention extends TableOccurrence {
  /** What this FROM item reads of the table; null when it is unbounded (or the table cannot be bounded). */
  bound: TimeBound | null;
}

/**
 * Each place a SELECT reads a lake table (see {@link tableOccurrences}), with a conservative bound on
 * the time column (`ts` unless told) for that FROM item alone: from the top-level AND-ed predicates of
 * the WHERE clause of the SELECT that reads it directly (in a derived table or a CTE too):
 * `col >= | > | <= | < | = TIMESTAMP '…'` (either way round) and `col BETWEEN TIMESTAMP '…' AND
 * TIMESTAMP '…'`, the column bare when the SELECT reads one relation, or qualified by the table's alias
 * (or name). Whenever the shape leaves doubt, the bound is null: an OR at the top of the WHERE, NOT, a
 * function or cast of the column, a non-literal or unparsable timestamp, a literal with a UTC offset
 * other than zero, a select list that aliases something as the column; and every mention of a table
 * is null when some column names it in three parts or the query names it more often than the scan
 * found FROM items of it. A predicate outside the SELECT that reads the table (on a derived table's
 * output, say after a DISTINCT ON) never bounds it. Statements other than SELECT get no bound.
 * Linear in the number of tokens.
 *
 * @example
 * ```ts
 * import { analyzeR2Sql } from './check-r2-sql.ts';
 * import { mentionBounds } from './time-bounds.ts';
 * const checked = analyzeR2Sql(
 *   "SELECT * FROM (SELECT * FROM analytics.events WHERE ts >= TIMESTAMP '2026-11-25T00:00:00Z') s CROSS JOIN (SELECT count(*) FROM analytics.events) t",
 * );
 * if (!('kind' in checked)) mentionBounds(checked).map((m) => m.bound?.min ?? null); // [1795564800000000n, null]
 * ```
 */
export function mentionBounds(checked: CheckedR2Sql, options: TimeBoundsOptions = {}): TableMention[] {
  const column = (options.column ?? 'ts').toLowerCase();
  const { occurrences, threePart } = scan(checked);
  const select = checked.statement === 'select';
  const unbounded = new Set<string>(threePart);
  for (const key of mentionMismatches(checked.structure, occurrences)) unbounded.add(key);
  const restrictions = new Map<Scope, Map<string, Restriction> | null>();
  return occurrences.map((found) => {
    const { scope: _scope, ...occurrence } = found;
    const bounded = select && !unbounded.has(found.key);
    return {
      ...occurrence,
      bound: bounded ? occurrenceBound(checked.structure, found, column, restrictions) : null,
    };
  });
}

/**
 * For each lake table a SELECT reads, a conservative bound on its time column (`ts` unless told):
 * the hull of its mentions' bounds (see {@link mentionBounds}), so a table gets a bound only when every
 * place it is read is bounded.
 *
 * @example
 * ```ts
 * import { analyzeR2Sql } from './check-r2-sql.ts';
 * import { timeBounds } from './time-bounds.ts';
 * const checked = analyzeR2Sql(
 *   "SELECT count(*) FROM analytics.events WHERE ts >= TIMESTAMP '2026-11-25T00:00:00.000000Z'",
 * );
 * if (!('kind' in checked)) timeBounds(checked).get('analytics.events'); // { column: 'ts', min: 1795564800000000n, max: null }
 * ```
 */
export function timeBounds(checked: CheckedR2Sql, options: TimeBoundsOptions = {}): Map<string, TimeBound> {
  return hullOfMentions(mentionBounds(checked, options));
}

/**
 * Per table, the hull of its mentions' bounds; a table with an unbounded mention gets none.
 *
 * @example
 * ```ts
 * import { hullOfMentions } from './time-bounds.ts';
 * const at = { key: 'analytics.events', start: 3, end: 5, alias: null };
 * hullOfMentions([
 *   { ...at, bound: { column: 'ts', min: 10n, max: 20n } },
 *   { ...at, start: 9, end: 11, bound: { column: 'ts', min: 30n, max: 40n } },
 * ]).get('analytics.events'); // { column: 'ts', min: 10n, max: 40n }
 * ```
 */
export function hullOfMentions(mentions: readonly TableMention[]): Map<string, TimeBound> {
  const bounds = new Map<string, TimeBound>();
  const unbounded = new Set<string>();
  for (const { key, bound } of mentions) {
    if (unbounded.has(key)) continue;
    if (!bound) {
      unbounded.add(key);
      bounds.delete(key);
      continue;
    }
    const seen = bounds.get(key);
    bounds.set(key, seen ? hull(seen, bound) : bound);
  }
  return bounds;
}

const minOf = (a: bigint | null, b: bigint | null) => (a === null || b === null ? null : a < b ? a : b);
const maxOf = (a: bigint | null, b: bigint | null) => (a === null || b === null ? null : a > b ? a : b);
const hull = (a: TimeBound, b: TimeBound): TimeBound => ({
  column: a.column,
  min: minOf(a.min, b.min),
  max: maxOf(a.max, b.max),
});

/**
 * Tables named (`ns . table`, as a pair of names) more often than they are read as FROM items: a
 * mention the scan did not understand, so no bound for them.
 */
function mentionMismatches({ tokens }: SqlStructure, occurrences: Found[]): Set<string> {
  const keys = new Map<string, number>();
  for (const found of occurrences) keys.set(found.key, (keys.get(found.key) ?? 0) + 1);
  const mentions = new Map<string, number>();
  for (let i = 0; i + 2 < tokens.length; i++) {
    if (!isName(tokens[i]) || !isSymbol(tokens[i + 1], '.') || !isName(tokens[i + 2])) continue;
    if (isSymbol(tokens[i - 1], '.')) continue;
    const key = `${fold(tokens[i]!)}.${fold(tokens[i + 2]!)}`;
    if (keys.has(key)) mentions.set(key, (mentions.get(key) ?? 0) + 1);
  }
  return new Set([...keys].filter(([key, n]) => mentions.get(key) !== n).map(([key]) => key));
}

/** The bound one FROM item of a table gets from its own SELECT's WHERE clause, or null. */
function occurrenceBound(
  structure: SqlStructure,
  found: Found,
  column: string,
  cache: Map<Scope, Map<string, Restriction> | null>,
): TimeBound | null {
  const { scope } = found;
  if (!scope || scope.where < 0 || scope.aliases.has(column)) return null;
  if (!cache.has(scope)) cache.set(scope, whereRestrictions(structure, scope, column));
  const byQualifier = cache.get(scope);
  if (!byQualifier) return null;
  const table = found.key.slice(found.key.indexOf('.') + 1);
  const names = found.alias !== null ? [found.alias] : [table, found.key];
  if (scope.items === 1) names.push('');
  let min: bigint | null = null;
  let max: bigint | null = null;
  for (const name of names) {
    const r = byQualifier.get(name);
    if (!r) continue;
    min = tighter(min, r.min, 'min');
    max = tighter(max, r.max, 'max');
  }
  return min === null && max === null ? null : { column, min, max };
}
