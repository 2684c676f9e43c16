import {
  Bool,
  type DataType,
  Field,
  Float64,
  Int64,
  makeData,
  RecordBatch,
  RecordBatchStreamWriter,
  Schema,
  Struct,
  TimestampMicrosecond,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { utf8Buffers, validityOf } from '../../lake/parquet/arrow-buffers.ts';
import type { ColumnKind, EncodableResult, TypedColumn } from './result-formats.ts';

const BATCH_ROWS = 10_000;
const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

const digit = (text: string, at: number): number => {
  const code = text.charCodeAt(at) - 48;
  return code >= 0 && code <= 9 ? code : Number.NaN;
};
const twoDigits = (text: string, at: number): number => digit(text, at) * 10 + digit(text, at + 1);

/**
 * The engines' own form, `YYYY-MM-DD[T ]HH:MM:SS[.f…]` in UTC (`Z`, `+00`, `+00:00` or none), read
 * digit by digit: the regex and `Date.parse` of the general path cost more than the rest of an
 * Arrow column. Anything else (another offset, a field out of range) is left to the general path.
 */
function utcMicros(text: string): number | undefined {
  if (text.length < 19 || text[4] !== '-' || text[7] !== '-' || text[13] !== ':' || text[16] !== ':')
    return undefined;
  if (text[10] !== 'T' && text[10] !== ' ') return undefined;
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  if (!(year >= 100)) return undefined; // Date.UTC reads years 0–99 as 1900–1999
  const [month, day] = [twoDigits(text, 5), twoDigits(text, 8)];
  const [hour, minute, second] = [twoDigits(text, 11), twoDigits(text, 14), twoDigits(text, 17)];
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 28 && hour <= 23 && minute <= 59 && second <= 59))
    return undefined; // NaN fails too; days 29–31 go the general way, which knows each month's length
  let at = 19;
  let micros = 0;
  if (text[at] === '.') {
    let scale = 100_000;
    for (at++; at < text.length && digit(text, at) >= 0; at++) {
      micros += digit(text, at) * scale;
      scale /= 10;
    }
    if (at === 20 || at > 29) return undefined;
    micros = Math.floor(micros);
  }
  const zone = text.slice(at);
  if (zone !== '' && zone !== 'Z' && zone !== '+00' && zone !== '+00:00') return undefined;
  const value = Date.UTC(year, month - 1, day, hour, minute, second) * 1000 + micros;
  return Number.isSafeInteger(value) ? value : undefined;
}

/** An ISO timestamp as epoch microseconds, keeping the µs the text carries (a Date would drop them). */
function toMicros(value: unknown): bigint | null {
  if (typeof value === 'number') return BigInt(Math.round(value * 1000));
  if (typeof value !== 'string') return null;
  const fast = utcMicros(value);
  if (fast !== undefined) return BigInt(fast);
  const match = ISO.exec(value);
  if (!match) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : BigInt(ms) * 1000n;
  }
  const [, date, time, fraction = '', zone = 'Z'] = match;
  const offset =
    zone === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.replace(/(\d{2})(\d{2})$/, '$1:$2');
  const seconds = Date.parse(`${date}T${time}${offset}`);
  if (Number.isNaN(seconds)) return null;
  return BigInt(seconds) * 1000n + BigInt(fraction.padEnd(6, '0').slice(0, 6));
}

function toInt64(value: unknown): bigint | null {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) return BigInt(value);
  return null;
}

const ARROW_TYPES: Record<ColumnKind, () => DataType> = {
  integer: () => new Int64(),
  float: () => new Float64(),
  boolean: () => new Bool(),
  timestamp: () => new TimestampMicrosecond('UTC'),
  string: () => new Utf8(),
  json: () => new Utf8(),
};

/** A 64-bit column (integers, µs timestamps) built from BigInts directly, with a validity bitmap. */
function wideData(type: DataType, values: (bigint | null)[]) {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) if (values[i] !== null) data[i] = BigInt.asIntN(64, values[i]!);
  return makeData({ type, length: values.length, ...validityOf(values), data } as never);
}

/** A Float64 column written straight into its buffer. */
function floatData(type: DataType, values: (number | null)[]) {
  const data = Float64Array.from(values, (v) => v ?? 0);
  return makeData({ type, length: values.length, ...validityOf(values), data } as never);
}

/** A Utf8 column from the lake's hand-laid buffers (apache-arrow's builder is the slow part of an answer). */
function utf8Data(type: DataType, values: (string | null)[]) {
  return makeData({ type, length: values.length, ...validityOf(values), ...utf8Buffers(values) } as never);
}

function columnData(column: TypedColumn, rows: readonly Record<string, unknown>[]) {
  const type = ARROW_TYPES[column.kind]();
  const raw = rows.map((row) => row[column.name] ?? null);
  if (column.kind === 'integer') return wideData(type, raw.map(toInt64));
  if (column.kind === 'timestamp') return wideData(type, raw.map(toMicros));
  if (column.kind === 'float')
    return floatData(
      type,
      raw.map((v) => (v === null ? null : Number(v))),
    );
  if (column.kind === 'boolean')
    return vectorFromArray(
      raw.map((v) => (v === null ? null : Boolean(v))),
      type,
    ).data[0]!;
  return utf8Data(
    type,
    raw.map((v) => (v === null ? null : typeof v === 'string' ? v : JSON.stringify(v))),
  );
}

/**
 * The result as an Arrow IPC stream: one schema message, then record batches of 10,000 rows built as
 * the stream is read. Integers are Int64, floats Float64, timestamps Timestamp(µs, UTC) (the µs the
 * engine gave are kept), JSON values and text Utf8.
 *
 * @example
 * ```ts
 * import { arrowChunks } from './arrow-chunks.ts';
 * import { streamOf } from './result-formats.ts';
 * const body = streamOf(arrowChunks({ columns: [{ name: 'n', type: 'BIGINT', kind: 'integer' }], rows: [{ n: 1 }] }));
 * ```
 */
export function* arrowChunks(result: EncodableResult): Generator<Uint8Array> {
  const fields = result.columns.map((c) => new Field(c.name, ARROW_TYPES[c.kind](), true));
  const schema = new Schema(fields);
  const writer = new RecordBatchStreamWriter();
  writer.reset(undefined, schema);
  // The writer queues each message it wrote until read; taking the queue after every batch sends the
  // stream as it is built (apache-arrow's sync API has no other way to read a part; the version is pinned).
  const queue = (writer as unknown as { _sink?: { _values?: Uint8Array[] } })._sink?._values;
  const drain = function* () {
    if (Array.isArray(queue)) yield* queue.splice(0);
  };
  for (let i = 0; i < result.rows.length || i === 0; i += BATCH_ROWS) {
    const rows = result.rows.slice(i, i + BATCH_ROWS);
    const children = result.columns.map((column) => columnData(column, rows));
    const data = makeData({ type: new Struct(fields), length: rows.length, nullCount: 0, children });
    writer.write(new RecordBatch(schema, data));
    yield* drain();
    if (rows.length === 0) break;
  }
  writer.finish();
  yield* drain();
  if (!Array.isArray(queue)) yield writer.toUint8Array(true);
}
