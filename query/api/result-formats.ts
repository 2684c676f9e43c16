import type { QueryMetrics, ResultColumn } from '../query-engine.ts';

/** The output formats of the query API. */
export const RESULT_FORMATS = ['json', 'ndjson', 'csv', 'arrow'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

/** The content type each format answers with. */
export const FORMAT_CONTENT_TYPES: Record<ResultFormat, string> = {
  json: 'application/json',
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8; header=present',
  arrow: 'application/vnd.apache.arrow.stream',
};

const BY_MEDIA_TYPE: Record<string, ResultFormat> = {
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
  'text/csv': 'csv',
  'application/vnd.apache.arrow.stream': 'arrow',
  'application/vnd.apache.arrow.file': 'arrow',
};

/**
 * The format a request asks for: `?format=` first, else the best `Accept` entry we serve (by q,
 * then order; `*\/*` and no header mean JSON). A string answer says why none fits (406).
 *
 * @example
 * ```ts
 * import { negotiateFormat } from './result-formats.ts';
 * negotiateFormat(null, 'text/csv;q=0.9, application/x-ndjson'); // 'ndjson'
 * ```
 */
export function negotiateFormat(query: string | null, accept: string | null): ResultFormat | string {
  if (query !== null) {
    return (RESULT_FORMATS as readonly string[]).includes(query)
      ? (query as ResultFormat)
      : `format "${query.slice(0, 40)}" is not one of ${RESULT_FORMATS.join(', ')}`;
  }
  if (!accept?.trim()) return 'json';
  const entries = accept.split(',').map((part, order) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = Number(params.find((p) => p.startsWith('q='))?.slice(2) ?? '1');
    return { type, q: Number.isFinite(q) ? q : 0, order };
  });
  entries.sort((a, b) => b.q - a.q || a.order - b.order);
  for (const { type, q } of entries) {
    if (q <= 0) continue;
    if (type === '*/*' || type === 'application/*') return 'json';
    if (type === 'text/*') return 'csv';
    const format = BY_MEDIA_TYPE[type];
    if (format) return format;
  }
  return `none of the accepted types (${accept.slice(0, 100)}) is served: use ${Object.values(FORMAT_CONTENT_TYPES).join(', ')}`;
}

/** What a column holds, the same on every engine (DuckDB's and R2 SQL's type names both map here). */
export type ColumnKind = 'integer' | 'float' | 'boolean' | 'timestamp' | 'string' | 'json';

/** A result column with its type: the engine's own name, and the kind every format encodes by. */
export interface TypedColumn {
  name: string;
  type: string;
  kind: ColumnKind;
}

function kindOfType(type: string): ColumnKind | undefined {
  const t = type.toLowerCase();
  if (/^(u?(big|small|tiny|huge)?int(eger)?\d*|u?int\d+)$/.test(t)) return 'integer';
  if (/^(double|float\d*|real|decimal.*|numeric.*)$/.test(t)) return 'float';
  if (/^bool(ean)?$/.test(t)) return 'boolean';
  if (t.startsWith('timestamp')) return 'timestamp';
  if (/^(varchar|utf8|largeutf8|text|string|uuid)$/.test(t)) return 'string';
  if (
    t === 'json' ||
    t.startsWith('struct') ||
    t.startsWith('map') ||
    t.endsWith('[]') ||
    t.startsWith('list')
  )
    return 'json';
  return undefined;
}

function kindOfValues(rows: readonly Record<string, unknown>[], name: string): ColumnKind {
  let integers = true;
  let seen: ColumnKind | undefined;
  for (const row of rows) {
    const value = row[name];
    if (value === null || value === undefined) continue;
    const kind: ColumnKind =
      typeof value === 'number'
        ? 'float'
        : typeof value === 'boolean'
          ? 'boolean'
          : typeof value === 'string'
            ? 'string'
            : 'json';
    if (kind === 'float' && !Number.isInteger(value)) integers = false;
    if (seen && seen !== kind) return 'json';
    seen = kind;
  }
  if (seen === 'float' && integers) return 'integer';
  return seen ?? 'string';
}

/**
 * Types every column: by the engine's type name when it gives one (DuckDB's `BIGINT`, R2 SQL's
 * `Int64`), else by the values (numbers, booleans, text, anything else as JSON).
 *
 * @example
 * ```ts
 * import { typeColumns } from './result-formats.ts';
 * typeColumns([{ name: 'n', type: 'BIGINT' }, { name: 'x' }], [{ n: 1, x: 0.5 }]).map((c) => c.kind); // ['integer', 'float']
 * ```
 */
export function typeColumns(
  schema: readonly ResultColumn[],
  rows: readonly Record<string, unknown>[],
): TypedColumn[] {
  return schema.map((column) => {
    const kind = (column.type && kindOfType(column.type)) || kindOfValues(rows, column.name);
    return { name: column.name, type: column.type ?? kind, kind };
  });
}

/** A result ready to encode. */
export interface EncodableResult {
  columns: TypedColumn[];
  rows: readonly Record<string, unknown>[];
  metrics?: QueryMetrics;
  /** Extra top-level fields of the JSON answer (`view`, `params`). */
  meta?: Record<string, unknown>;
}

const CHUNK_ROWS = 500;

const rowTexts = (rows: readonly Record<string, unknown>[]): string[] =>
  rows.map((row) => JSON.stringify(row));

/** The JSON answer's chunks: its head, the rows 500 at a time, then the metrics and the closing. */
function* jsonChunks(result: EncodableResult): Generator<string> {
  const head = {
    success: true,
    errors: [],
    ...result.meta,
  };
  const opening = JSON.stringify(head).slice(0, -1);
  const schema = JSON.stringify(result.columns);
  yield `${opening},"result":{"schema":${schema},"rows":[`;
  for (let i = 0; i < result.rows.length; i += CHUNK_ROWS) {
    // One stringify of the chunk's array (its brackets cut) is the rows' texts joined by commas,
    // in one native call rather than one a row.
    yield (i > 0 ? ',' : '') + JSON.stringify(result.rows.slice(i, i + CHUNK_ROWS)).slice(1, -1);
  }
  yield `],"metrics":${JSON.stringify(result.metrics ?? {})}}}`;
}

function* ndjsonChunks(result: EncodableResult): Generator<string> {
  for (let i = 0; i < result.rows.length; i += CHUNK_ROWS)
    yield `${rowTexts(result.rows.slice(i, i + CHUNK_ROWS)).join('\n')}\n`;
}

/** A CSV value's text: empty for null, JSON for objects. */
const csvText = (value: unknown): string =>
  value === null || value === undefined
    ? ''
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);

/** What makes a CSV field quoted (RFC 4180): a comma, quote, CR or LF. */
const CSV_SPECIAL = /[",\r\n]/;

/** One CSV field, quoted when it holds a special character. */
const csvQuoted = (text: string): string =>
  CSV_SPECIAL.test(text) ? `"${text.replaceAll('"', '""')}"` : text;

function* csvChunks(result: EncodableResult): Generator<string> {
  const names = result.columns.map((c) => c.name);
  yield `${names.map(csvQuoted).join(',')}\r\n`;
  for (let i = 0; i < result.rows.length; i += CHUNK_ROWS) {
    const rows = result.rows.slice(i, i + CHUNK_ROWS);
    // A column's texts, tested for a character that needs quoting once for the whole chunk: most
    // columns (numbers, times, ids) have none, and their fields go out as they are.
    const columns = names.map((name) => {
      const texts = rows.map((row) => csvText(row[name]));
      return CSV_SPECIAL.test(texts.join('')) ? texts.map(csvQuoted) : texts;
    });
    let text = '';
    for (let r = 0; r < rows.length; r++) {
      for (let c = 0; c < columns.length; c++) text += (c > 0 ? ',' : '') + columns[c]![r];
      text += '\r\n';
    }
    yield text;
  }
}

/**
 * The text chunks of a result in a text format (JSON in R2 SQL's answer shape with typed columns,
 * NDJSON one row a line, CSV per RFC 4180 with a header and CRLF), 500 rows a chunk.
 *
 * @example
 * ```ts
 * import { textChunks } from './result-formats.ts';
 * [...textChunks('csv', { columns: [{ name: 'a', type: 'VARCHAR', kind: 'string' }], rows: [{ a: 'x,y' }] })].join(''); // 'a\r\n"x,y"\r\n'
 * ```
 */
export function textChunks(
  format: Exclude<ResultFormat, 'arrow'>,
  result: EncodableResult,
): Iterable<string> {
  if (format === 'json') return jsonChunks(result);
  if (format === 'ndjson') return ndjsonChunks(result);
  return csvChunks(result);
}

/**
 * A byte stream read from an iterable of chunks, one chunk per pull, so a large result is encoded as
 * the client reads it, not buffered whole.
 *
 * @example
 * ```ts
 * import { streamOf } from './result-formats.ts';
 * await new Response(streamOf(['a', 'b'])).text(); // 'ab'
 * ```
 */
export function streamOf(chunks: Iterable<string | Uint8Array>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = chunks[Symbol.iterator]();
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(typeof next.value === 'string' ? encoder.encode(next.value) : next.value);
    },
    cancel() {
      iterator.return?.();
    },
  });
}
