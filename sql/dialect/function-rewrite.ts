import type { SqlToken } from '../tokenize-sql.ts';

/** One argument of a call: its translated text and its original tokens. */
export interface CallArgument {
  text: string;
  tokens: SqlToken[];
}

/** Rewrites one R2 SQL call into DuckDB SQL; returns a string, or an error message (40004). */
export type FunctionRewrite = (args: CallArgument[]) => string | { error: string };

/** A SQL string literal. */
export const quote = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/** A SQL quoted identifier. */
export const quoteId = (text: string): string => `"${text.replace(/"/g, '""')}"`;

/** The value of an argument that is one string literal, or undefined. */
export const literalString = (arg: CallArgument | undefined): string | undefined =>
  arg?.tokens.length === 1 && arg.tokens[0]!.kind === 'string' ? arg.tokens[0]!.value : undefined;

/** Checks the number of arguments before rewriting. */
export const needs =
  (min: number, max: number, name: string, rewrite: FunctionRewrite): FunctionRewrite =>
  (args) =>
    args.length < min || args.length > max
      ? {
          error: `${name}() takes ${min === max ? min : `${min} to ${max === Infinity ? 'any number of' : max}`} arguments, got ${args.length}`,
        }
      : rewrite(args);

/** Calls `to` with the same arguments. */
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
