import { eventHash, hashInput } from './event-hash.ts';

/** The columns the verifier reads from an event row (all others are covered by the hash). */
export interface ChainEvent extends Record<string, unknown> {
  id: string;
  ns: string;
  incarnation: string;
  seq: number;
  ts: number;
  verb: string;
  prev_hash: string | null;
  hash: string | null;
}

/** A checkpoint: the namespace stated its chain head at some point. */
export interface ChainCheckpoint {
  ns: string;
  incarnation: string;
  head_seq: number;
  head_hash: string;
}

/** What can be wrong with a chain. */
export type ChainProblemKind =
  | 'gap'
  | 'edited'
  | 'broken-link'
  | 'conflict'
  | 'truncated'
  | 'checkpoint-mismatch'
  | 'unlinked-incarnation';

/** One finding, with where it is. */
export interface ChainProblem {
  kind: ChainProblemKind;
  ns: string;
  incarnation: string;
  seq: number;
  message: string;
}

/** The verifier's answer. */
export interface ChainReport {
  ok: boolean;
  namespaces: number;
  events: number;
  /** Rows delivered more than once with identical content (at-least-once delivery; not a problem). */
  duplicates: number;
  problems: ChainProblem[];
}

/** Events that may open an incarnation by continuing another one's chain. */
const LINKING_VERBS = new Set(['moved', 'compacted', 'restored']);

/**
 * Verifies per-namespace hash chains from the rows alone: recomputes every hash, checks each
 * `prev_hash` link and the gapless `seq`, tells identical re-deliveries (fine) from conflicting rows
 * under one id, compares the tail with checkpoints, and flags a second incarnation of a namespace that
 * does not open with a link to an earlier one.
 *
 * @example
 * ```ts
 * import { verifyChain } from './verify-chain.ts';
 * const report = verifyChain(rows, checkpoints);
 * if (!report.ok) for (const p of report.problems) console.log(p.kind, p.ns, p.seq, p.message);
 * ```
 */
export function verifyChain(
  rows: Iterable<ChainEvent>,
  checkpoints: Iterable<ChainCheckpoint> = [],
): ChainReport {
  const problems: ChainProblem[] = [];
  const byId = new Map<string, { row: ChainEvent; input: string }>();
  let duplicates = 0;
  for (const row of rows) {
    const input = hashInput(row);
    const seen = byId.get(row.id);
    if (!seen) byId.set(row.id, { row, input });
    else if (seen.input === input && seen.row.hash === row.hash) duplicates++;
    else {
      problems.push({
        kind: 'conflict',
        ns: row.ns,
        incarnation: row.incarnation,
        seq: row.seq,
        message: `two different rows carry id ${row.id}`,
      });
    }
  }

  const chains = new Map<string, Map<string, ChainEvent[]>>();
  for (const { row } of byId.values()) {
    const incarnations = chains.get(row.ns) ?? new Map<string, ChainEvent[]>();
    chains.set(row.ns, incarnations);
    const list = incarnations.get(row.incarnation) ?? [];
    incarnations.set(row.incarnation, list);
    list.push(row);
  }

  const heads = new Map<string, ChainEvent>();
  for (const [ns, incarnations] of chains) {
    for (const [incarnation, list] of incarnations) {
      list.sort((a, b) => a.seq - b.seq);
      const at = (seq: number, kind: ChainProblemKind, message: string): void => {
        problems.push({ kind, ns, incarnation, seq, message });
      };
      let previous: ChainEvent | undefined;
      for (const row of list) {
        const expectedSeq = previous ? previous.seq + 1 : 1;
        if (row.seq > expectedSeq) {
          at(
            expectedSeq,
            'gap',
            `missing seq ${expectedSeq}${row.seq - 1 > expectedSeq ? `..${row.seq - 1}` : ''}`,
          );
        }
        if (row.hash !== eventHash(row)) at(row.seq, 'edited', `hash does not match the row's content`);
        const linkOk = previous
          ? row.prev_hash === previous.hash || row.seq !== previous.seq + 1
          : row.prev_hash === null || LINKING_VERBS.has(row.verb);
        if (!linkOk) {
          at(
            row.seq,
            'broken-link',
            previous
              ? `prev_hash is not the hash of seq ${previous.seq}`
              : 'first event links to nothing known',
          );
        }
        previous = row;
      }
      if (previous) heads.set(`${ns}\n${incarnation}`, previous);
    }

    if (incarnations.size > 1) {
      const firsts = [...incarnations].map(([incarnation, list]) => ({ incarnation, first: list[0]! }));
      firsts.sort((a, b) => a.first.ts - b.first.ts);
      const knownHeads = new Set<string>();
      for (const [index, { incarnation, first }] of firsts.entries()) {
        const linked =
          LINKING_VERBS.has(first.verb) && first.prev_hash !== null && knownHeads.has(first.prev_hash);
        if (index > 0 && !linked) {
          problems.push({
            kind: 'unlinked-incarnation',
            ns,
            incarnation,
            seq: first.seq,
            message: `namespace restarted as incarnation ${incarnation} without a moved/compacted link to an earlier one`,
          });
        }
        for (const row of incarnations.get(incarnation)!) if (row.hash) knownHeads.add(row.hash);
      }
    }
  }

  for (const checkpoint of checkpoints) {
    const head = heads.get(`${checkpoint.ns}\n${checkpoint.incarnation}`);
    const base = { ns: checkpoint.ns, incarnation: checkpoint.incarnation, seq: checkpoint.head_seq };
    if (!head || head.seq < checkpoint.head_seq) {
      problems.push({
        ...base,
        kind: 'truncated',
        message: `checkpoint states head seq ${checkpoint.head_seq} but the lake ends at ${head?.seq ?? 0}`,
      });
      continue;
    }
    const row = chains
      .get(checkpoint.ns)
      ?.get(checkpoint.incarnation)
      ?.find((r) => r.seq === checkpoint.head_seq);
    if (row && row.hash !== checkpoint.head_hash) {
      problems.push({
        ...base,
        kind: 'checkpoint-mismatch',
        message: `checkpoint head hash differs from seq ${row.seq}'s hash`,
      });
    }
  }

  problems.sort(
    (a, b) => a.ns.localeCompare(b.ns) || a.incarnation.localeCompare(b.incarnation) || a.seq - b.seq,
  );
  return { ok: problems.length === 0, namespaces: chains.size, events: byId.size, duplicates, problems };
}
