import { createSqlProblem, R2SQL_ERROR_CODES, type SqlProblem } from './sql-problem.ts';
import type { SqlToken } from './tokenize-sql.ts';

/** Tokens with their parenthesis structure: `match[i]` is the index of the paren matching token i. */
export interface SqlStructure {
  tokens: SqlToken[];
  /** Paren depth of each token (the parens themselves sit at the outer depth). */
  depth: number[];
  match: Map<number, number>;
  /** Index of the `(` each token is directly inside (-1 at the top level); a paren's own is its parent's. */
  parent: number[];
  /** The top-level commas directly inside each `(`, by the paren's index. */
  commas: Map<number, number[]>;
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
  const parent: number[] = [];
  const match = new Map<number, number>();
  const commas = new Map<number, number[]>();
  const open: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    depth.push(open.length);
    parent.push(open.length === 0 ? -1 : open[open.length - 1]!);
    if (isSymbol(token, '(')) open.push(i);
    else if (isSymbol(token, ')')) {
      const from = open.pop();
      if (from === undefined) {
        return createSqlProblem(
          sql,
          token.start,
          R2SQL_ERROR_CODES.syntax,
          'syntax error: ")" without a matching "("',
          ')',
        );
      }
      depth[i] = open.length;
      parent[i] = parent[from]!;
      match.set(from, i);
      match.set(i, from);
    } else if (isSymbol(token, ',') && open.length > 0) {
      const owner = open[open.length - 1]!;
      const list = commas.get(owner);
      if (list) list.push(i);
      else commas.set(owner, [i]);
    }
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
  return { tokens, depth, match, parent, commas };
}

/**
 * Splits the tokens strictly between an opening paren and its match into top-level comma-separated
 * ranges `[from, to)`.
 */
export function argumentRanges(structure: SqlStructure, open: number): [number, number][] {
  const close = structure.match.get(open)!;
  const ranges: [number, number][] = [];
  let from = open + 1;
  for (const comma of structure.commas.get(open) ?? []) {
    ranges.push([from, comma]);
    from = comma + 1;
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
