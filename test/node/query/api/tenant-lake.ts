import { createDuckDbEngine, type DuckDbEngine } from '../../../../query/duckdb/index.ts';
import { withR2SqlDialect } from '../../../../query/index.ts';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeParquet } from '../../../../lake/index.ts';
import { deriveGlobalRows, type EventRow, TABLES, type TableName } from '../../../../schemas/index.ts';
import { eventRow, tempDir } from '../../fixtures/events.ts';

/** Namespaces the test token may read (`https://*.acme.test` and `https://solo.test`). */
export const MINE = ['https://one.acme.test', 'https://two.acme.test', 'https://solo.test'];
/** Namespaces it must never see: look-alikes of the pattern, the apex, a port, a path. */
export const THEIRS = [
  'https://evil.test',
  'https://acme.test',
  'https://evilacme.test',
  'https://one.acme.test.evil.test',
  'https://one.acme.test:8443',
  'http://one.acme.test',
];
/** A marker every row of theirs carries in its target and data, so a leaked row is recognisable. */
export const MARK = 'zzleak';

function rowsOf(ns: string, theirs: boolean, count: number): EventRow[] {
  return Array.from({ length: count }, (_, i) => {
    const row = eventRow(i + 1, ns);
    if (!theirs) return row;
    return {
      ...row,
      target: `${ns}/${MARK}-${i % 3}`,
      output_version: `${ns}/${MARK}-${i % 3}@v${i + 1}`,
      data: { name: `${MARK} ${i}`, seq: i, score: 1, paid: true, tags: [MARK] },
    };
  });
}

const checkpoint = (ns: string, head: number) => ({
  schema_version: 1,
  id: `${ns}/checkpoints/inc-1/${head}`,
  ns,
  incarnation: 'inc-1',
  head_seq: head,
  head_hash: 'c'.repeat(64),
  count: head,
  ts: 1_764_000_000_000_000 + head * 1_000_000,
});

export interface TenantLakes {
  /** Every namespace's rows. */
  all: ReturnType<typeof withR2SqlDialect<DuckDbEngine>>;
  /** Only the token's namespaces: what a correct filter must answer. */
  mine: ReturnType<typeof withR2SqlDialect<DuckDbEngine>>;
  close(): Promise<void>;
}

/** Writes a lake of these namespaces (theirs marked) under `dir`, as the r2 sink lays it out. */
export function writeLake(dir: string, namespaces: [string, boolean][]): string {
  const events = namespaces.flatMap(([ns, theirs]) => {
    const rows = rowsOf(ns, theirs, 40);
    return [...rows, ...rows.slice(0, 5)]; // delivered at least once: some twice
  });
  const derived = events.map(deriveGlobalRows);
  const tables: Record<string, Record<string, unknown>[]> = {
    events,
    things: derived.flatMap((d) => d.things),
    actions: derived.flatMap((d) => d.actions),
    checkpoints: namespaces.map(([ns]) => checkpoint(ns, 40)),
  };
  for (const [name, rows] of Object.entries(tables)) {
    const path = join(dir, name, 'year=2025', 'month=11', 'day=24');
    mkdirSync(path, { recursive: true });
    writeFileSync(join(path, `${randomUUID()}.parquet`), encodeParquet(TABLES[name as TableName], rows));
  }
  return dir;
}

/** Two lakes of Parquet in the r2 sink's layout (all four tables): everyone's, and only the token's. */
export async function tenantLakes(): Promise<TenantLakes> {
  const temp = await tempDir('dotdo-qapi-');
  const allDir = writeLake(`${temp.dir}/all`, [
    ...MINE.map((ns): [string, boolean] => [ns, false]),
    ...THEIRS.map((ns): [string, boolean] => [ns, true]),
  ]);
  const mineDir = writeLake(
    `${temp.dir}/mine`,
    MINE.map((ns): [string, boolean] => [ns, false]),
  );
  const all = withR2SqlDialect(await createDuckDbEngine({ lake: allDir, timeoutMs: 10_000 }));
  const mine = withR2SqlDialect(await createDuckDbEngine({ lake: mineDir, timeoutMs: 10_000 }));
  return {
    all,
    mine,
    async close() {
      await all.close();
      await mine.close();
      await temp.remove();
    },
  };
}
