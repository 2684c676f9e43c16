/**
 * The Avro schemas of Iceberg v2 manifest lists (`manifest_file`) and manifests (`manifest_entry`),
 * with the field ids the spec assigns. Kept as plain objects so `field-id` reaches the file header.
 *
 * @module
 */

const optional = (name: string, id: number, type: unknown) => ({
  name,
  type: ['null', type],
  default: null,
  'field-id': id,
});

// Iceberg stores maps with non-string keys as arrays of key/value records tagged logicalType "map".
const intMap = (name: string, id: number, keyId: number, valueId: number, value: 'long' | 'bytes') =>
  optional(name, id, {
    type: 'array',
    logicalType: 'map',
    items: {
      type: 'record',
      name: `k${keyId}_v${valueId}`,
      fields: [
        { name: 'key', type: 'int', 'field-id': keyId },
        { name: 'value', type: value, 'field-id': valueId },
      ],
    },
  });

/**
 * Avro schema of one entry of a v2 manifest list.
 *
 * @example
 * ```ts
 * import { encodeAvroContainer } from './avro-container.ts';
 * import { MANIFEST_FILE_SCHEMA } from './manifest-schemas.ts';
 * encodeAvroContainer(MANIFEST_FILE_SCHEMA, manifestFiles, { 'format-version': '2' });
 * ```
 */
export const MANIFEST_FILE_SCHEMA = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    { name: 'manifest_path', type: 'string', 'field-id': 500 },
    { name: 'manifest_length', type: 'long', 'field-id': 501 },
    { name: 'partition_spec_id', type: 'int', 'field-id': 502 },
    { name: 'content', type: 'int', 'field-id': 517 },
    { name: 'sequence_number', type: 'long', 'field-id': 515 },
    { name: 'min_sequence_number', type: 'long', 'field-id': 516 },
    { name: 'added_snapshot_id', type: 'long', 'field-id': 503 },
    { name: 'added_files_count', type: 'int', 'field-id': 504 },
    { name: 'existing_files_count', type: 'int', 'field-id': 505 },
    { name: 'deleted_files_count', type: 'int', 'field-id': 506 },
    { name: 'added_rows_count', type: 'long', 'field-id': 512 },
    { name: 'existing_rows_count', type: 'long', 'field-id': 513 },
    { name: 'deleted_rows_count', type: 'long', 'field-id': 514 },
    optional('partitions', 507, {
      type: 'array',
      'element-id': 508,
      items: {
        type: 'record',
        name: 'r508',
        fields: [
          { name: 'contains_null', type: 'boolean', 'field-id': 509 },
          optional('contains_nan', 518, 'boolean'),
          optional('lower_bound', 510, 'bytes'),
          optional('upper_bound', 511, 'bytes'),
        ],
      },
    }),
    optional('key_metadata', 519, 'bytes'),
  ],
} as const;

/**
 * Avro schema of one entry of a v2 manifest of an unpartitioned table (the partition struct is
 * empty). Column statistics (value and null counts, lower and upper bounds) are optional.
 *
 * @example
 * ```ts
 * import { encodeAvroContainer } from './avro-container.ts';
 * import { MANIFEST_ENTRY_SCHEMA } from './manifest-schemas.ts';
 * encodeAvroContainer(MANIFEST_ENTRY_SCHEMA, entries, { 'format-version': '2', content: 'data' });
 * ```
 */
export const MANIFEST_ENTRY_SCHEMA = {
  type: 'record',
  name: 'manifest_entry',
  fields: [
    { name: 'status', type: 'int', 'field-id': 0 },
    optional('snapshot_id', 1, 'long'),
    optional('sequence_number', 3, 'long'),
    optional('file_sequence_number', 4, 'long'),
    {
      name: 'data_file',
      'field-id': 2,
      type: {
        type: 'record',
        name: 'r2',
        fields: [
          { name: 'content', type: 'int', 'field-id': 134 },
          { name: 'file_path', type: 'string', 'field-id': 100 },
          { name: 'file_format', type: 'string', 'field-id': 101 },
          { name: 'partition', type: { type: 'record', name: 'r102', fields: [] }, 'field-id': 102 },
          { name: 'record_count', type: 'long', 'field-id': 103 },
          { name: 'file_size_in_bytes', type: 'long', 'field-id': 104 },
          intMap('column_sizes', 108, 117, 118, 'long'),
          intMap('value_counts', 109, 119, 120, 'long'),
          intMap('null_value_counts', 110, 121, 122, 'long'),
          intMap('nan_value_counts', 137, 138, 139, 'long'),
          intMap('lower_bounds', 125, 126, 127, 'bytes'),
          intMap('upper_bounds', 128, 129, 130, 'bytes'),
          optional('key_metadata', 131, 'bytes'),
          optional('split_offsets', 132, { type: 'array', items: 'long', 'element-id': 133 }),
          optional('equality_ids', 135, { type: 'array', items: 'int', 'element-id': 136 }),
          optional('sort_order_id', 140, 'int'),
        ],
      },
    },
  ],
} as const;
