import { isPermanentSinkError, type SinkError } from '../sink.ts';

/** One stored event row on its way to the sink. */
export interface Outgoing {
  seq: number;
  text: string;
}

/** What delivering a batch did, and the hooks it reports through. */
export interface DeliverHooks {
  /** Sends rows as one request; rejects with a SinkError when the sink does not take them. */
  send(texts: string[]): Promise<void>;
  /** The sink took these. */
  accepted(batch: readonly Outgoing[]): void;
  /** The sink refused this one for good. */
  refused(row: Outgoing, reason: string, code: string): void;
}

/**
 * Whether a refusal can be blamed on records of the batch (so isolating them lets the rest through):
 * a schema mismatch, a record or request too large, a 400/422, or a binding error about the records.
 * A refusal of the sink itself — a bad token (401/403), an unknown stream (404) — is not: every record
 * would be refused, so it is retried like a transient failure until the configuration is fixed.
 */
function isPerRecord(error: SinkError): boolean {
  if (error.code === 'schema_mismatch' || error.code === 'too_large') return true;
  if (error.code === 'refused') return error.status === 400 || error.status === 422;
  return error.code === 'send_failed';
}

/**
 * Sends a batch; when the sink refuses records of it for good, hands those to `refused` with the sink's
 * reason and sends the rest again. A refusal naming records (`rejected`) drops those; one that names
 * none is bisected until each refused record stands alone. A transient failure (5xx, 408, 429,
 * network) or a refusal of the sink itself rejects, with every row not yet accepted left for the retry.
 *
 * @example
 * ```ts
 * import { deliver } from './deliver.ts';
 * await deliver(rows, { send, accepted: (b) => sent += b.length, refused: (row, reason) => deadLetter(row, reason) });
 * ```
 */
export async function deliver(batch: readonly Outgoing[], hooks: DeliverHooks): Promise<void> {
  if (batch.length === 0) return;
  try {
    await hooks.send(batch.map((row) => row.text));
  } catch (error) {
    if (!isPermanentSinkError(error) || !isPerRecord(error)) throw error;
    const named = (error.rejected ?? []).filter((r) => r.index >= 0 && r.index < batch.length);
    if (named.length > 0) {
      const bad = new Set<number>();
      for (const { index, reason } of named) {
        if (bad.has(index)) continue;
        bad.add(index);
        hooks.refused(batch[index]!, reason, error.code);
      }
      await deliver(
        batch.filter((_, i) => !bad.has(i)),
        hooks,
      );
      return;
    }
    if (batch.length === 1) {
      hooks.refused(batch[0]!, error.message, error.code);
      return;
    }
    const half = Math.ceil(batch.length / 2);
    await deliver(batch.slice(0, half), hooks);
    await deliver(batch.slice(half), hooks);
    return;
  }
  hooks.accepted(batch);
}
