/**
 * The global `checkpoints` row: periodically, each namespace states the head of its hash chain, so an
 * audit can prove the lake holds every event up to that head and that the tail was not truncated.
 *
 * @module
 */
import { z } from 'zod';
import { col } from './columns.ts';

/**
 * Bumped whenever a column is added; a breaking change gets a new versioned stream instead.
 *
 * @example
 * ```ts
 * import { CHECKPOINTS_SCHEMA_VERSION } from './checkpoints.ts';
 * const row = { schema_version: CHECKPOINTS_SCHEMA_VERSION, ...columns };
 * ```
 */
export const CHECKPOINTS_SCHEMA_VERSION = 2;

/**
 * The zod schema of a global checkpoint row.
 *
 * @example
 * ```ts
 * import { checkpointRow } from './checkpoints.ts';
 * checkpointRow.parse({
 *   schema_version: 2, id: 'https://startups.studio/checkpoints/i1/1000', ns: 'https://startups.studio',
 *   incarnation: 'i1', head_seq: 1000, head_hash: 'ab12…', count: 1000, ts: 1_764_000_000_000_000,
 * });
 * ```
 */
export const checkpointRow = z.object({
  schema_version: col.int32('version of this row contract'),
  id: col.url('{ns}/checkpoints/{incarnation}/{head_seq}'),
  ns: col.url('the namespace whose chain this checkpoints'),
  incarnation: col.string('id of the storage the seq counts in'),
  head_seq: col.int64('seq of the newest event covered'),
  head_hash: col.string('hash of that event (SHA-256 over its canonical row, hex)'),
  count: col.int64('events covered: every seq from 1 to head_seq'),
  ts: col.timestamp('when the checkpoint was taken'),
  key_id: col.string('id of the key that signed this checkpoint; null when unsigned').nullable().optional(),
  signature: col
    .string(
      'Ed25519 signature (base64url) over the canonical checkpoint text (lake/chain checkpointSigningText)',
    )
    .nullable()
    .optional(),
});

/** A global checkpoint row. */
export type CheckpointRow = z.infer<typeof checkpointRow>;
