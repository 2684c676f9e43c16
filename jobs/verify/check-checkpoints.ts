import {
  type AuditPublicKey,
  importAuditPublicKeys,
  type SignatureStatus,
  verifyCheckpointSignature,
} from '../../lake/chain/index.ts';
import { normalizeCheckpointRow } from './normalize-lake-row.ts';
import type { SignatureSummary, VerifyProblem } from './verify-report.ts';

/** A checkpoint row after its signature was checked. */
export interface CheckedCheckpoint {
  id: string;
  ns: string;
  incarnation: string;
  head_seq: number;
  head_hash: string;
  count: number;
  ts: number;
  key_id: string | null;
  status: SignatureStatus;
}

/** The checkpoints of every chain, the trusted ones in head-seq order, and what was wrong with the rest. */
export interface CheckedCheckpoints {
  /** `ns \n incarnation` → checkpoints to reconcile the lake against (valid, or unsigned when allowed). */
  byChain: Map<string, CheckedCheckpoint[]>;
  signatures: SignatureSummary;
  problems: VerifyProblem[];
}

/** Per-call options of {@link checkCheckpoints}. */
export interface CheckCheckpointsOptions {
  publicKeys?: readonly AuditPublicKey[];
  /** Unsigned checkpoints are reconciled and reported as notes instead of errors. */
  allowUnsigned?: boolean;
}

/** The key a chain is known by. */
export const chainKey = (ns: string, incarnation: string): string => `${ns}\n${incarnation}`;

const num = (value: unknown): number => Number(value);

function problemOf(c: CheckedCheckpoint, allowUnsigned: boolean): VerifyProblem | null {
  const base = {
    ns: c.ns,
    incarnation: c.incarnation,
    seqFrom: c.head_seq,
    seqTo: c.head_seq,
    checkpoint: c.id,
  };
  switch (c.status) {
    case 'valid':
      return null;
    case 'invalid':
      return {
        ...base,
        kind: 'bad-signature',
        severity: 'error',
        message: `checkpoint ${c.id} (head seq ${c.head_seq}, count ${c.count}) has a signature that does not verify with key ${c.key_id}: forged or altered`,
      };
    case 'unknown-key':
      return {
        ...base,
        kind: 'unknown-key',
        severity: 'error',
        message: `checkpoint ${c.id} is signed with key ${c.key_id}, which no given public key has (pass it with --public-key)`,
      };
    default:
      return {
        ...base,
        kind: 'unsigned',
        severity: allowUnsigned ? 'note' : 'error',
        message: `checkpoint ${c.id} carries no signature: it shows what the lake held, not who stated it`,
      };
  }
}

/**
 * Normalizes checkpoint rows as any engine returns them, deduplicates re-deliveries on id, checks
 * every signature against the public keys by key id, and groups the trusted checkpoints per chain.
 * A forged or altered checkpoint is reported and not trusted; two different rows under one id are a
 * conflict.
 *
 * @example
 * ```ts
 * import { checkCheckpoints } from './check-checkpoints.ts';
 * const checked = await checkCheckpoints(rows, { publicKeys: [{ kid: 'k1', kty: 'OKP', crv: 'Ed25519', x }] });
 * checked.signatures.valid; // how many verified
 * ```
 */
export async function checkCheckpoints(
  rows: Iterable<Record<string, unknown>>,
  options: CheckCheckpointsOptions = {},
): Promise<CheckedCheckpoints> {
  const keys = await importAuditPublicKeys(options.publicKeys ?? []);
  const allowUnsigned = options.allowUnsigned ?? false;
  const seen = new Map<string, string>();
  const signatures: SignatureSummary = { checkpoints: 0, valid: 0, invalid: 0, unknownKey: 0, unsigned: 0 };
  const problems: VerifyProblem[] = [];
  const byChain = new Map<string, CheckedCheckpoint[]>();
  for (const raw of rows) {
    const row = normalizeCheckpointRow(raw);
    const text = JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
    const id = String(row.id);
    const before = seen.get(id);
    if (before === text) continue;
    const checked: CheckedCheckpoint = {
      id,
      ns: String(row.ns),
      incarnation: String(row.incarnation),
      head_seq: num(row.head_seq),
      head_hash: String(row.head_hash),
      count: num(row.count),
      ts: num(row.ts),
      key_id: (row.key_id as string | null) ?? null,
      status: 'unsigned',
    };
    if (before !== undefined) {
      problems.push({
        kind: 'conflict',
        severity: 'error',
        ns: checked.ns,
        incarnation: checked.incarnation,
        seqFrom: checked.head_seq,
        seqTo: checked.head_seq,
        checkpoint: id,
        message: `two different checkpoint rows carry id ${id}`,
      });
      continue;
    }
    seen.set(id, text);
    checked.status = await verifyCheckpointSignature(row as never, keys);
    signatures.checkpoints++;
    if (checked.status === 'valid') signatures.valid++;
    else if (checked.status === 'invalid') signatures.invalid++;
    else if (checked.status === 'unknown-key') signatures.unknownKey++;
    else signatures.unsigned++;
    const problem = problemOf(checked, allowUnsigned);
    if (problem) problems.push(problem);
    if (checked.status !== 'valid' && checked.status !== 'unsigned') continue;
    const key = chainKey(checked.ns, checked.incarnation);
    const list = byChain.get(key) ?? [];
    byChain.set(key, list);
    list.push(checked);
  }
  for (const list of byChain.values()) list.sort((a, b) => a.head_seq - b.head_seq);
  return { byChain, signatures, problems };
}
