/**
 * Row contracts: the local DDL inside each Durable Object, the global rows, and everything derived
 * from them. Imports nothing else of this project.
 *
 * @module
 */
export { ACTIONS_SCHEMA_VERSION, type ActionRow, actionRow } from './actions.ts';
export {
  type SchemaChange,
  type SchemaChangeKind,
  type SchemaComparison,
  compareStreamSchemas,
  nextStreamName,
} from './check/compare-stream-schemas.ts';
export { type StreamRecordProblem, validateStreamRecords } from './check/validate-stream-record.ts';
export { CHECKPOINTS_SCHEMA_VERSION, type CheckpointRow, checkpointRow } from './checkpoints.ts';
export {
  type ColumnInfo,
  type ColumnMeta,
  col,
  columnsOf,
  columnsOnce,
  INT64_MAX,
  INT64_MIN,
  type Int64,
  type LakeType,
  lakeColumns,
  toInt64,
} from './columns.ts';
export {
  ACTIONS_FROM_EVENTS_SQL,
  DEFAULT_VISIBILITY,
  type DerivedRows,
  deriveGlobalRows,
  THINGS_FROM_EVENTS_SQL,
} from './derive/derive-global-rows.ts';
export {
  LAKE_TOPOLOGY,
  type LakePipeline,
  type LakeSink,
  type LakeStream,
  type LakeTopology,
} from './derive/lake-topology.ts';
export { arrowTypeOf, toArrowSchema } from './derive/to-arrow-schema.ts';
export { duckDbTypeOf, toDuckDbColumns, toDuckDbDdl } from './derive/to-duckdb-ddl.ts';
export {
  isPipelinesSchema,
  PIPELINES_FIELD_TYPES,
  type PipelinesField,
  type PipelinesFieldType,
  type PipelinesSchema,
  type PipelinesTimestampUnit,
  renderPipelinesSchema,
  toPipelinesSchema,
} from './derive/to-pipelines-schema.ts';
export { type R2SqlColumn, r2SqlTypeOf, toR2SqlColumns } from './derive/to-r2-sql-types.ts';
export {
  type FromLakeRowOptions,
  fromLakeRow,
  LakeRowError,
} from './derive/from-lake-row.ts';
export { isoToMicros, toStreamRecord } from './derive/to-stream-record.ts';
export { type TableVersion, toUnionSelect, type UnionSelectOptions } from './derive/to-union-select.ts';
export {
  createSetupCommands,
  type SetupOptions,
  type SetupTopology,
  type SinkKind,
  shellQuote,
} from './derive/to-wrangler-commands.ts';
export {
  ACTION_STATUSES,
  DURABILITIES,
  EVENTS_SCHEMA_VERSION,
  type EventRow,
  eventRow,
} from './events.ts';
export { LOCAL_MIGRATIONS, LOCAL_SCHEMA_VERSION, type LocalMigration, META_TABLE } from './local-ddl.ts';
export { ROLLUP_ROW_KINDS, ROLLUPS_SCHEMA_VERSION, type RollupLakeRow, rollupRow } from './rollups.ts';
export { TABLES, type TableName } from './tables.ts';
export { THINGS_SCHEMA_VERSION, type ThingRow, thingRow } from './things.ts';
