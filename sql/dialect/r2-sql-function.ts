/** Where R2 SQL's own documentation (or the changelog, or DataFusion) lists a function. */
export type R2SqlFunctionSource =
  | 'scalar-functions'
  | 'complex-types'
  | 'aggregate-functions'
  | 'changelog'
  | 'datafusion';

/**
 * One function R2 SQL has, as data: its R2 SQL name, the Arrow type R2 SQL returns for the example,
 * an example call with its checked result, and — when the local engine cannot give that result — a
 * gap with the reason. `docs/r2-sql-functions.md` is generated from this list, and every example
 * that is not a gap runs against DuckDB in the tests.
 */
export interface R2SqlFunction {
  name: string;
  kind: 'scalar' | 'aggregate' | 'window';
  category: string;
  source: R2SqlFunctionSource;
  /** The Arrow type R2 SQL returns for the example (`Utf8`, `Int64`, `Float64`, `List`, ...). */
  returns: string;
  /** The type the local engine returns, when it differs from `returns` (documented, tested). */
  localType?: string;
  /** The name this one is an alias of. */
  aliasOf?: string;
  /** An R2 SQL expression calling the function; aggregates and windows read `R2SQL_SAMPLE_TABLE`. */
  example?: string;
  /** An R2 SQL expression over `$` (the example) whose value is `expected`, for non-deterministic results. */
  check?: string;
  /** The value the example (or check) returns, as JSON; for a window function, the values in `x` order. */
  expected?: unknown;
  /** Why the local engine does not run it; the checker refuses it (40004) with this reason. */
  gap?: string;
  note?: string;
}

/** Optional parts of a function's entry, with aliases (`['ifnull']`, or `[name, example]` pairs). */
export type R2SqlFunctionExtras = Partial<Omit<R2SqlFunction, 'name' | 'kind' | 'category' | 'source'>> & {
  aliases?: (string | [string, string])[];
};

/**
 * The rows aggregate and window examples read: `x` 1..4, `y` = 2x, `s` 'a','b','b','c', `b` booleans.
 *
 * @example
 * ```ts
 * import { R2SQL_SAMPLE_TABLE } from './r2-sql-function.ts';
 * `SELECT sum(x) AS v FROM ${R2SQL_SAMPLE_TABLE}`; // v = 10
 * ```
 */
export const R2SQL_SAMPLE_TABLE =
  "(VALUES (1, 2, 'a', true), (2, 4, 'b', true), (3, 6, 'b', false), (4, 8, 'c', true)) AS t(x, y, s, b)";

/**
 * Builds the entries of one category: a function, then one entry per alias (each alias's example
 * calls it by the alias, so aliases are tested too).
 *
 * @example
 * ```ts
 * import { defineR2SqlFunctions } from './r2-sql-function.ts';
 * defineR2SqlFunctions('scalar', 'Math', 'scalar-functions', [['abs', 'Int64', 'abs(-3)', 3]]);
 * ```
 */
export function defineR2SqlFunctions(
  kind: R2SqlFunction['kind'],
  category: string,
  source: R2SqlFunctionSource,
  rows: [
    name: string,
    returns: string,
    example: string | null,
    expected?: unknown,
    extras?: R2SqlFunctionExtras,
  ][],
): R2SqlFunction[] {
  const out: R2SqlFunction[] = [];
  for (const [name, returns, example, expected, extras = {}] of rows) {
    const { aliases = [], ...rest } = extras;
    const entry: R2SqlFunction = {
      name,
      kind,
      category,
      source,
      returns,
      ...(example === null ? {} : { example, expected }),
      ...rest,
    };
    out.push(entry);
    for (const alias of aliases) {
      const [aliasName, aliasExample] = typeof alias === 'string' ? [alias, undefined] : alias;
      const renamed = entry.example?.replace(new RegExp(`^${name}\\(`), `${aliasName}(`);
      const aliasEntry: R2SqlFunction = { ...entry, name: aliasName, aliasOf: name };
      if (aliasExample ?? renamed) aliasEntry.example = aliasExample ?? renamed;
      out.push(aliasEntry);
    }
  }
  return out;
}
