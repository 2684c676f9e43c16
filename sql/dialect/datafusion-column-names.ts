import { isSymbol, isWord, type SqlStructure } from '../sql-structure.ts';
import type { SqlToken } from '../tokenize-sql.ts';

/** Words that are syntax, never a column, in a select item. */
const SYNTAX = new Set(
  (
    'CASE WHEN THEN ELSE END AND OR NOT IS NULL IN LIKE ILIKE BETWEEN DISTINCT AS CAST TRY_CAST EXTRACT ' +
    'INTERVAL OVER PARTITION BY ORDER ASC DESC NULLS FIRST LAST ROWS RANGE GROUPS PRECEDING FOLLOWING ' +
    'UNBOUNDED CURRENT ROW FILTER WHERE WITHIN GROUP EXISTS ALL ANY SOME PLACING FOR FROM SIMILAR ESCAPE TO'
  ).split(' '),
);

/** Words after which a trailing word is part of the expression, not an implicit alias. */
const NOT_BEFORE_ALIAS = new Set(
  'NOT AND OR IS LIKE ILIKE IN BETWEEN THEN ELSE WHEN CASE DISTINCT INTERVAL AS SELECT BY'.split(' '),
);

/** Clauses that end the select list. */
const AFTER_SELECT_LIST = new Set(
  'FROM WHERE GROUP HAVING QUALIFY ORDER LIMIT UNION INTERSECT EXCEPT WINDOW'.split(' '),
);

const endsSelectList = (token: SqlToken | undefined): boolean =>
  token?.kind === 'word' && AFTER_SELECT_LIST.has(token.value);

/**
 * The names R2 SQL (DataFusion) gives the unaliased expressions of the outermost select list, by the
 * index of each item's last token: functions in lower case with their arguments (`count(*)`,
 * `sum(e.seq)`), columns qualified by the one table read (`analytics.events.seq`, or its alias),
 * literals typed (`Int64(1)`, `Utf8("a")`), operators spaced. Bare columns and `*` keep their names
 * and get none. With several tables (a join) columns stay unqualified, since which table a column
 * belongs to needs the schemas.
 *
 * @example
 * ```ts
 * import { tokenizeSql } from '../tokenize-sql.ts';
 * import { structureOf } from '../sql-structure.ts';
 * import { dataFusionColumnNames } from './datafusion-column-names.ts';
 * const sql = 'SELECT count(*) FROM analytics.events';
 * dataFusionColumnNames(structureOf(sql, tokenizeSql(sql) as never) as never, 0); // Map { 3 => 'count(*)' }
 * ```
 */
export function dataFusionColumnNames(structure: SqlStructure, mainStart: number): Map<number, string> {
  const { tokens, depth } = structure;
  const names = new Map<number, string>();
  let i = mainStart;
  while (isSymbol(tokens[i], '(')) i++;
  if (!isWord(tokens[i], 'SELECT')) return names;
  const base = depth[i]!;
  i++;
  if (isWord(tokens[i], 'ALL')) i++;
  if (isWord(tokens[i], 'DISTINCT')) {
    i++;
    if (isWord(tokens[i], 'ON') && isSymbol(tokens[i + 1], '(')) i = structure.match.get(i + 1)! + 1;
  }
  let end = i;
  const endsList = (k: number) =>
    depth[k] === base && endsSelectList(tokens[k]) && !isWord(tokens[k - 1], 'WITHIN');
  while (end < tokens.length && !endsList(end)) {
    if (depth[end]! < base) break;
    end++;
  }
  const qualifier = singleTableQualifier(structure, end, base);
  let from = i;
  for (let k = i; k <= end; k++) {
    if (k < end && !(depth[k] === base && isSymbol(tokens[k], ','))) continue;
    const item = tokens.slice(from, k);
    if (item.length > 0 && !hasName(item)) names.set(k - 1, render(item, qualifier));
    from = k + 1;
  }
  return names;
}

/** True when the item is aliased, is a bare (qualified) column, or is a wildcard. */
function hasName(item: SqlToken[]): boolean {
  const last = item[item.length - 1]!;
  if (isSymbol(last, '*')) return true;
  const bare = item.every((t, k) =>
    k % 2 === 0 ? t.kind === 'word' || t.kind === 'quoted' : isSymbol(t, '.'),
  );
  if (bare && !SYNTAX.has(item[0]!.value) && !isWord(item[0], 'TRUE', 'FALSE')) return true;
  if (item.length < 2 || (last.kind !== 'word' && last.kind !== 'quoted')) return false;
  // `expr AS rows`: whatever word follows AS is the alias, a keyword (ROWS, FIRST, LAST) included.
  if (isWord(item[item.length - 2], 'AS')) return true;
  if (last.kind === 'word' && SYNTAX.has(last.value)) return false;
  const before = item[item.length - 2]!;
  if (isSymbol(before, '.')) return false;
  if (before.kind === 'word' && NOT_BEFORE_ALIAS.has(before.value) && before.value !== 'AS') return false;
  return before.kind !== 'symbol' || isSymbol(before, ')');
}

/** The qualifier of the one table the select reads (`FROM ns.t [AS] a` → `a`, else `ns.t`), or null. */
function singleTableQualifier(structure: SqlStructure, from: number, base: number): string | null {
  const { tokens, depth } = structure;
  if (!isWord(tokens[from], 'FROM')) return null;
  const name = (t: SqlToken) => (t.kind === 'quoted' ? t.value : t.value.toLowerCase());
  let k = from + 1;
  let qualifier: string | null = null;
  if (isSymbol(tokens[k], '(')) {
    k = structure.match.get(k)! + 1;
  } else {
    const parts: string[] = [];
    while (tokens[k] && (tokens[k]!.kind === 'word' || tokens[k]!.kind === 'quoted')) {
      parts.push(name(tokens[k]!));
      if (!isSymbol(tokens[k + 1], '.')) break;
      k += 2;
    }
    qualifier = parts.join('.');
    k++;
  }
  if (isWord(tokens[k], 'AS')) k++;
  const alias = tokens[k];
  if (
    alias &&
    (alias.kind === 'quoted' ||
      (alias.kind === 'word' &&
        !AFTER_SELECT_LIST.has(alias.value) &&
        !isWord(alias, 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'NATURAL', 'ON')))
  ) {
    qualifier = name(alias);
    k++;
    if (isSymbol(tokens[k], '(')) k = structure.match.get(k)! + 1;
  }
  // A join or a second table: the owner of each column is not known without the schemas.
  for (let j = k; j < tokens.length && depth[j]! >= base; j++) {
    if (depth[j] !== base) continue;
    if (isWord(tokens[j], 'JOIN') || isSymbol(tokens[j], ',')) return null;
    if (endsSelectList(tokens[j])) break;
  }
  return qualifier || null;
}

/** Renders a select item the way DataFusion displays an expression. */
function render(item: SqlToken[], qualifier: string | null): string {
  let out = '';
  for (let k = 0; k < item.length; k++) {
    const t = item[k]!;
    const next = item[k + 1];
    const prev = item[k - 1];
    let piece: string;
    if (t.kind === 'word' && isSymbol(next, '(') && !SYNTAX.has(t.value)) piece = t.value.toLowerCase();
    else if (t.kind === 'word' && (t.value === 'TRUE' || t.value === 'FALSE'))
      piece = `Boolean(${t.value.toLowerCase()})`;
    else if (t.kind === 'word' && SYNTAX.has(t.value)) piece = ` ${t.value} `;
    else if (t.kind === 'word' || t.kind === 'quoted') {
      const column = t.kind === 'quoted' ? t.value : t.value.toLowerCase();
      const qualified = isSymbol(prev, '.') || isSymbol(next, '.');
      piece = !qualified && qualifier ? `${qualifier}.${column}` : column;
    } else if (t.kind === 'number') {
      // A negative literal is one value to DataFusion: `-1` is Int64(-1).
      const sign = isSymbol(prev, '-') && (k === 1 || item[k - 2]!.kind === 'symbol') ? '-' : '';
      if (sign) out = out.replace(/ - $/, ' ');
      piece = /^\d+$/.test(t.value) ? `Int64(${sign}${t.value})` : `Float64(${sign}${t.value})`;
    } else if (t.kind === 'string') piece = `Utf8("${t.value}")`;
    else if (t.value === ',') piece = ', ';
    else if (t.value === '(' || t.value === ')' || t.value === '.' || t.value === '[' || t.value === ']')
      piece = t.value;
    else if (t.value === '*' && (isSymbol(prev, '(') || isSymbol(prev, '.'))) piece = '*';
    else if (t.value === '::') piece = '::';
    else piece = ` ${t.value} `;
    out += piece;
  }
  return out.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();
}
