import { isSqlProblem } from '../sql-problem.ts';
import { isSymbol, structureOf } from '../sql-structure.ts';
import { tokenizeSql } from '../tokenize-sql.ts';

/** Words that can stand before a parenthesized operand without being a function's name. */
const KEYWORDS = new Set(
  'AND OR NOT SELECT WHERE ON WHEN THEN ELSE IN IS LIKE ILIKE BETWEEN CASE AS BY DISTINCT FROM'.split(' '),
);

/**
 * Wraps each `operand -> key` / `operand ->> key` chain in parentheses. DuckDB gives the JSON arrows a
 * lower precedence than AND and comparisons (`a = 1 AND data->>'k' LIKE 'x%'` parses as
 * `(a = 1 AND data)->>...`), while DataFusion binds them to their operand, as Postgres does; the
 * parentheses make DuckDB read what the platform reads. SQL that does not tokenize is returned as is.
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
  const { match } = structure;
  const isArrow = (i: number) => isSymbol(tokens[i], '->') || isSymbol(tokens[i], '->>');
  // Offsets where a '(' or ')' goes, collected first and applied from the end.
  const inserts: { at: number; text: string }[] = [];
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
    inserts.push({ at: tokens[start]!.start, text: '(' }, { at: tokens[end]!.end, text: ')' });
  }
  let out = sql;
  for (const { at, text } of inserts.sort((a, b) => b.at - a.at))
    out = out.slice(0, at) + text + out.slice(at);
  return out;
}
