import { isSqlProblem } from '../sql-problem.ts';
import { isSymbol, type SqlStructure, structureOf } from '../sql-structure.ts';
import { tokenizeSql } from '../tokenize-sql.ts';

/** Words that can stand before a parenthesized operand without being a function's name. */
const KEYWORDS = new Set(
  'AND OR NOT SELECT WHERE ON WHEN THEN ELSE IN IS LIKE ILIKE BETWEEN CASE AS BY DISTINCT FROM'.split(' '),
);

/** Where parentheses go around JSON arrow chains: counts of `(` before and `)` after each token index. */
export interface ArrowParens {
  opens: Map<number, number>;
  closes: Map<number, number>;
}

/**
 * Finds each `operand -> key` / `operand ->> key` chain of a tokenized query, in one pass: the token
 * that starts its operand gets a `(` before it, the chain's last key a `)` after it.
 *
 * @example
 * ```ts
 * import { tokenizeSql } from '../tokenize-sql.ts';
 * import { structureOf } from '../sql-structure.ts';
 * import { jsonArrowParens } from './parenthesize-json-arrows.ts';
 * const sql = "data->>'a' = 'b'";
 * jsonArrowParens(structureOf(sql, tokenizeSql(sql) as never) as never).opens; // Map { 0 => 1 }
 * ```
 */
export function jsonArrowParens({ tokens, match }: SqlStructure): ArrowParens {
  const opens = new Map<number, number>();
  const closes = new Map<number, number>();
  const isArrow = (i: number) => isSymbol(tokens[i], '->') || isSymbol(tokens[i], '->>');
  for (let i = 0; i < tokens.length; i++) {
    if (!isArrow(i) || isArrow(i - 2)) continue; // only the first arrow of a chain
    let start = i - 1;
    if (isSymbol(tokens[start], ')')) {
      start = match.get(start)!;
      const callee = tokens[start - 1];
      if (callee?.kind === 'quoted' || (callee?.kind === 'word' && !KEYWORDS.has(callee.value))) start--;
    }
    while (isSymbol(tokens[start - 1], '.') && tokens[start - 2]) start -= 2; // qualified names
    let end = i + 1;
    while (isArrow(end + 1)) end += 2;
    if (start < 0 || !tokens[end]) continue;
    opens.set(start, (opens.get(start) ?? 0) + 1);
    closes.set(end, (closes.get(end) ?? 0) + 1);
    i = end;
  }
  return { opens, closes };
}

/**
 * Wraps each `operand -> key` / `operand ->> key` chain in parentheses. DuckDB gives the JSON arrows a
 * lower precedence than AND and comparisons (`a = 1 AND data->>'k' LIKE 'x%'` parses as
 * `(a = 1 AND data)->>...`), while DataFusion binds them to their operand, as Postgres does; the
 * parentheses make DuckDB read what the platform reads. SQL that does not tokenize is returned as is.
 * Linear in the length of the SQL.
 *
 * @example
 * ```ts
 * import { parenthesizeJsonArrows } from './parenthesize-json-arrows.ts';
 * parenthesizeJsonArrows("x = 1 AND data->'a'->>'b' = 'c'"); // "x = 1 AND (data->'a'->>'b') = 'c'"
 * ```
 */
export function parenthesizeJsonArrows(sql: string): string {
  const tokens = tokenizeSql(sql);
  if (isSqlProblem(tokens)) return sql;
  const structure = structureOf(sql, tokens);
  if (isSqlProblem(structure)) return sql;
  const { opens, closes } = jsonArrowParens(structure);
  if (opens.size === 0) return sql;
  const parts: string[] = [];
  let cursor = 0;
  tokens.forEach((token, i) => {
    parts.push(
      sql.slice(cursor, token.start),
      '('.repeat(opens.get(i) ?? 0),
      token.text,
      ')'.repeat(closes.get(i) ?? 0),
    );
    cursor = token.end;
  });
  parts.push(sql.slice(cursor));
  return parts.join('');
}
