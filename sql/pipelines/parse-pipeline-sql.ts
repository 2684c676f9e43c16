import { isSqlProblem } from '../sql-problem.ts';
import { isSymbol, isWord, structureOf } from '../sql-structure.ts';
import { type SqlToken, tokenizeSql } from '../tokenize-sql.ts';
import { pipelineSqlError } from './pipeline-sql-error.ts';

/** One `INSERT INTO sink SELECT ... FROM stream [WHERE ...]` statement of a pipeline. */
export interface PipelineStatement {
  sink: string;
  stream: string;
  /** Offsets of the sink and stream names in the pipeline's SQL. */
  sinkAt: number;
  streamAt: number;
  /**
   * The SELECT, with the text before it blanked (newlines kept) so that offsets into it are offsets
   * into the pipeline's SQL: problems found later point at the original text.
   */
  select: string;
  /** The SELECT's tokens, in the pipeline's SQL offsets. */
  tokens: SqlToken[];
}

/** Aggregates (R2 SQL's list and DuckDB's common names): they need state across records. */
const AGGREGATES = new Set(
  (
    'count sum avg mean min max median mode product any_value arg_min arg_max argmin argmax array_agg string_agg ' +
    'list listagg group_concat approx_distinct approx_count_distinct approx_median approx_percentile_cont ' +
    'approx_percentile_cont_with_weight approx_quantile approx_top_k bit_and bit_or bit_xor bool_and bool_or ' +
    'every corr covar covar_pop covar_samp stddev stddev_pop stddev_samp var var_pop var_samp variance ' +
    'regr_avgx regr_avgy regr_count regr_intercept regr_r2 regr_slope regr_sxx regr_sxy regr_syy ' +
    'first_value last_value nth_value first last grouping count_if histogram quantile quantile_cont ' +
    'quantile_disc percentile_cont percentile_disc'
  ).split(' '),
);
/** Functions that only exist over a window of records. */
const WINDOW_FUNCTIONS = new Set(
  'row_number rank dense_rank percent_rank cume_dist ntile lag lead'.split(' '),
);

const STATELESS =
  'pipelines are stateless (filter, reshape, cast, compute one record at a time); aggregate, join or order in R2 SQL at query time';

/** Clauses refused anywhere in a pipeline's SELECT, by the keyword that opens them. */
const REFUSED_WORDS: Record<string, [construct: string, why: string]> = {
  HAVING: ['HAVING', `HAVING is not supported: ${STATELESS}`],
  JOIN: ['JOIN', `joins are not supported: ${STATELESS}`],
  OVER: ['window function (OVER)', `window functions are not supported: ${STATELESS}`],
  WINDOW: ['WINDOW', `windows are not supported: ${STATELESS}`],
  QUALIFY: ['QUALIFY', `QUALIFY is not supported: ${STATELESS}`],
  LIMIT: [
    'LIMIT',
    `LIMIT is not supported: a pipeline never ends, so it has no first N records; ${STATELESS}`,
  ],
  OFFSET: ['OFFSET', `OFFSET is not supported: ${STATELESS}`],
  FETCH: ['FETCH', `FETCH is not supported: ${STATELESS}`],
  DISTINCT: ['DISTINCT', `DISTINCT is not supported: it needs every earlier record; ${STATELESS}`],
  UNION: ['UNION', 'set operations (UNION) are not supported: write one INSERT statement per SELECT'],
  INTERSECT: ['INTERSECT', `set operations (INTERSECT) are not supported: ${STATELESS}`],
  EXCEPT: ['EXCEPT', `set operations (EXCEPT) are not supported: ${STATELESS}`],
  WITH: [
    'WITH',
    'WITH (common table expressions) is not supported by the local stand-in: inline the expressions',
  ],
};

const SHAPE = 'a pipeline statement is INSERT INTO <sink> SELECT ... FROM <stream> [WHERE ...]';

/**
 * Parses a pipeline's SQL (one or more `;`-separated `INSERT INTO sink SELECT ... FROM stream [WHERE
 * ...]` statements) with the R2 SQL dialect's tokenizer and refuses what the platform's stateless
 * pipelines refuse: GROUP BY, HAVING, joins, window functions, aggregates, ORDER BY, LIMIT/OFFSET,
 * DISTINCT, set operations, subqueries and CTEs. Each error names the construct and its line and column.
 *
 * @example
 * ```ts
 * import { parsePipelineSql } from './parse-pipeline-sql.ts';
 * parsePipelineSql('audit', "INSERT INTO audit_sink SELECT id FROM events WHERE durability = 'do'")[0]?.sink; // 'audit_sink'
 * parsePipelineSql('bad', 'INSERT INTO s SELECT ns, count(*) FROM events GROUP BY ns'); // throws: count() is an aggregate ...
 * ```
 */
export function parsePipelineSql(pipeline: string, sql: string): PipelineStatement[] {
  const fail = (offset: number, code: 'syntax' | 'unsupported', construct: string, message: string) =>
    pipelineSqlError(pipeline, sql, offset, code, construct, message);
  const tokens = tokenizeSql(sql);
  if (isSqlProblem(tokens))
    throw fail(tokens.position.offset, 'syntax', tokens.construct ?? 'SQL', tokens.message);
  const structure = structureOf(sql, tokens);
  if (isSqlProblem(structure))
    throw fail(structure.position.offset, 'syntax', structure.construct ?? 'SQL', structure.message);
  const { depth } = structure;

  const statements: PipelineStatement[] = [];
  let from = 0;
  for (let i = 0; i <= tokens.length; i++) {
    if (i < tokens.length && !(isSymbol(tokens[i], ';') && depth[i] === 0)) continue;
    if (i > from) statements.push(parseStatement(sql, tokens, depth, from, i, fail));
    from = i + 1;
  }
  if (statements.length === 0) throw fail(0, 'syntax', 'empty', `the pipeline's SQL is empty: ${SHAPE}`);
  return statements;
}

type Fail = (offset: number, code: 'syntax' | 'unsupported', construct: string, message: string) => Error;

function parseStatement(
  sql: string,
  tokens: SqlToken[],
  depth: number[],
  from: number,
  to: number,
  fail: Fail,
): PipelineStatement {
  const first = tokens[from]!;
  if (!isWord(first, 'INSERT'))
    throw fail(first.start, 'syntax', first.text, `expected INSERT INTO: ${SHAPE}`);
  const into = tokens[from + 1];
  const sinkToken = tokens[from + 2];
  if (!isWord(into, 'INTO') || !isName(sinkToken))
    throw fail((into ?? first).start, 'syntax', 'INSERT INTO', `expected INTO <sink>: ${SHAPE}`);
  const select = from + 3;
  if (!isWord(tokens[select], 'SELECT')) {
    const at = tokens[select] ?? sinkToken!;
    throw fail(at.start, 'syntax', at.text, `expected SELECT after the sink name: ${SHAPE}`);
  }
  const base = depth[select]!;

  let fromAt = -1;
  for (let i = select + 1; i < to; i++) {
    const token = tokens[i]!;
    const next = tokens[i + 1];
    if (isSymbol(token, '(') && isWord(next, 'SELECT', 'WITH', 'VALUES'))
      throw fail(next!.start, 'unsupported', 'subquery', `subqueries are not supported: ${STATELESS}`);
    if (token.kind !== 'word' || isSymbol(tokens[i - 1], '.')) continue;
    const word = token.value;
    if (isSymbol(next, '(')) {
      const name = word.toLowerCase();
      if (AGGREGATES.has(name))
        throw fail(
          token.start,
          'unsupported',
          'aggregate',
          `${token.text}() is an aggregate, not supported: ${STATELESS}`,
        );
      if (WINDOW_FUNCTIONS.has(name))
        throw fail(
          token.start,
          'unsupported',
          'window function',
          `${token.text}() is a window function, not supported: ${STATELESS}`,
        );
    }
    if (word === 'GROUP' && isWord(next, 'BY'))
      throw fail(token.start, 'unsupported', 'GROUP BY', `GROUP BY is not supported: ${STATELESS}`);
    if (word === 'ORDER' && isWord(next, 'BY'))
      throw fail(
        token.start,
        'unsupported',
        'ORDER BY',
        `ORDER BY is not supported: a stream has no order to sort by; ${STATELESS}`,
      );
    const refused = REFUSED_WORDS[word];
    if (refused) throw fail(token.start, 'unsupported', refused[0], refused[1]);
    if (word === 'FROM' && depth[i] === base && fromAt === -1) fromAt = i;
  }
  if (fromAt === -1)
    throw fail(tokens[select]!.start, 'syntax', 'FROM', `the SELECT reads no stream: ${SHAPE}`);

  const streamToken = tokens[fromAt + 1];
  if (!isName(streamToken))
    throw fail(
      (streamToken ?? tokens[fromAt]!).start,
      'syntax',
      'FROM',
      `expected a stream name after FROM: ${SHAPE}`,
    );
  if (isSymbol(tokens[fromAt + 2], '.'))
    throw fail(streamToken!.start, 'syntax', 'FROM', 'a stream is named without a namespace: FROM <stream>');
  let after = fromAt + 2;
  if (isWord(tokens[after], 'AS')) after++;
  if (isName(tokens[after]) && !isWord(tokens[after], 'WHERE')) after++; // an alias
  const rest = tokens[after];
  if (after < to && !isWord(rest, 'WHERE')) {
    const join = isSymbol(rest, ',') || isWord(rest, 'CROSS', 'NATURAL', 'INNER', 'LEFT', 'RIGHT', 'FULL');
    throw join
      ? fail(rest!.start, 'unsupported', 'JOIN', `joins are not supported: ${STATELESS}`)
      : fail(rest!.start, 'syntax', rest!.text, `expected WHERE or the end of the statement: ${SHAPE}`);
  }

  const start = tokens[select]!.start;
  const end = tokens[to - 1]!.end;
  return {
    sink: nameOf(sinkToken!),
    stream: nameOf(streamToken!),
    sinkAt: sinkToken!.start,
    streamAt: streamToken!.start,
    select: sql.slice(0, start).replace(/[^\n]/g, ' ') + sql.slice(start, end),
    tokens: tokens.slice(select, to),
  };
}

const isName = (token: SqlToken | undefined): boolean => token?.kind === 'word' || token?.kind === 'quoted';
const nameOf = (token: SqlToken): string =>
  token.kind === 'quoted' ? token.value : token.value.toLowerCase();
