import { createSqlProblem, R2SQL_ERROR_CODES, type SqlProblem } from '../sql-problem.ts';
import { isSymbol, isWord, type SqlStructure } from '../sql-structure.ts';
import type { SqlToken } from '../tokenize-sql.ts';
import { lookupR2SqlFunction } from './r2-sql-function-list.ts';

/** A `namespace.table` the query names. */
export interface TableReference {
  namespace: string;
  table: string;
}

/** A function call the query makes: the index of its name token and its case-folded name. */
export interface FunctionCall {
  index: number;
  name: string;
}

/** What a query names: the calls it makes and the tables it reads (in order, deduplicated). */
export interface SqlReferences {
  calls: FunctionCall[];
  tables: TableReference[];
  /** Index of the `(` of each call, so the translation can tell a call's parens from a subquery's. */
  callParens: Set<number>;
}

/** Words that stand before a `(` without naming a function (clauses, operators, set and frame syntax). */
const NOT_A_CALL = new Set(
  (
    'AND OR NOT IN EXISTS SELECT FROM WHERE JOIN ON USING AS OVER FILTER GROUP BY HAVING ORDER PARTITION ' +
    'WHEN THEN ELSE CASE END IS LIKE ILIKE SIMILAR ESCAPE BETWEEN DISTINCT ALL ANY SOME UNION INTERSECT ' +
    'EXCEPT VALUES WITH RECURSIVE LIMIT QUALIFY ROLLUP CUBE SETS ROWS RANGE GROUPS PRECEDING FOLLOWING ' +
    'INTERVAL DESC ASC NULLS FIRST LAST MATERIALIZED'
  ).split(' '),
);

/** Syntax that looks like a call but is part of the grammar both engines share. */
const SYNTAX_CALLS = new Set(['CAST', 'TRY_CAST', 'EXTRACT']);

/** Namespaces that hold the engine's own catalog, never tables of the lake. */
const INTROSPECTION = new Set(['information_schema', 'pg_catalog', 'main', 'system', 'temp']);

/** Clauses that end a FROM clause (whose comma-separated items are table references). */
const OTHER_CLAUSES = new Set(['SELECT', 'WHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'QUALIFY', 'WINDOW']);

/**
 * Resolves every function name the way DuckDB would (quoted or not, case-folded, with or without a
 * schema) against R2 SQL's function list, and every table reference against R2 SQL's rule that a
 * table is `namespace.table` (or a CTE of the query). The first name R2 SQL would not know is a
 * 40004 naming it. Linear in the number of tokens.
 *
 * @example
 * ```ts
 * import { tokenizeSql } from '../tokenize-sql.ts';
 * import { structureOf } from '../sql-structure.ts';
 * import { resolveReferences } from './resolve-references.ts';
 * const sql = 'SELECT "read_text"(1)';
 * const tokens = tokenizeSql(sql) as never;
 * resolveReferences(sql, structureOf(sql, tokens) as never); // a 40004 problem naming read_text
 * ```
 */
export function resolveReferences(
  sql: string,
  structure: SqlStructure,
  unqualifiedTables = false,
): SqlReferences | SqlProblem {
  const { tokens, depth } = structure;
  const scope: TableScope = {
    sql,
    structure,
    ctes: cteNames(structure),
    unqualifiedTables,
    tables: new Map(),
  };
  const calls: FunctionCall[] = [];
  const callParens = new Set<number>();
  // The clause each paren depth is in; a call's parens open a "CALL" clause of their own.
  const clause: string[] = [];

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const d = depth[i]!;
    if (isSymbol(token, '(')) {
      clause[d + 1] = callParens.has(i) ? 'CALL' : '';
      continue;
    }
    // ON and USING stay in the FROM clause: `JOIN b ON true, c` reads c too.
    if (token.kind === 'word' && OTHER_CLAUSES.has(token.value)) clause[d] = token.value;
    const describe = i === 0 && isWord(token, 'DESCRIBE', 'DESC');
    const startsTable =
      clause[d] !== 'CALL' &&
      (isWord(token, 'FROM', 'JOIN') || describe || (isSymbol(token, ',') && clause[d] === 'FROM'));
    if ((isWord(token, 'FROM') && clause[d] !== 'CALL') || describe) clause[d] = 'FROM';
    if (startsTable) {
      const problem = checkTableReference(scope, i + 1);
      if (problem) return problem;
      continue;
    }
    if (token.kind !== 'word' && token.kind !== 'quoted') continue;
    if (!isSymbol(tokens[i + 1], '(') || !isCall(structure, i)) continue;
    callParens.add(i + 1);
    const call = resolveCall(sql, tokens, i);
    if (call && 'kind' in call) return call;
    if (call) calls.push(call);
  }
  return { calls, tables: [...scope.tables.values()], callParens };
}

/** Where a query's table references are checked: its text, CTE names and the tables found so far. */
interface TableScope {
  sql: string;
  structure: SqlStructure;
  ctes: Set<string>;
  unqualifiedTables: boolean;
  tables: Map<string, TableReference>;
}

const refuse = (sql: string, token: SqlToken, message: string, construct: string) =>
  createSqlProblem(sql, token.start, R2SQL_ERROR_CODES.unsupported, message, construct);

const INTROSPECTIVE = /^(duckdb_|pragma_|sqlite_|information_schema)/i;

/**
 * The call whose name is token `i`, resolved against R2 SQL's function list; a problem when the name
 * is qualified, unknown or a declared gap; null for grammar that looks like a call (CAST, EXTRACT).
 */
function resolveCall(sql: string, tokens: SqlToken[], i: number): FunctionCall | SqlProblem | null {
  const token = tokens[i]!;
  const name = token.value.toLowerCase();
  if (isSymbol(tokens[i - 1], '.')) {
    let from = i;
    while (isSymbol(tokens[from - 1], '.') && tokens[from - 2]) from -= 2;
    const written = sql.slice(tokens[from]!.start, token.end);
    return refuse(
      sql,
      tokens[from]!,
      `unknown function ${written}(): R2 SQL functions are not schema-qualified; call ${name}() by its plain name if R2 SQL has it`,
      written,
    );
  }
  if (token.kind === 'word' && SYNTAX_CALLS.has(token.value)) return null;
  const known = lookupR2SqlFunction(name);
  if (!known) {
    return refuse(
      sql,
      token,
      INTROSPECTIVE.test(name)
        ? `unknown function ${name}(): catalog introspection is not supported; R2 SQL reads namespace.table (use SHOW TABLES or DESCRIBE namespace.table)`
        : `unknown function ${name}(): R2 SQL has no function of that name (see docs/r2-sql-functions.md)`,
      name,
    );
  }
  if (known.gap)
    return refuse(sql, token, `${name}() is not available in the local R2 SQL engine: ${known.gap}`, name);
  return { index: i, name: known.name };
}

/** Is the word at `i`, followed by `(`, a function call (not a clause, alias, type or CTE column list)? */
function isCall({ tokens, match }: SqlStructure, i: number): boolean {
  const token = tokens[i]!;
  const before = tokens[i - 1];
  if (token.kind === 'word' && NOT_A_CALL.has(token.value)) return false;
  if (isWord(before, 'AS') || isSymbol(before, '::') || isSymbol(before, ')')) return false;
  const after = match.get(i + 1)! + 1;
  if (
    isWord(tokens[after], 'AS') &&
    (isSymbol(tokens[after + 1], '(') || isWord(tokens[after + 1], 'NOT', 'MATERIALIZED'))
  )
    return false; // WITH name (columns) AS (...)
  return true;
}

/** Checks the table reference starting at token `at` (right after FROM, JOIN, DESCRIBE or a comma). */
function checkTableReference(scope: TableScope, at: number): SqlProblem | null {
  const { sql, structure, ctes, unqualifiedTables, tables } = scope;
  const { tokens } = structure;
  const first = tokens[at];
  if (!first) return null;
  if (first.kind === 'string') {
    return refuse(
      sql,
      first,
      `a table is namespace.table, not a file: ${first.text} cannot be read`,
      'file path',
    );
  }
  if (first.kind !== 'word' && first.kind !== 'quoted') return null; // a subquery, or a syntax error
  if (first.kind === 'word' && (NOT_A_CALL.has(first.value) || first.value === 'LATERAL')) return null;
  const parts: SqlToken[] = [first];
  let end = at;
  while (
    isSymbol(tokens[end + 1], '.') &&
    (tokens[end + 2]?.kind === 'word' || tokens[end + 2]?.kind === 'quoted')
  ) {
    parts.push(tokens[end + 2]!);
    end += 2;
  }
  const written = sql.slice(first.start, tokens[end]!.end);
  const part = (t: SqlToken) => (t.kind === 'quoted' ? t.value : t.value.toLowerCase());
  if (isSymbol(tokens[end + 1], '(')) {
    return refuse(
      sql,
      first,
      `table functions are not supported: ${written}(...) is not a table; R2 SQL reads namespace.table`,
      written,
    );
  }
  if (parts.length === 1) {
    if (ctes.has(part(first))) return null;
    if (unqualifiedTables && first.kind === 'word' && !INTROSPECTIVE.test(first.value)) return null;
    const introspection = INTROSPECTIVE.test(first.value);
    return refuse(
      sql,
      first,
      first.kind === 'quoted'
        ? `${written} is not a table: R2 SQL reads namespace.table, never a file or path`
        : introspection
          ? `${written} is not a table: catalog introspection is not supported (use SHOW TABLES or DESCRIBE namespace.table)`
          : `table ${written} needs its namespace: R2 SQL reads namespace.table (for example analytics.${part(first)})`,
      written,
    );
  }
  if (parts.length > 2) {
    return refuse(
      sql,
      first,
      `${written} is catalog-qualified: R2 SQL reads namespace.table, and the bucket is the catalog`,
      written,
    );
  }
  const namespace = part(parts[0]!);
  const table = part(parts[1]!);
  if (INTROSPECTION.has(namespace)) {
    return refuse(
      sql,
      first,
      `${written} is the engine's catalog, not a table: catalog introspection is not supported (use SHOW TABLES or DESCRIBE namespace.table)`,
      written,
    );
  }
  tables.set(`${namespace}.${table}`, { namespace, table });
  return null;
}

/** The names of every CTE the query defines (any WITH list, at any depth), case-folded. */
function cteNames({ tokens, match }: SqlStructure): Set<string> {
  const names = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    if (!isWord(tokens[i], 'WITH')) continue;
    let j = i + 1;
    if (isWord(tokens[j], 'RECURSIVE')) j++;
    while (j < tokens.length) {
      const name = tokens[j];
      if (name?.kind !== 'word' && name?.kind !== 'quoted') break;
      names.add(name.kind === 'quoted' ? name.value : name.value.toLowerCase());
      j++;
      if (isSymbol(tokens[j], '(')) j = match.get(j)! + 1;
      if (!isWord(tokens[j], 'AS')) break;
      j++;
      while (isWord(tokens[j], 'NOT', 'MATERIALIZED')) j++;
      if (!isSymbol(tokens[j], '(')) break;
      j = match.get(j)! + 1;
      if (!isSymbol(tokens[j], ',')) break;
      j++;
    }
  }
  return names;
}
