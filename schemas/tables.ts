import { actionRow } from './actions.ts';
import { checkpointRow } from './checkpoints.ts';
import { eventRow } from './events.ts';
import { rollupRow } from './rollups.ts';
import { thingRow } from './things.ts';

/**
 * The global tables by name. Each lands in the lake under its own prefix / Iceberg table and is fed by
 * a stream of the same name. A breaking change adds a new entry (`events_v2`) and keeps the old one.
 *
 * @example
 * ```ts
 * import { TABLES } from './tables.ts';
 * TABLES.events.parse(row);
 * ```
 */
export const TABLES = {
  events: eventRow,
  things: thingRow,
  actions: actionRow,
  checkpoints: checkpointRow,
  rollups: rollupRow,
} as const;

/** The name of a global table. */
export type TableName = keyof typeof TABLES;
