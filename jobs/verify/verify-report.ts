/** What can be wrong with an audit trail in the lake. */
export type VerifyProblemKind =
  /** Seqs missing between two rows of a chain (a dropped record, a deleted file). */
  | 'gap'
  /** A row's stored hash is not the SHA-256 of its canonical content (a value was altered). */
  | 'edited'
  /** A row's prev_hash is not the previous row's hash. */
  | 'broken-link'
  /** The same seq delivered more than once with identical content. */
  | 'duplicate'
  /** Two different rows under one seq (one id). */
  | 'conflict'
  /** A checkpoint states a head seq beyond the end of the chain in the lake. */
  | 'truncated'
  /** The lake's row at a checkpoint's head seq has another hash: the chain up to it was rewritten. */
  | 'rewritten'
  /** A checkpoint's event count differs from the events the lake holds up to its head. */
  | 'count-mismatch'
  /** A checkpoint whose signature does not verify: forged or altered. */
  | 'bad-signature'
  /** A checkpoint signed with a key id that no given public key has. */
  | 'unknown-key'
  /** A checkpoint without a signature (only a problem unless unsigned checkpoints are allowed). */
  | 'unsigned'
  /** Events after the newest checkpoint: chained, but not yet anchored by a signed head (a note). */
  | 'unanchored';

/** One finding: where it is (ns, incarnation, seq range, file when known) and what is wrong. */
export interface VerifyProblem {
  kind: VerifyProblemKind;
  /** `error` fails the verification; `note` is reported and does not. */
  severity: 'error' | 'note';
  ns: string;
  incarnation: string;
  seqFrom: number;
  seqTo: number;
  /** The data file the row came from, when the reader knows it. */
  file?: string;
  /** The checkpoint row concerned, for checkpoint findings. */
  checkpoint?: string;
  message: string;
}

/** How the checkpoints' signatures stood. */
export interface SignatureSummary {
  checkpoints: number;
  valid: number;
  invalid: number;
  unknownKey: number;
  unsigned: number;
}

/** The verification's answer, with a summary an auditor can file. */
export interface VerifyReport {
  ok: boolean;
  /** When it ran (ISO), and what it covered. */
  checkedAt: string;
  scope: { namespaces: string[] | 'all'; from?: string; to?: string };
  summary: {
    namespaces: number;
    chains: number;
    /** Distinct events verified. */
    events: number;
    /** Rows read (duplicates included). */
    rows: number;
    duplicates: number;
    signatures: SignatureSummary;
    /** Errors per kind. */
    errors: Partial<Record<VerifyProblemKind, number>>;
    notes: number;
  };
  problems: VerifyProblem[];
  /** Problems beyond the kept ones (counted in the summary, not listed). */
  problemsOmitted: number;
}

const range = (p: VerifyProblem): string =>
  p.seqFrom === p.seqTo ? `seq ${p.seqFrom}` : `seq ${p.seqFrom}..${p.seqTo}`;

/**
 * The report as text: a verdict line, the summary, then one line per problem
 * (`ERROR kind ns incarnation seq range [file]: message`).
 *
 * @example
 * ```ts
 * import { formatVerifyReport } from './verify-report.ts';
 * console.log(formatVerifyReport(report));
 * ```
 */
export function formatVerifyReport(report: VerifyReport): string {
  const s = report.summary;
  const sig = s.signatures;
  const errors = Object.values(s.errors).reduce((n, k) => n + (k ?? 0), 0);
  const lines = [
    report.ok ? 'VERIFIED: the audit trail is complete and unaltered' : `FAILED: ${errors} problem(s) found`,
    `${s.events} events in ${s.chains} chain(s) of ${s.namespaces} namespace(s); ${s.rows} rows read, ${s.duplicates} duplicate row(s)`,
    `checkpoints: ${sig.checkpoints} (${sig.valid} signature(s) valid, ${sig.invalid} invalid, ${sig.unknownKey} unknown key, ${sig.unsigned} unsigned)`,
  ];
  if (sig.checkpoints > 0 && sig.unsigned === sig.checkpoints)
    lines.push(
      'UNSIGNED: no checkpoint carries a signature — the chain shows consistency only; whoever can write the lake could rewrite and re-chain it. Configure AUDIT_SIGNING_KEY.',
    );
  for (const p of report.problems) {
    const where = `${p.ns} ${p.incarnation} ${range(p)}${p.file ? ` [${p.file}]` : ''}`;
    lines.push(`${p.severity === 'error' ? 'ERROR' : 'note '} ${p.kind} ${where}: ${p.message}`);
  }
  if (report.problemsOmitted > 0) lines.push(`… ${report.problemsOmitted} more problem(s) not listed`);
  return lines.join('\n');
}
