import type { IcebergField, IcebergSchema } from './iceberg-schema.ts';
import { logMetadataFile, type TableMetadata } from './table-metadata.ts';

const describe = (f: IcebergField): string =>
  `${f.id}:${f.name}:${f.type}:${f.required ? 'required' : 'optional'}`;

/**
 * The columns `wanted` adds to `current`; empty when they are the same. The only evolution allowed is
 * appending optional columns with new ids (what a new nullable/optional zod column produces); anything
 * else — a removed, renamed, retyped or re-ordered column, or a new required one — is an error naming
 * the column, because old data files could not be read under the new schema.
 *
 * @example
 * ```ts
 * import { addedColumns } from './schema-evolution.ts';
 * addedColumns('events', current, wanted).map((f) => f.name); // ['note']
 * ```
 */
export function addedColumns(where: string, current: IcebergSchema, wanted: IcebergSchema): IcebergField[] {
  current.fields.forEach((field, i) => {
    const next = wanted.fields[i];
    if (!next)
      throw new Error(
        `${where}: column ${describe(field)} is missing from the new schema; columns cannot be removed`,
      );
    if (describe(next) !== describe(field)) {
      throw new Error(
        `${where}: column ${describe(field)} became ${describe(next)}; only appending optional columns is supported`,
      );
    }
  });
  const lastId = Math.max(0, ...current.fields.map((f) => f.id));
  const added = wanted.fields.slice(current.fields.length);
  for (const field of added) {
    if (field.required)
      throw new Error(
        `${where}: new column ${describe(field)} must be optional (old files have no value for it)`,
      );
    if (field.id <= lastId)
      throw new Error(`${where}: new column ${describe(field)} reuses a field id (last is ${lastId})`);
  }
  return added;
}

/**
 * The next metadata with `schema` as a new current schema (the old ones stay, for old snapshots).
 *
 * @example
 * ```ts
 * import { withSchema } from './schema-evolution.ts';
 * const next = withSchema(metadata, wanted, 'file:///t/metadata/v3.metadata.json');
 * ```
 */
export function withSchema(
  metadata: TableMetadata,
  schema: IcebergSchema,
  previousMetadataFile: string,
): TableMetadata {
  const schemaId = Math.max(...metadata.schemas.map((s) => s['schema-id'])) + 1;
  const now = Math.max(Date.now(), metadata['last-updated-ms']);
  return {
    ...metadata,
    'last-updated-ms': now,
    'last-column-id': Math.max(metadata['last-column-id'], ...schema.fields.map((f) => f.id)),
    'current-schema-id': schemaId,
    schemas: [...metadata.schemas, { ...schema, 'schema-id': schemaId }],
    'metadata-log': logMetadataFile(metadata, previousMetadataFile),
  };
}
