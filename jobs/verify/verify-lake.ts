import type { AuditPublicKey } from '../../lake/chain/index.ts';
import type { QueryEngine } from '../../query/index.ts';
import { type SqlFragment, sql } from '../../sql/index.ts';
import { type CheckedCheckpoints, checkCheckpoints } from './check-checkpoints.ts';
import { createChainVerifier } from './chain-verifier.ts';
import { CHECKPOINT_COLUMN_NAMES, EVENT_COLUMN_NAMES } from './normalize-lake-row.ts';
import type { VerifyReport } from './verify-report.ts';

/** Per-call options of {@link verifyLake}. */
export interface VerifyLakeOptions {
  /** Only these namespaces (default: every namespace in the lake). */
  namespaces?: readonly string[];
  /** Only events (and checkpoints) with `from <= ts < to`; a windowed chain opens at its first row. */
  from?: Date;
  to?: Date;
  /** The published public keys (`GET /audit/keys`); a checkpoint's key id picks one. */
  publicKeys?: readonly AuditPublicKey[];
  /** Unsigned checkpoints are reconciled and reported as notes, not errors. */
  allowUnsigned?: boolean;
  /** Identical re-deliveries (at-least-once) are notes, not errors. */
  allowDuplicates?: boolean;
  /** Seqs per query (default 5000): memory stays near this many rows, whatever the chain's length. */
  pageRows?: number;
  /** The catalog namespace of the tables (default `analytics`). */
  tableNamespace?: string;
  /** Problems listed at most (default 10 000). */
  maxProblems?: number;
}

interface Scope {
  table: (name: string) => SqlFragment;
  filter: SqlFragment;
}

function scopeOf(options: VerifyLakeOptions): Scope {
  const namespace = options.tableNamespace ?? 'analytics';
  const parts: SqlFragment[] = [sql`TRUE`];
  if (options.namespaces?.length) parts.push(sql`ns IN ${[...options.namespaces]}`);
  if (options.from) parts.push(sql`ts >= ${options.from}`);
  if (options.to) parts.push(sql`ts < ${options.to}`);
  return { table: (name) => sql.id(namespace, name), filter: sql.join(parts, sql` AND `) };
}

async function readCheckpoints(
  engine: QueryEngine,
  s: Scope,
  options: VerifyLakeOptions,
): Promise<CheckedCheckpoints> {
  const columns = sql.join(CHECKPOINT_COLUMN_NAMES.map((c) => sql.id(c)));
  const rows: Record<string, unknown>[] = [];
  let after = '';
  const page = 10_000;
  for (;;) {
    const { rows: got } = await engine.query(
      sql`SELECT ${columns} FROM ${s.table('checkpoints')} WHERE ${s.filter} AND id > ${after} ORDER BY id LIMIT ${page}`
        .text,
    );
    rows.push(...got);
    if (got.length < page) break;
    after = String(got.at(-1)!.id);
  }
  return checkCheckpoints(rows, options);
}

async function listChains(engine: QueryEngine, s: Scope): Promise<{ ns: string; incarnation: string }[]> {
  const chains: { ns: string; incarnation: string }[] = [];
  const page = 10_000;
  let after = sql`TRUE`;
  for (;;) {
    const { rows } = await engine.query<{ ns: string; incarnation: string }>(
      sql`SELECT ns, incarnation FROM ${s.table('events')} WHERE ${s.filter} AND ${after}
          GROUP BY ns, incarnation ORDER BY ns, incarnation LIMIT ${page}`.text,
    );
    chains.push(...rows);
    if (rows.length < page) return chains;
    const last = rows.at(-1)!;
    after = sql`(ns > ${last.ns} OR (ns = ${last.ns} AND incarnation > ${last.incarnation}))`;
  }
}

/**
 * Verifies the audit trail in the lake through any query engine (R2 SQL, the stand-in, DuckDB):
 * checkpoints first (signatures by key id), then every chain, page by page in seq order — a window of
 * `pageRows` seqs per query, so memory stays bounded for a namespace of 10M events. Every hash is
 * recomputed from the canonical row; links, gaps, duplicates, truncated tails and checkpoint heads and
 * counts are checked. Workers-safe.
 *
 * @example
 * ```ts
 * import { verifyLake } from './verify-lake.ts';
 * const report = await verifyLake(engine, { publicKeys: [{ kid: 'k1', kty: 'OKP', crv: 'Ed25519', x }] });
 * report.ok; // false names every problem in report.problems
 * ```
 */
export async function verifyLake(
  engine: QueryEngine,
  options: VerifyLakeOptions = {},
): Promise<VerifyReport> {
  const s = scopeOf(options);
  const windowed = options.from !== undefined || options.to !== undefined;
  const verifier = createChainVerifier({
    checkpoints: await readCheckpoints(engine, s, options),
    allowDuplicates: options.allowDuplicates,
    maxProblems: options.maxProblems,
    windowed,
  });
  const columns = sql.join(EVENT_COLUMN_NAMES.map((c) => sql.id(c)));
  const pageRows = options.pageRows ?? 5000;
  for (const { ns, incarnation } of await listChains(engine, s)) {
    const chain = sql`${s.filter} AND ns = ${ns} AND incarnation = ${incarnation}`;
    let after = 0;
    let width = pageRows;
    for (;;) {
      const limit = width * 2;
      const { rows } = await engine.query(
        sql`SELECT ${columns} FROM ${s.table('events')} WHERE ${chain} AND seq > ${after} AND seq <= ${after + width}
            ORDER BY seq, hash LIMIT ${limit}`.text,
      );
      if (rows.length >= limit && width > 1) {
        width = Math.max(1, Math.floor(width / 2)); // many re-deliveries here: a narrower window
        continue;
      }
      if (rows.length > 0) {
        verifier.push(rows);
        after += width;
        width = pageRows;
        continue;
      }
      const { rows: next } = await engine.query<{ s: number | string | null }>(
        sql`SELECT min(seq) AS s FROM ${s.table('events')} WHERE ${chain} AND seq > ${after}`.text,
      );
      const nextSeq = next[0]?.s;
      if (nextSeq === null || nextSeq === undefined) break;
      after = Number(nextSeq) - 1;
    }
  }
  return verifier.finish({
    namespaces: options.namespaces?.length ? [...options.namespaces] : 'all',
    ...(options.from ? { from: options.from.toISOString() } : {}),
    ...(options.to ? { to: options.to.toISOString() } : {}),
  });
}
