import { CHECKPOINTS_SCHEMA_VERSION, type CheckpointRow } from '../../schemas/index.ts';

/** A checkpoint as the local `_dotdo_checkpoints` table holds it. */
export interface LocalCheckpoint {
  head_seq: number;
  head_hash: string;
  count: number;
  ts: number;
}

/**
 * The global checkpoint row of a local checkpoint: its id is `{ns}/checkpoints/{incarnation}/{head_seq}`.
 *
 * @example
 * ```ts
 * import { buildCheckpointRow } from './checkpoint-row.ts';
 * buildCheckpointRow('https://startups.studio', 'inc-1', { head_seq: 1000, head_hash: 'ab…', count: 1000, ts });
 * ```
 */
export function buildCheckpointRow(ns: string, incarnation: string, local: LocalCheckpoint): CheckpointRow {
  return {
    schema_version: CHECKPOINTS_SCHEMA_VERSION,
    id: `${ns}/checkpoints/${incarnation}/${local.head_seq}`,
    ns,
    incarnation,
    head_seq: local.head_seq,
    head_hash: local.head_hash,
    count: local.count,
    ts: local.ts,
  };
}
