import { createSqlProblem, R2SQL_ERROR_CODES, type SqlProblem } from './sql-problem.ts';
import type { SqlToken } from './tokenize-sql.ts';

/** Tokens with their parenthesis structure: `match[i]` is the index of the paren matching token i. */
export interface SqlStructure {
  tokens: SqlToken[];
  /** Paren depth of each token (the parens themselves sit at the outer depth). */
  depth: number[];
  match: Map<number, number>;
}

export const isWord = (token: SqlToken | undefined, ...words: string[]): boolean =>
  token?.kind === 'word' && (words.length === 0 || words.includes(token.value));

export const isSymbol = (token: SqlToken | undefined, symbol: string): boolean =>
  token?.kind === 'symbol' && token.value === symbol;

/**
 * Matches parentheses; an unmatched one is a syntax problem (40003).
 *
 * @example
 * ```ts
 * import { tokenizeSql } from './tokenize-sql.ts';
 * import { structureOf } from './sql-structure.ts';
 * structureOf('SELECT (1', tokenizeSql('SELECT (1') as never); // a 40003 problem
 * ```
 */
export function structureOf(sql: string, tokens: SqlToken[]): SqlStructure | SqlProblem {
  const depth: number[] = [];
  const match = new Map<number, number>();
  const open: number[] = [];
  tokens.forEach((token, i) => {
    depth.push(open.length);
    if (isSymbol(token, '(')) open.push(i);
    else if (isSymbol(token, ')')) {
      const from = open.pop();
      if (from === undefined) return;
      depth[i] = open.length;
      match.set(from, i);
      match.set(i, from);
    }
  });
  const stray = tokens.findIndex((t, i) => isSymbol(t, ')') && !match.has(i));
  if (stray !== -1) {
    return createSqlProblem(
      sql,
      tokens[stray]!.start,
      R2SQL_ERROR_CODES.syntax,
      'syntax error: ")" without a matching "("',
      ')',
    );
  }
  if (open.length > 0) {
    return createSqlProblem(
      sql,
      tokens[open[0]!]!.start,
      R2SQL_ERROR_CODES.syntax,
      'syntax error: "(" is never closed',
      '(',
    );
  }
  return { tokens, depth, match };
}

/**
 * Splits the tokens strictly between an opening paren and its match into top-level comma-separated
 * ranges `[from, to)`.
 */
export function argumentRanges(structure: SqlStructure, open: number): [number, number][] {
  const close = structure.match.get(open)!;
  const ranges: [number, number][] = [];
  const base = structure.depth[open]! + 1;
  let from = open + 1;
  for (let i = open + 1; i < close; i++) {
    if (structure.depth[i] === base && isSymbol(structure.tokens[i], ',')) {
      ranges.push([from, i]);
      from = i + 1;
    }
  }
  if (close > open + 1) ranges.push([from, close]);
  return ranges;
}

/**
 * The index of the first token of the main statement after a `WITH` list (`WITH a AS (...), b AS (...)
 * SELECT ...` → the index of `SELECT`), or `start` when the statement has no WITH.
 */
export function afterWithList(structure: SqlStructure, start: number): number {
  const { tokens, match } = structure;
  if (!isWord(tokens[start], 'WITH')) return start;
  let i = start + 1;
  if (isWord(tokens[i], 'RECURSIVE')) i++;
  while (i < tokens.length) {
    i++; // the CTE name
    if (isSymbol(tokens[i], '(')) i = match.get(i)! + 1; // column list
    if (!isWord(tokens[i], 'AS')) return i;
    i++;
    while (isWord(tokens[i], 'NOT', 'MATERIALIZED')) i++;
    if (!isSymbol(tokens[i], '(')) return i;
    i = match.get(i)! + 1;
    if (!isSymbol(tokens[i], ',')) return i;
    i++;
  }
  return i;
}
