import { eventRow } from './events.ts';

/**
 * The global tables by name. Each lands in the lake under its own prefix / Iceberg table.
 *
 * @example
 * ```ts
 * import { TABLES } from './tables.ts';
 * TABLES.events.parse(row);
 * ```
 */
export const TABLES = { events: eventRow } as const;

/** The name of a global table. */
export type TableName = keyof typeof TABLES;
