import * as duckdb from '@duckdb/duckdb-wasm';
import { normalizeEventRow } from '../../../jobs/verify/normalize-lake-row.ts';
import { hashInput } from '../../../lake/chain/event-hash.ts';
import { sql } from '../../../sql/index.ts';

/** One finding of the in-browser check, at a seq of an incarnation. */
export interface BrowserFinding {
  kind: 'gap' | 'broken-link' | 'edited' | 'conflict';
  incarnation: string;
  seq: number;
  /** The last seq of a gap. */
  seqTo?: number;
  message: string;
}

/** What the browser found over one namespace's events. */
export interface BrowserCheck {
  ok: boolean;
  events: number;
  rows: number;
  /** Rows delivered more than once with identical content (at-least-once delivery; not a problem). */
  redelivered: number;
  hashed: number;
  findings: BrowserFinding[];
  ms: number;
}

/** Where DuckDB-Wasm's worker and wasm are served (the dashboard's own handler). */
export interface DuckDbAssets {
  worker: string;
  wasm: string;
}

let database: Promise<duckdb.AsyncDuckDB> | null = null;

async function open(assets: DuckDbAssets): Promise<duckdb.AsyncDuckDB> {
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), new Worker(assets.worker));
  await db.instantiate(assets.wasm);
  await db.open({});
  const connection = await db.connect();
  // Offline by design: nothing may be fetched, so no extension is ever installed or loaded.
  await connection.query('SET autoinstall_known_extensions = false');
  await connection.query('SET autoload_known_extensions = false');
  await connection.close();
  return db;
}

type Row = Record<string, unknown>;
const rowsOf = (table: { toArray(): { toJSON(): Row }[] }): Row[] => table.toArray().map((r) => r.toJSON());

const hex = (bytes: ArrayBuffer): string =>
  Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

/** Recomputes every distinct row's hash with WebCrypto over the canonical row (lake/chain's rules). */
async function editedRows(rows: Row[]): Promise<BrowserFinding[]> {
  const encoder = new TextEncoder();
  const findings: BrowserFinding[] = [];
  for (let i = 0; i < rows.length; i += 2000) {
    const part = rows.slice(i, i + 2000);
    const digests = await Promise.all(
      part.map((raw) => crypto.subtle.digest('SHA-256', encoder.encode(hashInput(normalizeEventRow(raw))))),
    );
    part.forEach((raw, j) => {
      if (hex(digests[j]!) !== raw.hash)
        findings.push({
          kind: 'edited',
          incarnation: String(raw.incarnation),
          seq: Number(raw.seq),
          message: `seq ${raw.seq}: the hash does not match the row's content`,
        });
    });
  }
  return findings;
}

const GAPS = `WITH d AS (SELECT DISTINCT incarnation, seq FROM events),
l AS (SELECT incarnation, seq, lag(seq) OVER (PARTITION BY incarnation ORDER BY seq) AS prev FROM d)
SELECT incarnation, coalesce(prev, 0) + 1 AS gap_from, seq - 1 AS gap_to FROM l
WHERE seq > coalesce(prev, 0) + 1 ORDER BY incarnation, seq`;

const LINKS = `WITH d AS (SELECT DISTINCT ON (id) incarnation, seq, verb, prev_hash, hash FROM events ORDER BY id),
l AS (SELECT *, lag(hash) OVER (PARTITION BY incarnation ORDER BY seq) AS before,
             lag(seq) OVER (PARTITION BY incarnation ORDER BY seq) AS prev_seq FROM d)
SELECT incarnation, seq, prev_seq FROM l
WHERE (prev_seq = seq - 1 AND prev_hash IS DISTINCT FROM before)
   OR (prev_seq IS NULL AND prev_hash IS NOT NULL AND verb NOT IN ('moved', 'compacted', 'restored'))
ORDER BY incarnation, seq`;

const CONFLICTS = `SELECT incarnation, min(seq) AS seq, count(DISTINCT id) AS ids, count(DISTINCT hash) AS hashes
FROM events GROUP BY incarnation, seq HAVING count(DISTINCT id) > 1 OR count(DISTINCT hash) > 1
ORDER BY incarnation, seq`;

/**
 * Verifies one namespace's events (the pages of `audit_events` as Arrow IPC streams, as the query API
 * answers them; see `downloadAuditPages`) in the browser: DuckDB-Wasm finds gaps in seq, conflicting
 * rows under one seq and broken `prev_hash` links; WebCrypto recomputes every row's SHA-256 over its
 * canonical form. Nothing is trusted from the
 * server but the rows themselves.
 *
 * @example
 * ```ts
 * import { checkInBrowser } from './check-in-browser.ts';
 * const report = await checkInBrowser([new Uint8Array(await blob.arrayBuffer())], { worker, wasm });
 * ```
 */
export async function checkInBrowser(
  pages: readonly Uint8Array[],
  assets: DuckDbAssets,
): Promise<BrowserCheck> {
  const started = performance.now();
  database ??= open(assets);
  database.catch(() => {
    database = null;
  });
  const connection = await (await database).connect();
  try {
    await connection.query('DROP TABLE IF EXISTS events');
    for (const [i, page] of pages.entries())
      await connection.insertArrowFromIPCStream(page, { name: 'events', create: i === 0 });
    const types = rowsOf(await connection.query('DESCRIBE events'));
    const micros = types
      .filter((c) => String(c.column_type).startsWith('TIMESTAMP'))
      .map((c) => sql`epoch_us(${sql.id(String(c.column_name))}) AS ${sql.id(String(c.column_name))}`);
    const select = micros.length ? sql`* REPLACE (${sql.join(micros)})` : sql`*`;
    const [counts] = rowsOf(
      await connection.query('SELECT count(*) AS n, count(DISTINCT id) AS ids FROM events'),
    );
    const distinct = rowsOf(
      await connection.query(sql`SELECT DISTINCT ON (id) ${select} FROM events ORDER BY id`.text),
    );
    const findings: BrowserFinding[] = [];
    for (const g of rowsOf(await connection.query(GAPS))) {
      const from = Number(g.gap_from);
      const to = Number(g.gap_to);
      findings.push({
        kind: 'gap',
        incarnation: String(g.incarnation),
        seq: from,
        seqTo: to,
        message: from === to ? `seq ${from} is missing` : `seq ${from}–${to} are missing`,
      });
    }
    for (const l of rowsOf(await connection.query(LINKS)))
      findings.push({
        kind: 'broken-link',
        incarnation: String(l.incarnation),
        seq: Number(l.seq),
        message:
          l.prev_seq === null
            ? `seq ${l.seq}: the first event links to nothing known`
            : `seq ${l.seq}: prev_hash is not the hash of seq ${l.prev_seq}`,
      });
    for (const c of rowsOf(await connection.query(CONFLICTS)))
      findings.push({
        kind: 'conflict',
        incarnation: String(c.incarnation),
        seq: Number(c.seq),
        message: `seq ${c.seq}: different rows under one seq`,
      });
    findings.push(...(await editedRows(distinct)));
    findings.sort((a, b) =>
      a.incarnation < b.incarnation ? -1 : a.incarnation > b.incarnation ? 1 : a.seq - b.seq,
    );
    const rows = Number(counts?.n ?? 0);
    const events = Number(counts?.ids ?? 0);
    return {
      ok: findings.length === 0 && events > 0,
      events,
      rows,
      redelivered: rows - events,
      hashed: distinct.length,
      findings,
      ms: performance.now() - started,
    };
  } finally {
    await connection.query('DROP TABLE IF EXISTS events').catch(() => {});
    await connection.close();
  }
}
