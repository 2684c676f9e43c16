import { createSqlProblem, R2SQL_ERROR_CODES, type SqlProblem } from '../sql-problem.ts';
import { argumentRanges, isSymbol, isWord } from '../sql-structure.ts';
import type { SqlToken } from '../tokenize-sql.ts';
import type { CheckedR2Sql } from './check-r2-sql.ts';
import { quoteId } from './function-rewrite.ts';
import { type ArrowParens, jsonArrowParens } from './parenthesize-json-arrows.ts';
import {
  AGGREGATE_ONLY_RENAMES,
  type CallArgument,
  KEYWORD_ARGUMENTS,
  R2SQL_FUNCTIONS,
} from './r2-sql-functions.ts';

/** How many of an argument's tokens a rewrite gets to look at (enough to tell a literal or a column). */
const ARGUMENT_TOKENS = 8;

const isDecimal = (token: SqlToken): boolean =>
  token.kind === 'number' && /[.eE]/.test(token.value) && !/^0[xX]/.test(token.value);

/** R2 SQL keywords that are calls without parentheses. */
const BARE_CALLS: Record<string, string> = {
  CURRENT_TIMESTAMP: 'current_timestamp',
  CURRENT_TIME: 'current_time',
};

interface Emitter {
  checked: CheckedR2Sql;
  parens: ArrowParens;
  aliases: Map<number, string>;
  calls: Set<number>;
  /** Token ranges emitted as given text instead (a table reference read from other files). */
  replacements: ReadonlyMap<number, { end: number; text: string }>;
}

/**
 * Emits the tokens `[from, to)` of a checked query as DuckDB SQL, in one pass, keeping the original
 * spacing: R2 SQL calls rewritten (each argument translated once), JSON arrow chains parenthesized,
 * decimal literals typed as DOUBLE (DataFusion's type for them), and the given column aliases added
 * after the token they follow. Linear in the number of tokens: no rewrite repeats an argument's text
 * except a short literal or column. `replacements` emit a token range (a table reference) as other text.
 *
 * @example
 * ```ts
 * import { analyzeR2Sql } from './check-r2-sql.ts';
 * import { emitDuckDbSql } from './emit-duckdb-sql.ts';
 * const checked = analyzeR2Sql('SELECT approx_distinct(x) FROM analytics.events');
 * if (!('kind' in checked)) emitDuckDbSql(checked, 0, checked.structure.tokens.length, new Map());
 * ```
 */
export function emitDuckDbSql(
  checked: CheckedR2Sql,
  from: number,
  to: number,
  aliases: Map<number, string>,
  replacements: ReadonlyMap<number, { end: number; text: string }> = new Map(),
): string | SqlProblem {
  const emitter: Emitter = {
    checked,
    parens: jsonArrowParens(checked.structure),
    aliases,
    calls: new Set(checked.references.calls.map((c) => c.index)),
    replacements,
  };
  return emitRange(emitter, from, to);
}

function emitRange(emitter: Emitter, from: number, to: number): string | SqlProblem {
  const { checked, parens, aliases } = emitter;
  const { sql, structure } = checked;
  const { tokens } = structure;
  const parts: string[] = [];
  let cursor = tokens[from]?.start ?? 0;
  for (let i = from; i < to; i++) {
    const token = tokens[i]!;
    if (cursor < token.start) parts.push(sql.slice(cursor, token.start));
    const replaced = emitter.replacements.get(i);
    if (replaced) {
      parts.push(replaced.text);
      cursor = tokens[replaced.end]!.end;
      i = replaced.end;
      continue;
    }
    const opens = parens.opens.get(i);
    if (opens) parts.push('('.repeat(opens));
    let end = i;
    let text = token.text;
    if (emitter.calls.has(i)) {
      const call = emitCall(emitter, i);
      if (typeof call !== 'string' && 'kind' in call) return call;
      if (typeof call !== 'string') {
        text = call.text;
        end = call.end;
      }
    } else if (token.kind === 'number' && isDecimal(token) && !isWord(tokens[i + 2], 'WITHIN')) {
      // DataFusion types 1.5 as Float64, DuckDB as DECIMAL (an ordered-set aggregate's fraction stays a literal).
      text = `CAST(${token.text} AS DOUBLE)`;
    } else if (
      token.kind === 'word' &&
      token.value in BARE_CALLS &&
      !isSymbol(tokens[i + 1], '(') &&
      !isSymbol(tokens[i - 1], '.')
    ) {
      text = R2SQL_FUNCTIONS[BARE_CALLS[token.value]!]!([]) as string;
    }
    parts.push(text);
    const closes = (parens.closes.get(i) ?? 0) + (end !== i ? (parens.closes.get(end) ?? 0) : 0);
    if (closes) parts.push(')'.repeat(closes));
    const alias = aliases.get(end);
    if (alias !== undefined) parts.push(` AS ${quoteId(alias)}`);
    cursor = tokens[end]!.end;
    i = end;
  }
  return parts.join('');
}

/**
 * The rewrite of the call whose name is token `i`, with the index of its last token; a string when
 * the call passes through unchanged (only its arguments are translated, by the main loop).
 */
function emitCall(emitter: Emitter, i: number): { text: string; end: number } | SqlProblem | 'unchanged' {
  const { sql, structure } = emitter.checked;
  const { tokens, match } = structure;
  const token = tokens[i]!;
  const name = token.value.toLowerCase();
  const close = match.get(i + 1)!;
  const renamed = !isWord(tokens[close + 1], 'OVER') ? AGGREGATE_ONLY_RENAMES[name] : undefined;
  const rewrite = R2SQL_FUNCTIONS[name];
  if (!rewrite && !renamed) return 'unchanged';
  if (renamed) {
    const inner = emitRange(emitter, i + 2, close);
    if (typeof inner !== 'string') return inner;
    return { text: `${renamed}(${inner})`, end: close };
  }
  const ranges = KEYWORD_ARGUMENTS[name]
    ? keywordRanges(emitter, i + 1, KEYWORD_ARGUMENTS[name]!)
    : argumentRanges(structure, i + 1);
  const args: CallArgument[] = [];
  for (const [a, b] of ranges) {
    const text = emitRange(emitter, a, b);
    if (typeof text !== 'string') return text;
    args.push({ text, tokens: tokens.slice(a, Math.min(b, a + ARGUMENT_TOKENS)) });
  }
  let end = close;
  let replacement: string | { error: string };
  const group = withinGroup(emitter, close);
  if (name === 'approx_percentile_cont' && group && args.length === 1) {
    // DataFusion's newer form: approx_percentile_cont(p) WITHIN GROUP (ORDER BY x [ASC|DESC]).
    const x = emitRange(emitter, group.from, group.to);
    if (typeof x !== 'string') return x;
    const p = args[0]!.text;
    replacement = `approx_quantile(${x}, CAST(${group.descending ? `1 - (${p})` : p} AS FLOAT))`;
    end = group.close;
  } else replacement = rewrite!(args);
  if (typeof replacement !== 'string')
    return createSqlProblem(sql, token.start, R2SQL_ERROR_CODES.unsupported, replacement.error, name);
  return { text: replacement, end };
}

/** The ranges of a call's arguments separated by keywords (`overlay(s PLACING r FROM p FOR n)`). */
function keywordRanges(emitter: Emitter, open: number, keywords: string[]): [number, number][] {
  const { tokens, match, parent } = emitter.checked.structure;
  const close = match.get(open)!;
  const ranges: [number, number][] = [];
  let from = open + 1;
  for (let k = open + 1; k < close; k++) {
    if (parent[k] === open && isWord(tokens[k], ...keywords)) {
      ranges.push([from, k]);
      from = k + 1;
    }
  }
  if (close > from) ranges.push([from, close]);
  return ranges;
}

/** `WITHIN GROUP (ORDER BY <expr> [ASC|DESC])` right after the paren at `close`: the expression's range. */
function withinGroup(
  emitter: Emitter,
  close: number,
): { from: number; to: number; close: number; descending: boolean } | null {
  const { tokens, match } = emitter.checked.structure;
  const at = (k: number) => tokens[close + k];
  if (!isWord(at(1), 'WITHIN') || !isWord(at(2), 'GROUP') || !isSymbol(at(3), '(')) return null;
  if (!isWord(at(4), 'ORDER') || !isWord(at(5), 'BY')) return null;
  const groupClose = match.get(close + 3)!;
  const last = tokens[groupClose - 1];
  const direction = isWord(last, 'ASC', 'DESC');
  return {
    from: close + 6,
    to: direction ? groupClose - 1 : groupClose,
    close: groupClose,
    descending: direction && last!.value === 'DESC',
  };
}
