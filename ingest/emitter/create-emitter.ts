import type { CheckpointRow, EventRow } from '../../schemas/index.ts';
import { buildCheckpointRow, type LocalCheckpoint } from './checkpoint-row.ts';
import type { CheckpointSigner } from './checkpoint-signer.ts';
import type { Sink } from '../sink.ts';
import {
  addDeadLetter,
  countDeadLetters,
  type DeadLetter,
  type ListDeadLettersOptions,
  listDeadLetters,
  removeDeadLetters,
} from './dead-letters.ts';
import { deliver, type Outgoing } from './deliver.ts';
import type { StorageLike } from '../storage-like.ts';
import { bindNamespace } from '../store/bind-namespace.ts';
import { markStreamed, pendingEvents } from '../store/outbox.ts';
import { nowMicros } from '../store/record.ts';
import { newestEvent, storeState } from '../store/store-state.ts';
import { parseEventRow } from '../store/event-row.ts';

/** Construction options of {@link createEmitter}. */
export interface EmitterConfig {
  /** The namespace URL prepended to every local path, e.g. `https://startups.studio`. */
  ns: string;
  sink: Sink<EventRow>;
  /** Where checkpoint rows go; without it they stay in the local table until one is configured. */
  checkpoints?: Sink<CheckpointRow>;
  /** Rows per send at most (default 1000). */
  batchRows?: number;
  /** Serialized bytes per send at most (default 1 MB, the Pipelines request limit). */
  batchBytes?: number;
  /** A checkpoint row every this many events (default 1000). */
  checkpointEvery?: number;
  /**
   * Signs every checkpoint row before it is sent (the audit key); without it checkpoints go unsigned.
   * A signer that fails to load keeps checkpoints in the local table: none leaves unsigned by mistake.
   */
  signer?: CheckpointSigner | Promise<CheckpointSigner>;
}

/** What one flush did. */
export interface FlushResult {
  sent: number;
  batches: number;
  /**
   * Events moved to the dead-letter table: too large for any batch, or refused by the sink for good
   * (with the sink's reason); the flush went on with the rest.
   */
  deadLettered: number;
  checkpoints: number;
}

/** What re-sending dead letters did. */
export interface ResendResult {
  /** Accepted by the sink and removed from the dead-letter table. */
  sent: number;
  /** Refused again (their reason updated); still dead letters. */
  refused: number;
}

/** Per-call options of {@link Emitter.resend}. */
export interface ResendOptions {
  /** Only these seqs (default: every dead letter). */
  seqs?: readonly number[];
}

/** Reads the outbox and hands global rows to the sink. */
export interface Emitter {
  /** Sends every unstreamed event; rejects (marking nothing of the failed batch) if the sink does. */
  flush(): Promise<FlushResult>;
  /** How many events wait to be streamed. */
  pending(): number;
  /** Records a checkpoint of the current chain head now (if it has none yet). */
  checkpoint(): CheckpointRow | null;
  /** How many events are dead-lettered. */
  deadLetterCount(): number;
  /** The dead letters, in seq order, with the sink's reason. */
  deadLetters(options?: ListDeadLettersOptions): DeadLetter[];
  /**
   * Sends dead-lettered events again (after the sink, the stream or the schema was fixed): those the
   * sink now takes leave the dead-letter table; the others stay, with the new reason.
   */
  resend(options?: ResendOptions): Promise<ResendResult>;
}

// One flush at a time per storage, whichever emitter instance asks: two overlapping flushes would
// read the same unstreamed rows and send them twice.
const tails = new WeakMap<StorageLike, Promise<unknown>>();

const NON_ASCII = /[^\p{ASCII}]/u;
function utf8Length(text: string): number {
  if (!NON_ASCII.test(text)) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Creates the emitter of one Durable Object: unstreamed events, read in seq order, go to the sink as
 * the global rows recorded with them; they are marked streamed only after the sink acknowledged them.
 * Delivery is at-least-once with deterministic ids, so views dedupe on `id`. No bad record blocks the
 * outbox: an event larger than a whole batch, or one the sink refuses for good (a schema mismatch, a
 * per-record 4xx — isolated by the sink's `rejected` indices or by bisecting the batch), goes to the
 * dead-letter table with the sink's reason and the flush goes on; transient failures reject, for the
 * caller to retry with backoff. Dead letters can be listed and re-sent.
 *
 * @example
 * ```ts
 * import { createEmitter } from './create-emitter.ts';
 * import { createHttpSink } from '../sinks/http/index.ts';
 * const emitter = createEmitter(ctx.storage, { ns: 'https://startups.studio', sink: createHttpSink({ url }) });
 * await emitter.flush();
 * ```
 */
export function createEmitter(storage: StorageLike, config: EmitterConfig): Emitter {
  const batchRows = config.batchRows ?? 1000;
  const batchBytes = config.batchBytes ?? 1_000_000;
  const ns = bindNamespace(storage, config.ns, { checkpointEvery: config.checkpointEvery });
  const sql = storage.sql;

  const toCheckpointRow = (local: LocalCheckpoint): CheckpointRow =>
    buildCheckpointRow(ns, storeState(storage).incarnation, local);

  async function send(texts: string[]): Promise<void> {
    if (config.sink.sendJson) await config.sink.sendJson(`[${texts.join(',')}]`, texts.length);
    else await config.sink.send(texts.map(parseEventRow));
  }

  function deadLetter(row: Outgoing, reason: string, code: string): void {
    addDeadLetter(storage, {
      seq: row.seq,
      reason,
      code,
      bytes: utf8Length(row.text),
      at: nowMicros(),
    });
  }

  /** The next batch after the watermark; rows too large for any batch are dead-lettered on the way. */
  function nextBatch(result: FlushResult): Outgoing[] | null {
    // Read the cursor completely before any await: DO cursors are not valid across I/O.
    const local = [
      ...sql
        .exec(
          'SELECT id, row FROM events WHERE id > (SELECT streamedThrough FROM _dotdo_outbox WHERE id = 1) ORDER BY id LIMIT ?',
          batchRows,
        )
        .raw(),
    ] as [number, string][];
    if (local.length === 0) return null;
    const batch: Outgoing[] = [];
    let bytes = 2;
    for (const [seq, text] of local) {
      const size = utf8Length(text) + 1;
      if (size + 2 > batchBytes) {
        if (batch.length > 0) break; // dead-letter it at the head of the next round, in seq order
        deadLetter(
          { seq, text },
          `serialized row is ${size - 1} bytes; a batch takes at most ${batchBytes}`,
          'too_large',
        );
        markStreamed(storage, seq, nowMicros());
        result.deadLettered += 1;
        continue;
      }
      if (batch.length > 0 && bytes + size > batchBytes) break;
      batch.push({ seq, text });
      bytes += size;
    }
    return batch;
  }

  async function flushEvents(result: FlushResult): Promise<void> {
    for (;;) {
      const batch = nextBatch(result);
      if (batch === null) return;
      if (batch.length === 0) continue;
      await deliver(batch, {
        send,
        accepted(rows) {
          result.sent += rows.length;
          result.batches += 1;
        },
        refused(row, reason, code) {
          deadLetter(row, reason, code);
          result.deadLettered += 1;
        },
      });
      // Every row of the batch was acknowledged or dead-lettered.
      markStreamed(storage, batch.at(-1)!.seq, nowMicros());
    }
  }

  async function resend(options: ResendOptions = {}): Promise<ResendResult> {
    const wanted = options.seqs ? new Set(options.seqs) : null;
    const rows = (
      sql
        .exec<{ seq: number; text: string }>(
          'SELECT d.seq AS seq, e.row AS text FROM _dotdo_dead_letters d JOIN events e ON e.id = d.seq ORDER BY d.seq',
        )
        .toArray() as Outgoing[]
    ).filter((row) => !wanted || wanted.has(row.seq));
    const result: ResendResult = { sent: 0, refused: 0 };
    for (let i = 0; i < rows.length; i += batchRows) {
      await deliver(rows.slice(i, i + batchRows), {
        send,
        accepted(batch) {
          removeDeadLetters(
            storage,
            batch.map((row) => row.seq),
          );
          result.sent += batch.length;
        },
        refused(row, reason, code) {
          deadLetter(row, reason, code);
          result.refused += 1;
        },
      });
    }
    return result;
  }

  async function flushCheckpoints(result: FlushResult): Promise<void> {
    if (!config.checkpoints) return;
    const pending = sql
      .exec<{ head_seq: number; head_hash: string; count: number; ts: number }>(
        'SELECT head_seq, head_hash, count, ts FROM _dotdo_checkpoints WHERE streamed = 0 ORDER BY head_seq',
      )
      .toArray();
    if (pending.length === 0) return;
    const rows = pending.map(toCheckpointRow);
    if (config.signer) {
      const signer = await config.signer;
      for (let i = 0; i < rows.length; i++) rows[i] = await signer.sign(rows[i]!);
    }
    await config.checkpoints.send(rows);
    sql.exec('UPDATE _dotdo_checkpoints SET streamed = 1 WHERE head_seq <= ?', pending.at(-1)!.head_seq);
    result.checkpoints += pending.length;
  }

  async function flushAll(): Promise<FlushResult> {
    const result: FlushResult = { sent: 0, batches: 0, deadLettered: 0, checkpoints: 0 };
    await flushEvents(result);
    await flushCheckpoints(result);
    return result;
  }

  /** Runs `task` after every flush or resend of this storage already under way. */
  function serialized<T>(task: () => Promise<T>): Promise<T> {
    const previous = tails.get(storage) ?? Promise.resolve();
    const run = previous.then(task, task);
    tails.set(
      storage,
      run.catch(() => undefined),
    );
    return run;
  }

  return {
    flush: () => serialized(flushAll),
    resend: (options) => serialized(() => resend(options)),
    deadLetterCount: () => countDeadLetters(storage),
    deadLetters: (options) => listDeadLetters(storage, options),
    pending(): number {
      return pendingEvents(storage);
    },
    checkpoint(): CheckpointRow | null {
      const head = newestEvent(storage);
      if (!head) return null;
      const ts = nowMicros();
      sql.exec(
        'INSERT OR IGNORE INTO _dotdo_checkpoints (head_seq, head_hash, count, ts) VALUES (?, ?, ?, ?)',
        head.id,
        head.hash,
        head.id,
        ts,
      );
      const row = sql
        .exec<{ head_seq: number; head_hash: string; count: number; ts: number }>(
          'SELECT head_seq, head_hash, count, ts FROM _dotdo_checkpoints WHERE head_seq = ?',
          head.id,
        )
        .one();
      return toCheckpointRow(row);
    },
  };
}
