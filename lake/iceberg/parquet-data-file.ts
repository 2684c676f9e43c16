import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import type { IcebergPrimitive, IcebergSchema } from './iceberg-schema.ts';

/**
 * Encodes an Arrow table as a zstd Parquet data file of an Iceberg table: every column carries its
 * Iceberg field id (`PARQUET:field_id`, which the Parquet writer turns into the schema's field_id)
 * and the file's key-value metadata holds `iceberg.schema`, as Iceberg's own writers do.
 *
 * @example
 * ```ts
 * import { rowsToArrow } from '../parquet/rows-to-arrow.ts';
 * import { encodeDataFile } from './parquet-data-file.ts';
 * const bytes = encodeDataFile(toIcebergSchema(eventRow), rowsToArrow(eventRow, rows));
 * ```
 */
export function encodeDataFile(schema: IcebergSchema, table: arrow.Table): Uint8Array {
  const fields = schema.fields.map((field) => {
    const column = table.schema.fields.find((f) => f.name === field.name);
    if (!column) throw new Error(`data file: column "${field.name}" (field id ${field.id}) is missing`);
    return new arrow.Field(
      field.name,
      column.type,
      !field.required,
      new Map([['PARQUET:field_id', String(field.id)]]),
    );
  });
  const extra = table.schema.fields.find((f) => !schema.fields.some((field) => field.name === f.name));
  if (extra) throw new Error(`data file: column "${extra.name}" is not in the table schema`);
  const withIds = new arrow.Schema(fields);
  const batches = table.batches.map(
    (batch) =>
      new arrow.RecordBatch(
        withIds,
        arrow.makeData({
          type: new arrow.Struct(fields),
          length: batch.numRows,
          nullCount: 0,
          children: fields.map((f) => batch.getChild(f.name)!.data[0]!),
        }),
      ),
  );
  const ipc = arrow.tableToIPC(new arrow.Table(withIds, batches), 'stream');
  const properties = new parquet.WriterPropertiesBuilder()
    .setCompression(parquet.Compression.ZSTD)
    .setKeyValueMetadata(new Map([['iceberg.schema', JSON.stringify(schema)]]))
    .build();
  return parquet.writeParquet(parquet.Table.fromIPCStream(ipc), properties);
}

/**
 * Decodes a Parquet file into an Arrow table (timestamps and int64 stay exact).
 *
 * @example
 * ```ts
 * import { readFileSync } from 'node:fs';
 * import { decodeDataFile } from './parquet-data-file.ts';
 * decodeDataFile(readFileSync(path)).numRows;
 * ```
 */
export function decodeDataFile(bytes: Uint8Array): arrow.Table {
  return arrow.tableFromIPC(parquet.readParquet(bytes).intoIPCStream());
}

const ARROW_TYPES: Record<IcebergPrimitive, () => arrow.DataType> = {
  string: () => new arrow.Utf8(),
  int: () => new arrow.Int32(),
  long: () => new arrow.Int64(),
  double: () => new arrow.Float64(),
  boolean: () => new arrow.Bool(),
  timestamptz: () => new arrow.TimestampMicrosecond('UTC'),
};

/**
 * Projects a data file's rows onto a (newer) table schema: columns are matched by name, and a column
 * the file predates reads as nulls. Used before merging files written under different schemas.
 *
 * @example
 * ```ts
 * import { alignToSchema, decodeDataFile } from './parquet-data-file.ts';
 * const aligned = alignToSchema(decodeDataFile(bytes), table.schema());
 * ```
 */
export function alignToSchema(table: arrow.Table, schema: IcebergSchema): arrow.Table {
  const columns: Record<string, arrow.Vector> = {};
  for (const field of schema.fields) {
    const column = table.getChild(field.name);
    if (column) {
      columns[field.name] = column;
      continue;
    }
    columns[field.name] = arrow.vectorFromArray(
      new Array(table.numRows).fill(null),
      ARROW_TYPES[field.type](),
    );
  }
  return new arrow.Table(columns);
}
