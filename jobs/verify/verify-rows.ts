import type { AuditPublicKey } from '../../lake/chain/index.ts';
import { checkCheckpoints } from './check-checkpoints.ts';
import { createChainVerifier } from './chain-verifier.ts';
import { normalizeEventRow } from './normalize-lake-row.ts';
import type { VerifyReport } from './verify-report.ts';

/** Rows of one source (a data file), as its reader returned them. */
export interface RowSource {
  file?: string;
  rows: readonly Record<string, unknown>[];
}

/** Per-call options of {@link verifyRows}. */
export interface VerifyRowsOptions {
  checkpoints?: Iterable<Record<string, unknown>>;
  publicKeys?: readonly AuditPublicKey[];
  allowUnsigned?: boolean;
  allowDuplicates?: boolean;
}

/**
 * Verifies rows held in memory, in any order and from any reader (e.g. every Parquet file of a small
 * lake, read directly): sorts them by (ns, incarnation, seq), keeps each row's file, and runs the
 * streaming verifier. For a large lake use `verifyLake`, which pages in seq order instead.
 *
 * @example
 * ```ts
 * import { verifyRows } from './verify-rows.ts';
 * const report = await verifyRows([{ file: 'events/a.parquet', rows }], { checkpoints, publicKeys });
 * ```
 */
export async function verifyRows(
  sources: readonly RowSource[],
  options: VerifyRowsOptions = {},
): Promise<VerifyReport> {
  const all: { key: [string, string, number, string]; raw: Record<string, unknown>; file?: string }[] = [];
  for (const source of sources) {
    for (const raw of source.rows) {
      const r = normalizeEventRow(raw);
      all.push({
        key: [String(r.ns), String(r.incarnation), Number(r.seq), String(r.hash)],
        raw,
        file: source.file,
      });
    }
  }
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  all.sort(
    (a, b) =>
      cmp(a.key[0], b.key[0]) || cmp(a.key[1], b.key[1]) || a.key[2] - b.key[2] || cmp(a.key[3], b.key[3]),
  );
  const verifier = createChainVerifier({
    checkpoints: await checkCheckpoints(options.checkpoints ?? [], options),
    allowDuplicates: options.allowDuplicates,
  });
  for (const item of all) verifier.push([item.raw], item.file);
  return verifier.finish({ namespaces: 'all' });
}
