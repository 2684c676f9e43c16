import type * as arrow from 'apache-arrow';
import type { IcebergPrimitive, IcebergSchema } from './iceberg-schema.ts';

/**
 * Per-column statistics of a data file, by Iceberg field id, as a manifest carries them: values and
 * nulls counted, and lower/upper bounds of the non-null values in Iceberg's single-value binary
 * serialization (int 4-byte and long/timestamptz 8-byte little-endian, double IEEE 754 little-endian,
 * boolean one byte, string UTF-8 truncated to 16 characters with the upper bound rounded up).
 */
export interface ColumnStats {
  value_counts: Map<number, number>;
  null_value_counts: Map<number, number>;
  lower_bounds: Map<number, Uint8Array>;
  upper_bounds: Map<number, Uint8Array>;
}

/** Characters a string bound keeps (Iceberg's default `truncate(16)` metrics mode). */
const STRING_BOUND_CHARS = 16;

type Value = bigint | number | boolean | string;

/** The typed array a fixed-width Iceberg type's Arrow buffer must be to be read directly. */
const BUFFERS: Partial<Record<IcebergPrimitive, new (n: number) => ArrayLike<Value>>> = {
  int: Int32Array,
  long: BigInt64Array,
  timestamptz: BigInt64Array,
  double: Float64Array,
};

/** Min and max of a column's non-null, non-NaN values, and how many were null. */
function extremes(
  vector: arrow.Vector,
  type: IcebergPrimitive,
): { min: Value | null; max: Value | null; nulls: number } {
  let min: Value | null = null;
  let max: Value | null = null;
  let nulls = 0;
  let base = 0;
  let unknown = false;
  const buffer = BUFFERS[type];
  for (const data of vector.data) {
    // Fixed-width columns read their buffer (timestamps stay exact µs); others the vector's accessor.
    const raw = buffer && data.values instanceof buffer ? (data.values as ArrayLike<Value>) : null;
    // A fixed-width column in another buffer (timestamps as milliseconds, say) gets no bounds.
    if (buffer && !raw) unknown = true;
    for (let i = 0; i < data.length; i++) {
      if (data.nullCount > 0 && !isValid(data, i)) {
        nulls++;
        continue;
      }
      const value = raw ? raw[data.offset + i]! : (vector.get(base + i) as Value | null);
      if (value === null || (typeof value === 'number' && Number.isNaN(value))) continue;
      if (min === null || value < min) min = value;
      if (max === null || value > max) max = value;
    }
    base += data.length;
  }
  return unknown ? { min: null, max: null, nulls } : { min, max, nulls };
}

function isValid(data: arrow.Data, i: number): boolean {
  const bitmap = data.nullBitmap;
  if (!bitmap || bitmap.length === 0) return true;
  const at = data.offset + i;
  return ((bitmap[at >> 3]! >> (at & 7)) & 1) === 1;
}

function encodeBound(type: IcebergPrimitive, value: Value, side: 'lower' | 'upper'): Uint8Array | null {
  const view = (size: number) => new DataView(new ArrayBuffer(size));
  switch (type) {
    case 'int': {
      const v = view(4);
      v.setInt32(0, Number(value), true);
      return new Uint8Array(v.buffer);
    }
    case 'long':
    case 'timestamptz': {
      const v = view(8);
      v.setBigInt64(0, typeof value === 'bigint' ? value : BigInt(value as number), true);
      return new Uint8Array(v.buffer);
    }
    case 'double': {
      const v = view(8);
      v.setFloat64(0, Number(value), true);
      return new Uint8Array(v.buffer);
    }
    case 'boolean':
      return new Uint8Array([value ? 1 : 0]);
    case 'string':
      return stringBound(String(value), side);
  }
}

/** A string bound truncated to 16 characters; a truncated upper bound has its last character raised. */
function stringBound(text: string, side: 'lower' | 'upper'): Uint8Array | null {
  const chars = [...text];
  if (chars.length <= STRING_BOUND_CHARS) return new TextEncoder().encode(text);
  const kept = chars.slice(0, STRING_BOUND_CHARS);
  if (side === 'lower') return new TextEncoder().encode(kept.join(''));
  for (let k = kept.length - 1; k >= 0; k--) {
    const next = kept[k]!.codePointAt(0)! + 1;
    if (next > 0x10ffff || (next >= 0xd800 && next <= 0xdfff)) continue;
    return new TextEncoder().encode(kept.slice(0, k).join('') + String.fromCodePoint(next));
  }
  return null;
}

/**
 * The statistics of a data file's rows for its manifest entry: for each schema field present in the
 * table, the value and null counts and, when it has a non-null value, its lower and upper bounds.
 *
 * @example
 * ```ts
 * import { columnStats } from './column-stats.ts';
 * const stats = columnStats(toIcebergSchema(eventRow), rowsToArrow(eventRow, rows));
 * stats.lower_bounds.get(6); // the earliest ts, 8 bytes little-endian µs
 * ```
 */
export function columnStats(schema: IcebergSchema, table: arrow.Table): ColumnStats {
  const stats: ColumnStats = {
    value_counts: new Map(),
    null_value_counts: new Map(),
    lower_bounds: new Map(),
    upper_bounds: new Map(),
  };
  for (const field of schema.fields) {
    const vector = table.getChild(field.name);
    if (!vector) continue;
    const { min, max, nulls } = extremes(vector, field.type);
    stats.value_counts.set(field.id, vector.length);
    stats.null_value_counts.set(field.id, nulls);
    if (min === null || max === null) continue;
    const lower = encodeBound(field.type, min, 'lower');
    const upper = encodeBound(field.type, max, 'upper');
    if (lower) stats.lower_bounds.set(field.id, lower);
    if (upper) stats.upper_bounds.set(field.id, upper);
  }
  return stats;
}

/**
 * A timestamptz or long bound as written in a manifest (8 bytes little-endian), or null for any other
 * length.
 *
 * @example
 * ```ts
 * import { decodeLongBound } from './column-stats.ts';
 * decodeLongBound(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0])); // 1n
 * ```
 */
export function decodeLongBound(bytes: Uint8Array | undefined): bigint | null {
  if (bytes?.byteLength !== 8) return null;
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigInt64(0, true);
}
