import {
  type DuckDBConnection,
  type DuckDBDataChunk,
  type DuckDBExtractedStatements,
  type DuckDBMaterializedResult,
  type DuckDBPreparedStatement,
  JsonDuckDBValueConverter,
  StatementType,
} from '@duckdb/node-api';
import type { QueryResult } from '../query-engine.ts';
import { QueryEngineError } from '../query-engine-error.ts';
import { fromDuckDbError } from './duckdb-query-error.ts';

/** Per-call bounds of {@link readBoundedResult}. */
export interface ReadBounds {
  timeoutMs: number;
  maxResultBytes: number;
}

const READ_ONLY = new Set([StatementType.SELECT, StatementType.EXPLAIN]);
const INTEGER_TYPES = new Set(['BIGINT', 'HUGEINT', 'UBIGINT', 'INTEGER', 'SMALLINT', 'TINYINT', 'UINTEGER']);

// DuckDB prints '2026-11-25 09:00:00.123456+00'; answer ISO 8601 in UTC.
const isoTimestamp = (value: string): string =>
  `${value.replace(' ', 'T').replace(/\+00$/, '')}Z`.replace(/ZZ$/, 'Z');

/** How a column's converted values are normalized: integers as numbers when safe, times as ISO 8601. */
function normalizerOf(type: string): ((value: unknown) => unknown) | null {
  if (INTEGER_TYPES.has(type))
    return (value) => {
      if (typeof value !== 'string') return value;
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : value;
    };
  if (type.startsWith('TIMESTAMP'))
    return (value) => (typeof value === 'string' ? isoTimestamp(value) : value);
  return null;
}

/** About the bytes a value takes as JSON: enough to bound a result, far cheaper than stringifying. */
function jsonSize(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (value === null || typeof value !== 'object') return 8;
  let size = 2;
  if (Array.isArray(value)) for (const item of value) size += jsonSize(item) + 1;
  else for (const [key, item] of Object.entries(value)) size += key.length + 4 + jsonSize(item);
  return size;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Whether DuckDB's parser alone (json_serialize_sql, which only parses, given the text as a bound
 * value) reads `text` as exactly one SELECT statement (DESCRIBE, SUMMARIZE, SHOW, VALUES, FROM-first
 * parse as one). Such a text runs as it is, planned once: a prepared statement that reads files is
 * bound again when it runs (DuckDB re-binds every multi-file scan), so checking a SELECT through
 * `prepare` would cost a second bind. A NUL byte is never taken here (C strings end at it).
 */
async function isOneSelect(connection: DuckDBConnection, text: string): Promise<boolean> {
  if (text.includes('\0')) return false;
  let check = oneSelectChecks.get(connection);
  if (!check) {
    check = { prepared: connection.prepare(ONE_SELECT), queue: Promise.resolve(false) };
    oneSelectChecks.set(connection, check);
  }
  // One check at a time per connection: the bound value lives on the shared prepared statement.
  const { prepared } = check;
  const answer = check.queue.then(async () => {
    const statement = await prepared;
    statement.bindVarchar(1, text);
    const chunk = await (await statement.run()).fetchChunk();
    return chunk?.getColumnVector(0).getItem(0) === true;
  });
  check.queue = answer.catch(() => false);
  return answer;
}

// One statement, a SELECT, with no parameter placeholders (those go the prepared way, for its message).
const ONE_SELECT = `SELECT coalesce(
    json_extract_string(j, '$.error') = 'false'
    AND json_array_length(j, '$.statements') = 1
    AND coalesce(json_array_length(j, '$.statements[0].named_param_map'), 0) = 0, false)
  FROM (SELECT json_serialize_sql($1::VARCHAR, skip_empty := true, skip_null := true) AS j)`;

// Prepared once per connection (a prepare costs more than the check itself); closed with it.
const oneSelectChecks = new WeakMap<
  DuckDBConnection,
  { prepared: Promise<DuckDBPreparedStatement>; queue: Promise<boolean> }
>();

/**
 * Anything the parser alone does not read as one SELECT (EXPLAIN, a PRAGMA that expands to a
 * SELECT, and everything to refuse): prepared first, so its bound type decides before it runs. An
 * EXPLAIN must explain one SELECT: EXPLAIN ANALYZE runs the statement it explains.
 */
async function runIfReadOnly(
  connection: DuckDBConnection,
  extracted: DuckDBExtractedStatements,
  text: string,
): Promise<DuckDBMaterializedResult> {
  // Checked before the prepare, so nothing an EXPLAIN wraps is ever bound unless it is one SELECT.
  const explain = leadingWord(text) === 'EXPLAIN';
  if (explain && !(await explainsOneSelect(connection, text))) throw explainRefused();
  const prepared = await extracted.prepare(0);
  try {
    if (!READ_ONLY.has(prepared.statementType)) {
      throw new QueryEngineError(
        'refused',
        `only read-only queries run here, not a ${StatementType[prepared.statementType]} statement`,
      );
    }
    if (prepared.statementType === StatementType.EXPLAIN && !explain) throw explainRefused();
    return await prepared.run();
  } finally {
    prepared.destroySync();
  }
}

const explainRefused = () =>
  new QueryEngineError(
    'refused',
    'only read-only queries run here: EXPLAIN takes one SELECT, as EXPLAIN [ANALYZE] [(FORMAT json)] SELECT …',
  );

// Statements that act before their type can be checked: parsing IMPORT DATABASE reads the statements
// of files in its directory, preparing EXPORT DATABASE creates its directory. Refused by their first
// word, before DuckDB's parser sees them.
const ACT_WHEN_PARSED = new Set(['EXPORT', 'IMPORT']);

/**
 * Where a statement's first token starts, as DuckDB's lexer reaches it: past blanks, empty
 * statements (`;`), line comments and block comments, which nest. The text's length when it has none.
 */
function firstToken(text: string): number {
  let i = 0;
  while (i < text.length) {
    if (/\s|;/.test(text[i]!)) i++;
    else if (text.startsWith('--', i)) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end + 1;
    } else if (text.startsWith('/*', i)) {
      let depth = 0;
      do {
        const opens = text.startsWith('/*', i);
        const closes = !opens && text.startsWith('*/', i);
        depth += opens ? 1 : closes ? -1 : 0;
        i += opens || closes ? 2 : 1;
      } while (depth > 0 && i < text.length);
    } else break;
  }
  return Math.min(i, text.length);
}

/** The first word of a statement's text, upper-cased (see {@link firstToken}); '' when none. */
const leadingWord = (text: string): string =>
  /^[A-Za-z_]+/.exec(text.slice(firstToken(text)))?.[0].toUpperCase() ?? '';

// `EXPLAIN`, then `ANALYZE` or a list of plain options (`(ANALYZE, FORMAT json)`): keywords, ASCII
// blanks and commas only — no comment, quote or other token — so DuckDB reads this prefix as we do.
const BLANK = '[ \\t\\r\\n]';
const OPTION = `[A-Za-z_][A-Za-z0-9_]*(?:${BLANK}+[A-Za-z0-9_]+)?`;
const EXPLAIN_PREFIX = new RegExp(
  `^${BLANK}*EXPLAIN${BLANK}+(?:ANALY[SZ]E${BLANK}+|\\(${BLANK}*${OPTION}(?:${BLANK}*,${BLANK}*${OPTION})*${BLANK}*\\)${BLANK}*)?`,
  'i',
);

/** Whether an EXPLAIN's text is the plain prefix above followed by what the parser reads as one SELECT. */
async function explainsOneSelect(connection: DuckDBConnection, text: string): Promise<boolean> {
  const prefix = EXPLAIN_PREFIX.exec(text);
  if (!prefix) return false;
  const explained = text.slice(prefix[0].length);
  // A parenthesis here could also open an option list: not worth telling apart.
  if (explained.startsWith('(')) return false;
  return isOneSelect(connection, explained);
}

/**
 * Runs one caller's statement on `connection` within bounds: DuckDB's own parser must find exactly
 * one statement and it must be a SELECT (DESCRIBE, SUMMARIZE, SHOW, VALUES, FROM-first and table
 * functions parse as one) or an EXPLAIN [ANALYZE] of one SELECT; anything else — SET, PRAGMA,
 * ATTACH, COPY, INSTALL, LOAD, DDL, writes, an EXPLAIN ANALYZE of any of them, a second statement —
 * is refused before it runs (EXPORT and IMPORT DATABASE by their first word, before DuckDB parses
 * them). A text DuckDB's parser reads as one SELECT runs as it is, bound once; anything else is
 * prepared and its bound type checked first.
 * Rows are streamed chunk by chunk and converted with a running size count: past `maxResultBytes`
 * the query is interrupted and refused; past `timeoutMs` DuckDB is interrupted. The event loop gets
 * a turn between chunks.
 *
 * @example
 * ```ts
 * import { readBoundedResult } from './read-bounded-result.ts';
 * await readBoundedResult(connection, 'SELECT 42 AS answer', { timeoutMs: 1000, maxResultBytes: 1 << 20 });
 * ```
 */
export async function readBoundedResult<Row>(
  connection: DuckDBConnection,
  text: string,
  bounds: ReadBounds,
): Promise<QueryResult<Row>> {
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    connection.interrupt();
  }, bounds.timeoutMs);
  const overTime = () =>
    new QueryEngineError(
      'timeout',
      `the query ran longer than ${bounds.timeoutMs} ms and was cancelled; narrow its time range or add filters`,
    );
  try {
    // DuckDB's parser fails on a text with no statement without saying so.
    if (firstToken(text) === text.length) {
      throw new QueryEngineError('refused', 'expected exactly one statement, found none: send one SELECT');
    }
    const word = leadingWord(text);
    if (ACT_WHEN_PARSED.has(word)) {
      throw new QueryEngineError('refused', `only read-only queries run here, not a ${word} statement`);
    }
    // Counted by the connection's own parser, the one that runs the text below.
    const extracted = await connection.extractStatements(text);
    if (extracted.count !== 1) {
      throw new QueryEngineError(
        'refused',
        `expected exactly one statement, found ${extracted.count}: send one SELECT per request`,
      );
    }
    // Materialized, not streamed: DuckDB runs the whole plan in parallel (a streamed result runs its
    // final pipeline on one thread), and the collection counts against its memory limit.
    const oneSelect = await isOneSelect(connection, text);
    // An interrupt that landed between statements cancelled nothing: do not start the query.
    if (timedOut) throw overTime();
    const result = oneSelect ? await connection.run(text) : await runIfReadOnly(connection, extracted, text);
    const names = result.columnNames();
    const types = result.columnTypes().map(String);
    const normalizers = types.map(normalizerOf);
    const rows: Row[] = [];
    let bytes = 0;
    for (;;) {
      const chunk: DuckDBDataChunk | null = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      // Each column's vector and type looked up once per chunk, not per value; values still decoded
      // row by row, so a result over the bound stops at the row that crosses it.
      const vectors = names.map((_, c) => chunk.getColumnVector(c));
      const vectorTypes = vectors.map((v) => v.type);
      for (let r = 0; r < chunk.rowCount; r++) {
        const row: Record<string, unknown> = {};
        for (let c = 0; c < names.length; c++) {
          const converted = JsonDuckDBValueConverter(
            vectors[c]!.getItem(r),
            vectorTypes[c]!,
            JsonDuckDBValueConverter,
          );
          const normalize = normalizers[c];
          const value =
            converted === null || converted === undefined
              ? null
              : normalize
                ? normalize(converted)
                : converted;
          bytes += names[c]!.length + 4 + jsonSize(value);
          row[names[c]!] = value;
        }
        if (bytes > bounds.maxResultBytes) {
          connection.interrupt();
          throw new QueryEngineError(
            'too_large',
            `the result is larger than ${bounds.maxResultBytes} bytes (${rows.length} rows read); select fewer columns or rows, or aggregate`,
          );
        }
        rows.push(row as Row);
      }
      if (timedOut) throw overTime();
      await yieldToEventLoop();
    }
    return { schema: names.map((name, i) => ({ name, type: types[i]! })), rows };
  } catch (cause) {
    if (timedOut && !(cause instanceof QueryEngineError && cause.reason === 'too_large')) throw overTime();
    throw fromDuckDbError(cause);
  } finally {
    clearTimeout(timer);
  }
}
