import { hashInput, sha256Hex } from '../../lake/chain/index.ts';
import { type CheckedCheckpoint, type CheckedCheckpoints, chainKey } from './check-checkpoints.ts';
import { normalizeEventRow } from './normalize-lake-row.ts';
import type { VerifyProblem, VerifyProblemKind, VerifyReport } from './verify-report.ts';

/** Construction options of {@link createChainVerifier}. */
export interface ChainVerifierConfig {
  checkpoints: CheckedCheckpoints;
  /** Identical re-deliveries (at-least-once) are notes instead of errors. */
  allowDuplicates?: boolean;
  /** Problems listed at most (default 10 000); the rest are counted. */
  maxProblems?: number;
  /** Rows of a chain are limited to a time window: the first row seen opens the chain (no gap before it). */
  windowed?: boolean;
}

/** Rows pushed out of (ns, incarnation, seq) order: the caller's contract, not the lake's fault. */
export class VerifyInputError extends Error {
  override name = 'VerifyInputError';
  readonly code = 'out_of_order';
}

/** Feeds rows in (ns, incarnation, seq) order, in chunks of any size; memory stays per chain. */
export interface ChainVerifier {
  /** Rows as the engine returned them; `file` names where they came from, when known. */
  push(rows: Iterable<Record<string, unknown>>, file?: string): void;
  finish(scope: VerifyReport['scope']): VerifyReport;
}

/** What a run of consecutive rows with the same finding says. */
const COALESCED: Partial<Record<VerifyProblemKind, string>> = {
  edited: "hashes do not match the rows' content",
  duplicate: 'these seqs are in the lake more than once (identical rows: re-deliveries)',
  conflict: 'two different rows carry each of these seqs',
  'broken-link': 'prev_hash is not the previous row’s hash',
};

/** Events that may open an incarnation by continuing another one's chain. */
const LINKING_VERBS = new Set(['moved', 'compacted', 'restored']);

interface Chain {
  ns: string;
  incarnation: string;
  checkpoints: CheckedCheckpoint[];
  next: number; // index of the next checkpoint to reach
  first: number;
  lastSeq: number;
  lastHash: string | null;
  lastInput: string;
  lastFile: string | undefined;
  distinct: number;
  anchoredThrough: number;
  /** The end of the newest gap reported: a checkpoint head inside it is not reported again. */
  gapThrough: number;
}

/**
 * The streaming verifier: recomputes every row's hash from its canonical content, checks each
 * `prev_hash` link, gaps and duplicates per (ns, incarnation), and reconciles the chain with its
 * trusted checkpoints (head hash, count, truncated tail). Rows are normalized here, whatever engine
 * read them. Workers-safe.
 *
 * @example
 * ```ts
 * import { checkCheckpoints } from './check-checkpoints.ts';
 * import { createChainVerifier } from './chain-verifier.ts';
 * const verifier = createChainVerifier({ checkpoints: await checkCheckpoints(checkpointRows, { publicKeys }) });
 * verifier.push(eventRowsInSeqOrder);
 * const report = verifier.finish({ namespaces: 'all' });
 * ```
 */
export function createChainVerifier(config: ChainVerifierConfig): ChainVerifier {
  const maxProblems = config.maxProblems ?? 10_000;
  const problems: VerifyProblem[] = [...config.checkpoints.problems];
  const errors: Partial<Record<VerifyProblemKind, number>> = {};
  let notes = 0;
  let omitted = 0;
  let rows = 0;
  let events = 0;
  let duplicates = 0;
  let chains = 0;
  const namespaces = new Set<string>();
  const seenChains = new Set<string>();
  let chain: Chain | undefined;

  function report(p: VerifyProblem): void {
    if (p.severity === 'error') errors[p.kind] = (errors[p.kind] ?? 0) + 1;
    else notes++;
    const last = problems.at(-1);
    if (
      last &&
      last.kind === p.kind &&
      last.ns === p.ns &&
      last.incarnation === p.incarnation &&
      last.seqTo + 1 === p.seqFrom &&
      last.file === p.file &&
      COALESCED[p.kind] !== undefined
    ) {
      last.seqTo = p.seqTo;
      last.message = `${COALESCED[p.kind] ?? p.message} (${last.seqTo - last.seqFrom + 1} rows)`;
      return;
    }
    if (problems.length >= maxProblems) omitted++;
    else problems.push(p);
  }
  for (const p of config.checkpoints.problems) {
    if (p.severity === 'error') errors[p.kind] = (errors[p.kind] ?? 0) + 1;
    else notes++;
  }

  const at = (c: Chain, kind: VerifyProblemKind, from: number, to: number, message: string, file?: string) =>
    report({
      kind,
      severity:
        kind === 'duplicate' && config.allowDuplicates ? 'note' : kind === 'unanchored' ? 'note' : 'error',
      ns: c.ns,
      incarnation: c.incarnation,
      seqFrom: from,
      seqTo: to,
      ...(file ? { file } : {}),
      message,
    });

  function open(ns: string, incarnation: string): Chain {
    const key = chainKey(ns, incarnation);
    if (seenChains.has(key))
      throw new VerifyInputError(
        `rows of ${ns} ${incarnation} arrived again after another chain: sort by ns, incarnation, seq`,
      );
    seenChains.add(key);
    namespaces.add(ns);
    chains++;
    return {
      ns,
      incarnation,
      checkpoints: config.checkpoints.byChain.get(key) ?? [],
      next: 0,
      first: 0,
      lastSeq: 0,
      lastHash: null,
      lastInput: '',
      lastFile: undefined,
      distinct: 0,
      anchoredThrough: 0,
      gapThrough: 0,
    };
  }

  /** Checkpoints whose head the chain passed without a row at it. */
  function passCheckpoints(c: Chain, seq: number): void {
    while (c.next < c.checkpoints.length && c.checkpoints[c.next]!.head_seq < seq) {
      const cp = c.checkpoints[c.next++]!;
      if ((config.windowed && cp.head_seq < c.first) || cp.head_seq <= c.gapThrough) continue;
      at(
        c,
        'gap',
        cp.head_seq,
        cp.head_seq,
        `checkpoint ${cp.id} names head seq ${cp.head_seq}, which the lake does not hold`,
      );
    }
  }

  function reachCheckpoint(c: Chain, seq: number, hash: string | null, file: string | undefined): void {
    passCheckpoints(c, seq);
    while (c.next < c.checkpoints.length && c.checkpoints[c.next]!.head_seq === seq) {
      const cp = c.checkpoints[c.next++]!;
      if (cp.head_hash !== hash) {
        at(
          c,
          'rewritten',
          c.anchoredThrough + 1,
          seq,
          `the lake's row at seq ${seq} has another hash than checkpoint ${cp.id} states: rows after seq ${c.anchoredThrough} up to ${seq} were rewritten (or re-chained) after the checkpoint was signed`,
          file,
        );
        continue;
      }
      if (!config.windowed && cp.count !== c.distinct)
        at(
          c,
          'count-mismatch',
          1,
          seq,
          `checkpoint ${cp.id} states ${cp.count} events up to seq ${seq}; the lake holds ${c.distinct}`,
          file,
        );
      c.anchoredThrough = seq;
    }
  }

  function close(c: Chain): void {
    passCheckpoints(c, c.lastSeq + 1);
    const tail = c.checkpoints.slice(c.next);
    if (tail.length > 0) {
      const head = tail.at(-1)!;
      at(
        c,
        'truncated',
        c.lastSeq + 1,
        head.head_seq,
        `the lake ends at seq ${c.lastSeq} but checkpoint ${head.id} states head seq ${head.head_seq}: the tail seq ${c.lastSeq + 1}..${head.head_seq} is missing`,
        c.lastFile,
      );
    } else if (c.anchoredThrough < c.lastSeq) {
      at(
        c,
        'unanchored',
        c.anchoredThrough + 1,
        c.lastSeq,
        'after the newest checkpoint: chained, not yet anchored by a signed head',
      );
    }
  }

  function row(raw: Record<string, unknown>, file: string | undefined): void {
    const r = normalizeEventRow(raw);
    const ns = String(r.ns);
    const incarnation = String(r.incarnation);
    const seq = Number(r.seq);
    rows++;
    if (!chain || chain.ns !== ns || chain.incarnation !== incarnation) {
      if (chain) close(chain);
      chain = open(ns, incarnation);
      chain.first = seq;
    }
    const c = chain;
    const input = hashInput(r);
    const stored = (r.hash as string | null) ?? null;
    if (seq < c.lastSeq)
      throw new VerifyInputError(
        `${ns} ${incarnation}: seq ${seq} after ${c.lastSeq}: push rows in seq order`,
      );
    if (seq === c.lastSeq) {
      if (input === c.lastInput && stored === c.lastHash) {
        duplicates++;
        at(
          c,
          'duplicate',
          seq,
          seq,
          `seq ${seq} is in the lake more than once (identical rows: a re-delivery)`,
          file,
        );
      } else at(c, 'conflict', seq, seq, `two different rows carry seq ${seq} (id ${String(r.id)})`, file);
      return;
    }
    events++;
    c.distinct++;
    const expected = c.lastSeq === 0 ? (config.windowed ? seq : 1) : c.lastSeq + 1;
    if (seq > expected) c.gapThrough = seq - 1;
    if (seq > expected)
      at(
        c,
        'gap',
        expected,
        seq - 1,
        `seq ${expected}${seq - 1 > expected ? `..${seq - 1}` : ''} missing${c.lastFile && file && c.lastFile !== file ? ` (between ${c.lastFile} and ${file})` : ''}`,
        file,
      );
    if (stored !== sha256Hex(input)) at(c, 'edited', seq, seq, `hash does not match the row's content`, file);
    const prev = (r.prev_hash as string | null) ?? null;
    const linked =
      seq !== expected ||
      (c.lastSeq === 0
        ? seq !== 1 || prev === null || LINKING_VERBS.has(String(r.verb))
        : prev === c.lastHash);
    if (!linked)
      at(
        c,
        'broken-link',
        seq,
        seq,
        c.lastSeq === 0
          ? 'first event links to nothing known'
          : `prev_hash is not the hash of seq ${c.lastSeq}`,
        file,
      );
    c.lastSeq = seq;
    c.lastHash = stored;
    c.lastInput = input;
    c.lastFile = file;
    reachCheckpoint(c, seq, stored, file);
  }

  return {
    push(batch, file) {
      for (const raw of batch) row(raw, file);
    },
    finish(scope) {
      if (chain) close(chain);
      chain = undefined;
      // Chains with checkpoints but no rows at all in the lake.
      for (const [key, list] of config.checkpoints.byChain) {
        if (seenChains.has(key) || list.length === 0) continue;
        const head = list.at(-1)!;
        if (scope.namespaces !== 'all' && !scope.namespaces.includes(head.ns)) continue;
        const c = open(head.ns, head.incarnation);
        close(c);
      }
      const errorCount = Object.values(errors).reduce((n, k) => n + (k ?? 0), 0);
      return {
        ok: errorCount === 0,
        checkedAt: new Date().toISOString(),
        scope,
        summary: {
          namespaces: namespaces.size,
          chains,
          events,
          rows,
          duplicates,
          signatures: config.checkpoints.signatures,
          errors,
          notes,
        },
        problems,
        problemsOmitted: omitted,
      };
    },
  };
}
