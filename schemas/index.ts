/**
 * Row contracts: the local DDL inside each Durable Object, the global rows, and everything derived
 * from them. Imports nothing else of this project.
 *
 * @module
 */
export { type ColumnInfo, type ColumnMeta, col, columnsOf, type LakeType, lakeColumns } from './columns.ts';
export { arrowTypeOf, toArrowSchema } from './derive/to-arrow-schema.ts';
export { duckDbTypeOf, toDuckDbColumns } from './derive/to-duckdb-ddl.ts';
export { type PipelinesField, toPipelinesSchema } from './derive/to-pipelines-schema.ts';
export {
  ACTION_STATUSES,
  DURABILITIES,
  EVENTS_SCHEMA_VERSION,
  type EventRow,
  eventRow,
} from './events.ts';
export { LOCAL_MIGRATIONS, LOCAL_SCHEMA_VERSION, type LocalMigration, META_TABLE } from './local-ddl.ts';
export { TABLES, type TableName } from './tables.ts';
