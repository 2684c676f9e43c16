import { checkpointRow, columnsOf, eventRow, fromLakeRow } from '../../schemas/index.ts';

export { LakeRowError } from '../../schemas/index.ts';

/** The events columns by name, in schema order (what `verify` selects). */
export const EVENT_COLUMN_NAMES: readonly string[] = columnsOf(eventRow).map((c) => c.name);
/** The checkpoints columns by name, in schema order. */
export const CHECKPOINT_COLUMN_NAMES: readonly string[] = columnsOf(checkpointRow).map((c) => c.name);

/**
 * Reads an events row as any engine or reader hands it back (see `fromLakeRow`) into the form its
 * hash was made over; a column the reader left out is null.
 *
 * @example
 * ```ts
 * import { normalizeEventRow } from './normalize-lake-row.ts';
 * normalizeEventRow({ seq: '7', ts: '2026-01-01T00:00:00.000001Z', data: '{"a":1}' }).seq; // 7
 * ```
 */
export const normalizeEventRow = (raw: Record<string, unknown>): Record<string, unknown> =>
  fromLakeRow(eventRow, raw, { absent: 'null' });

/**
 * Reads a checkpoints row as any engine hands it back (see {@link normalizeEventRow}).
 *
 * @example
 * ```ts
 * import { normalizeCheckpointRow } from './normalize-lake-row.ts';
 * normalizeCheckpointRow({ head_seq: 1000n, count: '1000' }).count; // 1000
 * ```
 */
export const normalizeCheckpointRow = (raw: Record<string, unknown>): Record<string, unknown> =>
  fromLakeRow(checkpointRow, raw, { absent: 'null' });
