import type { SqlToken } from '../tokenize-sql.ts';

/** One argument of a call: its translated text and its first original tokens (at most 8). */
export interface CallArgument {
  text: string;
  /** The argument's first tokens: enough to tell a literal or a column, without copying long arguments. */
  tokens: SqlToken[];
}

/** Rewrites one R2 SQL call into DuckDB SQL; returns a string, or an error message (40004). */
export type FunctionRewrite = (args: CallArgument[]) => string | { error: string };

/**
 * A SQL string literal.
 *
 * @example
 * ```ts
 * import { quote } from './function-rewrite.ts';
 * quote("it's"); // "'it''s'"
 * ```
 */
export const quote = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * A SQL quoted identifier.
 *
 * @example
 * ```ts
 * import { quoteId } from './function-rewrite.ts';
 * quoteId('count(*)'); // '"count(*)"'
 * ```
 */
export const quoteId = (text: string): string => `"${text.replace(/"/g, '""')}"`;

/**
 * The value of an argument that is one string literal, or undefined.
 *
 * @example
 * ```ts
 * import { literalString } from './function-rewrite.ts';
 * literalString({ text: "'md5'", tokens: [{ kind: 'string', text: "'md5'", value: 'md5', start: 0, end: 5 }] }); // 'md5'
 * ```
 */
export const literalString = (arg: CallArgument | undefined): string | undefined =>
  arg?.tokens.length === 1 && arg.tokens[0]!.kind === 'string' ? arg.tokens[0]!.value : undefined;

/**
 * Checks the number of arguments before rewriting.
 *
 * @example
 * ```ts
 * import { needs, rename } from './function-rewrite.ts';
 * needs(1, 1, 'signum', rename('sign'))([]); // { error: 'signum() takes 1 arguments, got 0' }
 * ```
 */
export const needs =
  (min: number, max: number, name: string, rewrite: FunctionRewrite): FunctionRewrite =>
  (args) =>
    args.length < min || args.length > max
      ? {
          error: `${name}() takes ${min === max ? min : `${min} to ${max === Infinity ? 'any number of' : max}`} arguments, got ${args.length}`,
        }
      : rewrite(args);

/**
 * Calls `to` with the same arguments.
 *
 * @example
 * ```ts
 * import { rename } from './function-rewrite.ts';
 * rename('list_max')([{ text: 'xs', tokens: [] }]); // 'list_max(xs)'
 * ```
 */
export const rename =
  (to: string): FunctionRewrite =>
  (args) =>
    `${to}(${args.map((a) => a.text).join(', ')})`;

/** A column, a literal or a qualified name: cheap to repeat, and holds no rewritten call. */
function isSimple(arg: CallArgument): boolean {
  if (arg.tokens.length === 0 || arg.tokens.length > 5 || arg.text.length > 256) return false;
  return arg.tokens.every((t) => t.kind !== 'symbol' || t.value === '.' || t.value === '-');
}

/**
 * Lets a rewrite use arguments more than once without repeating their text: a simple argument (a
 * column, a literal) is repeated as is, anything else is evaluated once and bound to a lambda
 * parameter (`list_transform([arg], lambda p: body)[1]`). This keeps the translation linear in the
 * query's size, however deeply the calls nest.
 *
 * @example
 * ```ts
 * import { bind } from './function-rewrite.ts';
 * bind([{ text: 'x', tokens: [] }], (x) => `${x} * ${x}`); // a lambda, since no tokens were given
 * ```
 */
export function bind(args: CallArgument[], body: (...names: string[]) => string): string {
  const names = args.map((a, k) => (isSimple(a) ? a.text : `__r2_${a.tokens[0]?.start ?? 0}_${k}`));
  let out = body(...names);
  for (let k = args.length - 1; k >= 0; k--) {
    if (!isSimple(args[k]!)) out = `list_transform([${args[k]!.text}], lambda ${names[k]}: ${out})[1]`;
  }
  return `(${out})`;
}
