import { createSqlProblem, R2SQL_ERROR_CODES, type SqlProblem } from './sql-problem.ts';

/**
 * `word`: a keyword or unquoted identifier (`value` upper-cased); `quoted`: a "quoted identifier"
 * (`value` unquoted); `string`: a 'literal' (`value` unescaped); `number`; `symbol`: operators and
 * punctuation. Whitespace and comments are not tokens: the text between two tokens is kept as it was.
 */
export type SqlTokenKind = 'word' | 'quoted' | 'string' | 'number' | 'symbol';

/** One token of SQL text; `start`/`end` are offsets into the text. */
export interface SqlToken {
  kind: SqlTokenKind;
  /** The token as written. */
  text: string;
  value: string;
  start: number;
  end: number;
}

const SYMBOLS = ['->>', '->', '::', '<=', '>=', '<>', '!=', '||', '=>', '==', '**', '<<', '>>'];
const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const NUMBER = /^(?:0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)/;

/**
 * Splits SQL into tokens, respecting 'string literals' (with '' escapes, and E'...' with backslash
 * escapes), "quoted identifiers", -- line comments and nested block comments. An unterminated
 * literal, identifier or comment is a syntax problem (code 40003) naming where it starts.
 *
 * @example
 * ```ts
 * import { tokenizeSql } from './tokenize-sql.ts';
 * const tokens = tokenizeSql(`SELECT 'a;b' -- c\nFROM t`);
 * Array.isArray(tokens) && tokens.map((t) => t.kind); // ['word', 'string', 'word', 'word']
 * ```
 */
export function tokenizeSql(sql: string): SqlToken[] | SqlProblem {
  const tokens: SqlToken[] = [];
  const n = sql.length;
  let i = 0;
  const push = (kind: SqlTokenKind, start: number, end: number, value: string): void => {
    tokens.push({ kind, text: sql.slice(start, end), value, start, end });
  };
  const unterminated = (start: number, what: string): SqlProblem =>
    createSqlProblem(sql, start, R2SQL_ERROR_CODES.syntax, `syntax error: unterminated ${what}`, what);

  while (i < n) {
    const c = sql[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const newline = sql.indexOf('\n', i);
      i = newline === -1 ? n : newline + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const start = i;
      let depth = 0;
      while (i < n) {
        if (sql[i] === '/' && sql[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (sql[i] === '*' && sql[i + 1] === '/') {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else i++;
      }
      if (depth !== 0) return unterminated(start, 'block comment');
    } else if (c === "'" || ((c === 'E' || c === 'e') && sql[i + 1] === "'" && !isWordBefore(sql, i))) {
      const start = i;
      const escapes = c !== "'";
      i += escapes ? 2 : 1;
      let value = '';
      let closed = false;
      while (i < n) {
        const d = sql[i]!;
        if (escapes && d === '\\' && i + 1 < n) {
          value += sql[i + 1];
          i += 2;
        } else if (d === "'") {
          if (sql[i + 1] === "'") {
            value += "'";
            i += 2;
          } else {
            i++;
            closed = true;
            break;
          }
        } else {
          value += d;
          i++;
        }
      }
      if (!closed) return unterminated(start, 'string literal');
      push('string', start, i, value);
    } else if (c === '"') {
      const start = i++;
      let value = '';
      let closed = false;
      while (i < n) {
        if (sql[i] === '"') {
          if (sql[i + 1] === '"') {
            value += '"';
            i += 2;
          } else {
            i++;
            closed = true;
            break;
          }
        } else value += sql[i++];
      }
      if (!closed) return unterminated(start, 'quoted identifier');
      push('quoted', start, i, value);
    } else if (WORD_START.test(c)) {
      const start = i++;
      while (i < n && WORD_PART.test(sql[i]!)) i++;
      push('word', start, i, sql.slice(start, i).toUpperCase());
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const match = NUMBER.exec(sql.slice(i, i + 64))!;
      push('number', i, i + match[0].length, match[0]);
      i += match[0].length;
    } else {
      const symbol = SYMBOLS.find((s) => sql.startsWith(s, i)) ?? c;
      push('symbol', i, i + symbol.length, symbol);
      i += symbol.length;
    }
  }
  return tokens;
}

/** `E'...'` is an escape string only when the E is not the tail of a longer word (`SOME'x'`). */
function isWordBefore(sql: string, i: number): boolean {
  return i > 0 && WORD_PART.test(sql[i - 1]!);
}
