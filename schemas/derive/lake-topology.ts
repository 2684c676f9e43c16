/**
 * The streams, sinks and pipelines that land every global table: one definition, printed by
 * `schema setup` as wrangler commands and used as the local Pipelines stand-in's default config.
 *
 * One `events` stream is fanned out by Pipeline SQL to the `events`, `things` and `actions` sinks (one
 * send per event; an account has 20 streams). `checkpoints` has its own stream: a checkpoint is taken
 * on a per-namespace cadence (`checkpointEvery`), on demand, and is signed inside the Durable Object,
 * none of which a stateless SELECT over one event row can reproduce. `rollups` is the one generic
 * stream every materialized rollup view writes its refreshes through.
 *
 * @module
 */
import type { TableName } from '../tables.ts';
import { ACTIONS_FROM_EVENTS_SQL, THINGS_FROM_EVENTS_SQL } from './derive-global-rows.ts';

/** A stream: its name and the table whose schema file it is created with. */
export interface LakeStream {
  name: string;
  table: TableName;
}

/** A sink: its name and the table it writes (the r2 path / Iceberg table of the same name). */
export interface LakeSink {
  name: string;
  table: TableName;
}

/** A pipeline: its name and its one `INSERT INTO <sink> SELECT ... FROM <stream>` statement. */
export interface LakePipeline {
  name: string;
  sql: string;
}

/** Every stream, sink and pipeline of the lake. */
export interface LakeTopology {
  streams: readonly LakeStream[];
  sinks: readonly LakeSink[];
  pipelines: readonly LakePipeline[];
}

/**
 * The lake's streams, sinks and pipelines.
 *
 * @example
 * ```ts
 * import { LAKE_TOPOLOGY } from './lake-topology.ts';
 * LAKE_TOPOLOGY.streams.map((s) => s.name); // ['events', 'checkpoints', 'rollups']
 * LAKE_TOPOLOGY.sinks.map((s) => s.table); // ['events', 'things', 'actions', 'checkpoints', 'rollups']
 * ```
 */
export const LAKE_TOPOLOGY: LakeTopology = {
  streams: [
    { name: 'events', table: 'events' },
    { name: 'checkpoints', table: 'checkpoints' },
    { name: 'rollups', table: 'rollups' },
  ],
  sinks: [
    { name: 'events_sink', table: 'events' },
    { name: 'things_sink', table: 'things' },
    { name: 'actions_sink', table: 'actions' },
    { name: 'checkpoints_sink', table: 'checkpoints' },
    { name: 'rollups_sink', table: 'rollups' },
  ],
  pipelines: [
    { name: 'events_pipeline', sql: 'INSERT INTO events_sink SELECT * FROM events' },
    { name: 'things_pipeline', sql: `INSERT INTO things_sink ${THINGS_FROM_EVENTS_SQL}` },
    { name: 'actions_pipeline', sql: `INSERT INTO actions_sink ${ACTIONS_FROM_EVENTS_SQL}` },
    { name: 'checkpoints_pipeline', sql: 'INSERT INTO checkpoints_sink SELECT * FROM checkpoints' },
    { name: 'rollups_pipeline', sql: 'INSERT INTO rollups_sink SELECT * FROM rollups' },
  ],
};
