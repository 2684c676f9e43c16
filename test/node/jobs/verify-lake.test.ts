import { createHash } from 'node:crypto';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main as cliMain } from '../../../cli/main.ts';
import {
  normalizeCheckpointRow,
  normalizeEventRow,
  type VerifyReport,
  verifyLake,
  verifyRows,
} from '../../../jobs/verify/index.ts';
import { eventHash } from '../../../lake/chain/index.ts';
import { encodeParquet } from '../../../lake/index.ts';
import { startLocalStack } from '../../../local/index.ts';
import { createDuckDbEngine } from '../../../query/duckdb/index.ts';
import { createR2SqlEngine } from '../../../query/index.ts';
import { type CheckpointRow, checkpointRow, eventRow } from '../../../schemas/index.ts';
import { runCli } from '../cli/run-cli.ts';
import { tempDir } from '../helpers.ts';
import { type AuditLake, auditKeyPair, startDroppingProxy, writeAuditLake } from './audit-lake.ts';

// The acceptance of `verify`: a real lake written by the example Worker's objects in workerd through
// the Pipelines stand-in (signed checkpoints every 100 events, a data file per 200 events), then tampered with as an attacker or a lossy pipeline would, and verified by the CLI.

const A = 'https://a.audit.test';
const B = 'https://b.audit.test';
const LOSSY = 'https://lossy.audit.test';
const EVENTS = 400;

let temp: Awaited<ReturnType<typeof tempDir>>;
let lake: AuditLake<Awaited<ReturnType<typeof startDroppingProxy>>>;
let keyFile: string;
let publicKey: Awaited<ReturnType<typeof auditKeyPair>>['publicKey'];
let copies = 0;
let published: { keys: unknown[]; signing: boolean };
let health: {
  before: unknown;
  after: VerifyReport & { signing: boolean };
  anonymous: { status: number; body: unknown };
  wrong: { status: number; body: unknown };
  tenantA: Record<string, unknown>;
  tenantLossy: Record<string, unknown>;
};
const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');

beforeAll(async () => {
  temp = await tempDir('verify-lake-');
  const key = await auditKeyPair('k2026');
  publicKey = key.publicKey;
  keyFile = join(temp.dir, 'keys.json');
  await writeFile(keyFile, JSON.stringify({ keys: [publicKey] }));
  lake = await writeAuditLake({
    dataDir: join(temp.dir, 'data'),
    namespaces: [A, B, LOSSY],
    events: EVENTS,
    parts: 2,
    checkpointEvery: 100,
    signingKey: key.secret,
    // Acknowledges every request but keeps 99 % of the lossy namespace's events.
    proxy: (url) => startDroppingProxy(url, (record, i) => record.ns === LOSSY && i % 100 === 37),
    queryTokens: JSON.stringify([
      { name: 'admin', sha256: sha256('audit-admin'), namespaces: ['*'], admin: true },
      { name: 'tenant-a', sha256: sha256('audit-a'), namespaces: [A] },
      { name: 'tenant-lossy', sha256: sha256('audit-lossy'), namespaces: [LOSSY] },
    ]),
    async withWorker(worker) {
      const answer = async (path: string, token?: string) => {
        const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
        const response = await worker.miniflare.dispatchFetch(`${worker.url}${path}`, { headers });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };
      const get = async (path: string, token?: string) => (await answer(path, token)).body;
      published = (await get('/audit/keys')) as typeof published;
      const before = await get('/audit/health', 'audit-admin');
      await (await worker.miniflare.getWorker()).scheduled({ cron: '*/30 * * * *' });
      health = {
        before,
        after: (await get('/audit/health', 'audit-admin')) as unknown as typeof health.after,
        anonymous: await answer('/audit/health'),
        wrong: await answer('/audit/health', 'audit-nope'),
        tenantA: await get('/audit/health', 'audit-a'),
        tenantLossy: await get('/audit/health', 'audit-lossy'),
      };
    },
  });
}, 180_000);

afterAll(async () => {
  await lake?.close();
  await temp?.remove();
});

/** A copy of the lake's bucket (`<copy>/r2/lake`) to tamper with. */
async function copyLake(): Promise<{ dir: string; bucket: string }> {
  const dir = join(temp.dir, `copy-${++copies}`);
  await cp(join(temp.dir, 'data', 'r2'), join(dir, 'r2'), { recursive: true });
  return { dir, bucket: join(dir, 'r2', 'lake') };
}

async function parquetFiles(bucket: string, table: string): Promise<string[]> {
  const files = (await readdir(join(bucket, table), { recursive: true })) as string[];
  return files.filter((f) => f.endsWith('.parquet')).map((f) => join(bucket, table, f));
}

/** Reads a Parquet file directly (hyparquet, µs timestamps kept) into normalized rows. */
async function readRows(file: string, table: 'events' | 'checkpoints'): Promise<Record<string, unknown>[]> {
  const buffer = (await readFile(file)).buffer as ArrayBuffer;
  const raw = (await parquetReadObjects({
    file: buffer,
    compressors,
    utf8: true,
    parsers: { timestampFromMicroseconds: (micros: bigint) => micros },
  })) as Record<string, unknown>[];
  return raw.map(table === 'events' ? normalizeEventRow : normalizeCheckpointRow);
}

async function rewrite(file: string, table: 'events' | 'checkpoints', rows: Record<string, unknown>[]) {
  await writeFile(file, encodeParquet(table === 'events' ? eventRow : checkpointRow, rows));
}

/** The files of one namespace's events, in seq order, with their rows. */
async function eventFilesOf(bucket: string, ns: string) {
  const out: { file: string; rows: Record<string, unknown>[] }[] = [];
  for (const file of await parquetFiles(bucket, 'events')) {
    const rows = await readRows(file, 'events');
    if (rows.some((r) => r.ns === ns)) out.push({ file, rows });
  }
  return out.sort((x, y) => Number(x.rows[0]!.seq) - Number(y.rows[0]!.seq));
}

/** The CLI in this process (its exit code and what it printed); the clean case also runs the real bin. */
async function main(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const spy = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
    stdout += `${parts.join(' ')}\n`;
  });
  try {
    return { code: await cliMain(args), stdout };
  } finally {
    spy.mockRestore();
  }
}

async function cli(dir: string, ...args: string[]): Promise<{ code: number; report: VerifyReport }> {
  const run = await main(['verify', '--lake', dir, '--public-key', keyFile, '--format', 'json', ...args]);
  if (run.code === 2 || run.stdout === '') throw new Error(`verify exited ${run.code}`);
  return { code: run.code, report: JSON.parse(run.stdout) as VerifyReport };
}

const errorsOf = (report: VerifyReport) =>
  report.problems
    .filter((p) => p.severity === 'error')
    .map(({ kind, ns, seqFrom, seqTo }) => ({ kind, ns, seqFrom, seqTo }));

describe('verify on a real lake', () => {
  it('a clean lake verifies: exit 0, every checkpoint signature valid', async () => {
    const { dir } = await copyLake();
    const { code, report } = await cli(dir, '--ns', A, '--ns', B);
    expect(errorsOf(report)).toEqual([]);
    expect(code).toBe(0);
    expect(report.summary).toMatchObject({ namespaces: 2, chains: 2, events: 2 * EVENTS, rows: 2 * EVENTS });
    expect(report.summary.signatures).toEqual({
      checkpoints: 8,
      valid: 8,
      invalid: 0,
      unknownKey: 0,
      unsigned: 0,
    });
    const text = await runCli(['verify', '--lake', dir, '--ns', A, '--public-key', keyFile]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^VERIFIED/);
  });

  it('names each tampering precisely, with a non-zero exit', async () => {
    const flipped = await copyLake();
    const truncated = await copyLake();
    const deleted = await copyLake();
    const duplicated = await copyLake();
    // One byte of one row value flipped (seq 42's payload), the file otherwise as written.
    {
      const [first] = await eventFilesOf(flipped.bucket, A);
      const row = first!.rows.find((r) => r.ns === A && r.seq === 42)!;
      const note = String((row.data as { note: string }).note);
      row.data = {
        ...(row.data as object),
        note: String.fromCharCode(note.charCodeAt(0) ^ 1) + note.slice(1),
      };
      await rewrite(first!.file, 'events', first!.rows);
    }
    // The last 10 events of B cut off its newest file.
    {
      const files = await eventFilesOf(truncated.bucket, B);
      const last = files.at(-1)!;
      await rewrite(
        last.file,
        'events',
        last.rows.filter((r) => !(r.ns === B && Number(r.seq) > EVENTS - 10)),
      );
    }
    // A's first data file (seq 1..200) deleted.
    await rm((await eventFilesOf(deleted.bucket, A))[0]!.file);
    // A's seq 77 delivered once more, in a file of its own.
    {
      const [first] = await eventFilesOf(duplicated.bucket, A);
      const copy = first!.rows.filter((r) => r.ns === A && r.seq === 77);
      await rewrite(first!.file.replace(/[^/]+\.parquet$/, 'duplicate.parquet'), 'events', copy);
    }
    const f = await cli(flipped.dir, '--ns', A);
    const t = await cli(truncated.dir, '--ns', B);
    const d = await cli(deleted.dir, '--ns', A);
    const dup = await cli(duplicated.dir, '--ns', A);
    const dupAllowed = await cli(duplicated.dir, '--ns', A, '--allow-duplicates');
    expect(f.code).toBe(1);
    expect(errorsOf(f.report)).toEqual([{ kind: 'edited', ns: A, seqFrom: 42, seqTo: 42 }]);
    expect(t.code).toBe(1);
    expect(errorsOf(t.report)).toEqual([{ kind: 'truncated', ns: B, seqFrom: 391, seqTo: 400 }]);
    expect(d.code).toBe(1);
    expect(errorsOf(d.report)).toEqual([
      { kind: 'gap', ns: A, seqFrom: 1, seqTo: 200 },
      { kind: 'count-mismatch', ns: A, seqFrom: 1, seqTo: 300 },
      { kind: 'count-mismatch', ns: A, seqFrom: 1, seqTo: 400 },
    ]);
    expect(d.report.problems[1]!.message).toMatch(/states 300 events up to seq 300; the lake holds 100/);
    expect(dup.code).toBe(1);
    expect(errorsOf(dup.report)).toEqual([{ kind: 'duplicate', ns: A, seqFrom: 77, seqTo: 77 }]);
    expect(dup.report.summary.duplicates).toBe(1);
    expect(dupAllowed.code).toBe(0);
  });

  it('a lake rewritten and re-chained without the key, forged or stripped checkpoints: each named', async () => {
    const rechained = await copyLake();
    const forged = await copyLake();
    const stripped = await copyLake();
    // Seq 120's data edited, every later hash and prev_hash recomputed, the checkpoints' head hashes
    // updated to match — everything an attacker with write access to the lake can do but sign.
    {
      const files = await eventFilesOf(rechained.bucket, A);
      const chain = files
        .flatMap((f) => f.rows.filter((r) => r.ns === A))
        .sort((x, y) => Number(x.seq) - Number(y.seq));
      const newHash = new Map<number, string>();
      let prev: string | null = null;
      for (const row of chain) {
        if (row.seq === 120) row.data = { ...(row.data as object), note: 'approved by nobody' };
        if (Number(row.seq) >= 120) {
          row.prev_hash = prev;
          row.hash = eventHash(row);
          newHash.set(Number(row.seq), row.hash as string);
        }
        prev = row.hash as string;
      }
      for (const f of files) await rewrite(f.file, 'events', f.rows);
      for (const file of await parquetFiles(rechained.bucket, 'checkpoints')) {
        const rows = await readRows(file, 'checkpoints');
        for (const r of rows)
          if (r.ns === A && newHash.has(Number(r.head_seq))) r.head_hash = newHash.get(Number(r.head_seq));
        await rewrite(file, 'checkpoints', rows);
      }
    }
    // A checkpoint for A that the Worker never signed (signed with another key under the same key id).
    {
      const other = await auditKeyPair('k2026');
      const { createCheckpointSigner } = await import('../../../ingest/index.ts');
      const signer = await createCheckpointSigner(other.secret);
      const [file] = await parquetFiles(forged.bucket, 'checkpoints');
      const rows = await readRows(file!, 'checkpoints');
      const real = rows.find((r) => r.ns === A)!;
      const fake = await signer.sign({
        ...(real as CheckpointRow),
        id: `${A}/checkpoints/${real.incarnation}/700`,
        head_seq: 700,
        count: 700,
      });
      await rewrite(file!.replace(/[^/]+\.parquet$/, 'forged.parquet'), 'checkpoints', [fake as never]);
    }
    // Signatures stripped from every checkpoint.
    for (const file of await parquetFiles(stripped.bucket, 'checkpoints')) {
      const rows = await readRows(file, 'checkpoints');
      await rewrite(
        file,
        'checkpoints',
        rows.map((r) => ({ ...r, key_id: null, signature: null })),
      );
    }
    const r = await cli(rechained.dir, '--ns', A);
    const fo = await cli(forged.dir, '--ns', A);
    const s = await cli(stripped.dir, '--ns', A);
    const sAllowed = await main(['verify', '--lake', stripped.dir, '--ns', A, '--allow-unsigned']);
    expect(r.code).toBe(1);
    expect(errorsOf(r.report)).toEqual(
      [200, 300, 400].map((seq) => ({ kind: 'bad-signature', ns: A, seqFrom: seq, seqTo: seq })),
    );
    expect(r.report.summary.errors).toEqual({ 'bad-signature': 3 });
    expect(fo.code).toBe(1);
    expect(errorsOf(fo.report)).toEqual([{ kind: 'bad-signature', ns: A, seqFrom: 700, seqTo: 700 }]);
    expect(s.code).toBe(1);
    expect(s.report.summary.errors).toEqual({ unsigned: 4 });
    expect(sAllowed.code).toBe(0);
    expect(sAllowed.stdout).toMatch(/UNSIGNED: no checkpoint carries a signature/);
  });

  it('the Worker publishes its public key, and its cron records the verify result for GET /audit/health', () => {
    expect(published).toEqual({ keys: [publicKey], signing: true });
    expect(health.before).toMatchObject({ ran: false });
    expect(health.after.ok).toBe(false);
    expect(health.after.signing).toBe(true);
    expect(health.after.summary.signatures.valid).toBe(12);
    expect(new Set(health.after.problems.filter((p) => p.severity === 'error').map((p) => p.ns))).toEqual(
      new Set([LOSSY]),
    );
  });

  it('GET /audit/health takes a query token, and a tenant sees only its own namespaces', () => {
    expect(health.anonymous.status).toBe(401);
    expect(health.wrong.status).toBe(401);
    // Tenant A's namespace is clean: no problem of the lossy one reaches it, nor any lake-wide count.
    expect(health.tenantA).toMatchObject({ ran: true, ok: true, problems: [], scope: { namespaces: [A] } });
    expect(health.tenantA).not.toHaveProperty('summary');
    expect(JSON.stringify(health.tenantA)).not.toContain(new URL(LOSSY).host);
    const lossy = health.tenantLossy.problems as { ns: string; severity: string }[];
    expect(health.tenantLossy.ok).toBe(false);
    expect(lossy.length).toBeGreaterThan(0);
    expect(lossy.every((p) => p.ns === LOSSY)).toBe(true);
  });

  it('records a sink silently dropped (1 %) are found: every missing seq, and the checkpoints that disagree', async () => {
    const { dir } = await copyLake();
    const { code, report } = await cli(dir, '--ns', LOSSY);
    expect(code).toBe(1);
    const gaps = report.problems.filter((p) => p.kind === 'gap');
    const missing = gaps.reduce((n, p) => n + p.seqTo - p.seqFrom + 1, 0);
    expect(lake.proxy!.dropped).toBe(EVENTS / 100);
    expect(missing).toBe(lake.proxy!.dropped);
    expect(report.summary.events).toBe(EVENTS - missing);
    expect(report.problems.some((p) => p.kind === 'count-mismatch')).toBe(true);
  });

  it('the same report from the R2 SQL stand-in, the DuckDB engine and the Parquet files read directly', async () => {
    const tampered = await copyLake();
    const files = await eventFilesOf(tampered.bucket, B);
    await rewrite(
      files.at(-1)!.file,
      'events',
      files.at(-1)!.rows.filter((r) => !(r.ns === B && Number(r.seq) > EVENTS - 5)),
    );
    await rm(files[0]!.file); // B's first file too (seq 1..200): a gap
    const options = { publicKeys: [publicKey], namespaces: [B] };
    const duck = await createDuckDbEngine({ lake: tampered.bucket });
    const stack = await startLocalStack({ dataDir: tampered.dir, port: 0 });
    try {
      const r2 = createR2SqlEngine({ accountId: 'local', bucket: 'lake', token: '', endpoint: stack.url });
      const viaDuck = await verifyLake(duck, options);
      const viaR2 = await verifyLake(r2, options);
      const sources = await Promise.all(
        (await parquetFiles(tampered.bucket, 'events')).map(async (file) => ({
          file,
          rows: (await readRows(file, 'events')).filter((r) => r.ns === B),
        })),
      );
      const checkpoints = (
        await Promise.all(
          (await parquetFiles(tampered.bucket, 'checkpoints')).map((f) => readRows(f, 'checkpoints')),
        )
      )
        .flat()
        .filter((r) => r.ns === B);
      const direct = await verifyRows(sources, { ...options, checkpoints });
      const comparable = (report: VerifyReport) => ({
        ok: report.ok,
        summary: report.summary,
        problems: report.problems.map(({ file: _file, ...rest }) => rest),
      });
      expect(viaDuck.ok).toBe(false);
      expect(
        errorsOf(viaDuck)
          .filter((p) => p.ns === B)
          .map((p) => p.kind),
      ).toEqual(['gap', 'count-mismatch', 'truncated']);
      expect(comparable(viaR2)).toEqual(comparable(viaDuck));
      expect(comparable(direct)).toEqual(comparable(viaDuck));
      // Read directly, a finding names its file.
      expect(direct.problems.find((p) => p.kind === 'truncated')?.file).toMatch(/\.parquet$/);
    } finally {
      duck.close();
      await stack.close();
    }
  });
});
