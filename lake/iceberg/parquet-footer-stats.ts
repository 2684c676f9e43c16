import type { ColumnStats } from './column-stats.ts';
import type { IcebergPrimitive, IcebergSchema } from './iceberg-schema.ts';

/** A value of Thrift's compact protocol: a struct is its fields by id. */
type ThriftValue = bigint | number | boolean | Uint8Array | ThriftValue[] | Map<number, ThriftValue>;

/** Reads Thrift compact-protocol values from a byte range (the Parquet footer is one struct). */
class CompactReader {
  private at = 0;
  constructor(private readonly bytes: Uint8Array) {}

  private byte(): number {
    if (this.at >= this.bytes.length) throw new Error('parquet footer: truncated');
    return this.bytes[this.at++]!;
  }

  private varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new Error('parquet footer: varint too long');
  }

  private zigzag(): bigint {
    const n = this.varint();
    return (n >> 1n) ^ -(n & 1n);
  }

  value(type: number, depth: number): ThriftValue {
    if (depth > 32) throw new Error('parquet footer: nested too deeply');
    switch (type) {
      case 1:
        return true;
      case 2:
        return false;
      case 3:
        return (this.byte() << 24) >> 24;
      case 4:
      case 5:
        return Number(this.zigzag());
      case 6:
        return this.zigzag();
      case 7: {
        const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.at, 8);
        this.at += 8;
        return view.getFloat64(0, true);
      }
      case 8: {
        const length = Number(this.varint());
        if (this.at + length > this.bytes.length) throw new Error('parquet footer: truncated');
        const slice = this.bytes.subarray(this.at, this.at + length);
        this.at += length;
        return slice;
      }
      case 9:
      case 10:
        return this.list(depth);
      case 12:
        return this.struct(depth);
      default:
        throw new Error(`parquet footer: unsupported thrift type ${type}`);
    }
  }

  private list(depth: number): ThriftValue[] {
    const header = this.byte();
    let size = header >> 4;
    if (size === 15) size = Number(this.varint());
    const type = header & 0x0f;
    const items: ThriftValue[] = [];
    // A boolean element is one byte in a list (1 true, otherwise false).
    for (let i = 0; i < size; i++)
      items.push(type === 1 || type === 2 ? this.byte() === 1 : this.value(type, depth + 1));
    return items;
  }

  struct(depth: number): Map<number, ThriftValue> {
    const fields = new Map<number, ThriftValue>();
    let id = 0;
    for (;;) {
      const header = this.byte();
      if (header === 0) return fields;
      const delta = header >> 4;
      id = delta === 0 ? Number(this.zigzag()) : id + delta;
      fields.set(id, this.value(header & 0x0f, depth + 1));
    }
  }
}

/** Parquet physical types (the footer's `Type` enum) each Iceberg type's bounds are read from. */
const PHYSICAL: Partial<Record<IcebergPrimitive, number>> = {
  boolean: 0,
  int: 1,
  long: 2,
  timestamptz: 2,
  double: 5,
};
const TIMESTAMP_MICROS = 10;

const field = (s: ThriftValue | undefined, id: number): ThriftValue | undefined =>
  s instanceof Map ? s.get(id) : undefined;
const text = (v: ThriftValue | undefined): string | undefined =>
  v instanceof Uint8Array ? new TextDecoder().decode(v) : undefined;

/** Is a schema element a timestamp in microseconds (converted type, or logical type's unit)? */
function isMicros(element: ThriftValue): boolean {
  if (field(element, 6) === TIMESTAMP_MICROS) return true;
  const unit = field(field(field(element, 10), 8), 2);
  return unit instanceof Map && unit.has(2);
}

function compareBound(type: IcebergPrimitive, a: Uint8Array, b: Uint8Array): number {
  const view = (x: Uint8Array) => new DataView(x.buffer, x.byteOffset, x.byteLength);
  if (type === 'long' || type === 'timestamptz') {
    const [x, y] = [view(a).getBigInt64(0, true), view(b).getBigInt64(0, true)];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (type === 'int') return view(a).getInt32(0, true) - view(b).getInt32(0, true);
  if (type === 'double') return view(a).getFloat64(0, true) - view(b).getFloat64(0, true);
  return a[0]! - b[0]!;
}

const SIZES: Partial<Record<IcebergPrimitive, number>> = {
  boolean: 1,
  int: 4,
  long: 8,
  timestamptz: 8,
  double: 8,
};

/** A bound's bytes if it has the type's size and is a number (Parquet writes the same LE encoding). */
function usable(type: IcebergPrimitive, bytes: ThriftValue | undefined): Uint8Array | null {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength !== SIZES[type]) return null;
  if (type === 'double' && Number.isNaN(new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true)))
    return null;
  return new Uint8Array(bytes);
}

/**
 * Column statistics of a Parquet file from its footer alone (the file's last `8 + footer` bytes):
 * value and null counts, and for fixed-width columns (int, long, double, boolean, timestamptz in
 * microseconds) the lower and upper bounds from the row groups' min/max statistics — Parquet stores
 * them in the same little-endian form Iceberg does. A column some row group has no statistics for
 * gets no bounds; string columns get counts only.
 *
 * @example
 * ```ts
 * import { footerColumnStats } from './parquet-footer-stats.ts';
 * footerColumnStats(schema, footerBytes).lower_bounds.get(6); // the earliest ts
 * ```
 */
export function footerColumnStats(schema: IcebergSchema, footer: Uint8Array): ColumnStats {
  const meta = new CompactReader(footer).struct(0);
  const elements = (field(meta, 2) as ThriftValue[] | undefined) ?? [];
  const byName = new Map(elements.map((e) => [text(field(e, 4)), e] as const));
  const stats: ColumnStats = {
    value_counts: new Map(),
    null_value_counts: new Map(),
    lower_bounds: new Map(),
    upper_bounds: new Map(),
  };
  const noBounds = new Set<number>();
  const noNulls = new Set<number>();
  for (const group of (field(meta, 4) as ThriftValue[] | undefined) ?? []) {
    for (const chunk of (field(group, 1) as ThriftValue[] | undefined) ?? []) {
      const column = field(chunk, 3);
      const path = field(column, 3) as ThriftValue[] | undefined;
      if (path?.length !== 1) continue;
      const f = schema.fields.find((x) => x.name === text(path[0]));
      if (!f) continue;
      const s = field(column, 12);
      const add = (map: Map<number, number>, v: ThriftValue | undefined) => {
        if (typeof v === 'bigint' || typeof v === 'number') map.set(f.id, (map.get(f.id) ?? 0) + Number(v));
      };
      add(stats.value_counts, field(column, 5));
      if (field(s, 3) === undefined) noNulls.add(f.id);
      add(stats.null_value_counts, field(s, 3));
      const physical = PHYSICAL[f.type];
      const element = byName.get(f.name);
      const typed =
        physical !== undefined &&
        field(column, 1) === physical &&
        (f.type !== 'timestamptz' || (element !== undefined && isMicros(element)));
      const low = typed ? usable(f.type, field(s, 6)) : null;
      const high = typed ? usable(f.type, field(s, 5)) : null;
      if (!low || !high) {
        noBounds.add(f.id);
        continue;
      }
      const lower = stats.lower_bounds.get(f.id);
      const upper = stats.upper_bounds.get(f.id);
      if (!lower || compareBound(f.type, low, lower) < 0) stats.lower_bounds.set(f.id, low);
      if (!upper || compareBound(f.type, high, upper) > 0) stats.upper_bounds.set(f.id, high);
    }
  }
  for (const id of noNulls) stats.null_value_counts.delete(id);
  for (const id of noBounds) {
    stats.lower_bounds.delete(id);
    stats.upper_bounds.delete(id);
  }
  return stats;
}

/**
 * The Thrift footer of a Parquet file given its last bytes (at least `footer + 8`), or null when they
 * do not end a Parquet file.
 *
 * @example
 * ```ts
 * import { parquetFooter } from './parquet-footer-stats.ts';
 * parquetFooter(readFileSync(path)); // the FileMetaData bytes
 * ```
 */
export function parquetFooter(tail: Uint8Array): Uint8Array | null {
  const n = tail.byteLength;
  if (n < 8 || new TextDecoder().decode(tail.subarray(n - 4)) !== 'PAR1') return null;
  const length = new DataView(tail.buffer, tail.byteOffset + n - 8, 4).getUint32(0, true);
  if (length + 8 > n) return null;
  return tail.subarray(n - 8 - length, n - 8);
}
