import { inflateRawSync } from 'node:zlib';
import avro from 'avsc';

/** An Avro object container file, decoded. */
export interface AvroContainer<T = Record<string, unknown>> {
  /** The writer's schema, exactly as stored in the header (with Iceberg's `field-id` attributes). */
  schema: unknown;
  /** Header metadata other than `avro.schema` and `avro.codec`, as text. */
  meta: Record<string, string>;
  records: T[];
}

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]); // "Obj" 1
const HEADER = avro.Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});
const LONG = avro.Type.forSchema('long');

/**
 * Encodes records as an Avro object container file (codec `null`, one block). The schema object is
 * written to the header as given, so attributes avsc does not know (`field-id`, `element-id`,
 * `logicalType: 'map'`) survive for Iceberg readers. An empty record list still gets a full header.
 *
 * @example
 * ```ts
 * import { encodeAvroContainer } from './avro-container.ts';
 * const bytes = encodeAvroContainer({ type: 'record', name: 'r', fields: [{ name: 'a', type: 'int' }] }, [{ a: 1 }]);
 * ```
 */
export function encodeAvroContainer(
  schema: object,
  records: readonly unknown[],
  meta: Record<string, string> = {},
): Uint8Array {
  const type = avro.Type.forSchema(schema as avro.Schema);
  const headerMeta: Record<string, Buffer> = {
    'avro.schema': Buffer.from(JSON.stringify(schema)),
    'avro.codec': Buffer.from('null'),
  };
  for (const [key, value] of Object.entries(meta)) headerMeta[key] = Buffer.from(value);
  const sync = Buffer.from(crypto.getRandomValues(new Uint8Array(16)));
  const parts: Buffer[] = [HEADER.toBuffer({ magic: MAGIC, meta: headerMeta, sync })];
  if (records.length > 0) {
    const body = Buffer.concat(
      records.map((record, index) => {
        try {
          return type.toBuffer(record);
        } catch (cause) {
          throw new Error(`avro record ${index} does not match its schema: ${(cause as Error).message}`);
        }
      }),
    );
    parts.push(LONG.toBuffer(records.length), LONG.toBuffer(body.length), body, sync);
  }
  return new Uint8Array(Buffer.concat(parts));
}

/**
 * Decodes an Avro object container file (codecs `null` and `deflate`) with the writer's schema.
 *
 * @example
 * ```ts
 * import { decodeAvroContainer } from './avro-container.ts';
 * const { records, meta } = decodeAvroContainer(bytes, 'metadata/snap-1.avro');
 * ```
 */
export function decodeAvroContainer<T = Record<string, unknown>>(
  bytes: Uint8Array,
  where = 'avro file',
): AvroContainer<T> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!buf.subarray(0, 4).equals(MAGIC)) throw new Error(`${where}: not an Avro object container file`);
  const header = HEADER.decode(buf, 0);
  const { meta: rawMeta, sync } = header.value as { meta: Record<string, Buffer>; sync: Buffer };
  const schemaText = rawMeta['avro.schema']?.toString('utf8');
  if (!schemaText) throw new Error(`${where}: the header has no avro.schema`);
  const codec = rawMeta['avro.codec']?.toString('utf8') ?? 'null';
  if (codec !== 'null' && codec !== 'deflate') throw new Error(`${where}: unsupported codec "${codec}"`);
  const schema = JSON.parse(schemaText) as object;
  const type = avro.Type.forSchema(schema as avro.Schema);
  const meta: Record<string, string> = {};
  for (const [key, value] of Object.entries(rawMeta)) {
    if (key !== 'avro.schema' && key !== 'avro.codec') meta[key] = value.toString('utf8');
  }
  const records: T[] = [];
  let offset = header.offset;
  while (offset < buf.length) {
    const count = LONG.decode(buf, offset);
    const size = LONG.decode(buf, count.offset);
    const start = size.offset;
    const end = start + (size.value as number);
    if (end + 16 > buf.length) throw new Error(`${where}: block at byte ${offset} is truncated`);
    if (!buf.subarray(end, end + 16).equals(sync)) {
      throw new Error(`${where}: sync marker mismatch after the block at byte ${offset}`);
    }
    const block = codec === 'deflate' ? inflateRawSync(buf.subarray(start, end)) : buf.subarray(start, end);
    let position = 0;
    for (let i = 0; i < (count.value as number); i++) {
      const decoded = type.decode(block, position);
      if (decoded.offset < 0) throw new Error(`${where}: record ${records.length} is truncated`);
      records.push(decoded.value as T);
      position = decoded.offset;
    }
    offset = end + 16;
  }
  return { schema, meta, records };
}
