import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventHash } from '../../../lake/chain/index.ts';
import { encodeParquet } from '../../../lake/index.ts';
import { createDuckDbEngine, type DuckDbEngine } from '../../../query/duckdb/index.ts';
import {
  type CheckpointRow,
  checkpointRow,
  type EventRow,
  eventRow as eventSchema,
} from '../../../schemas/index.ts';
import { createViewRegistry } from '../../../views/index.ts';
import { auditCheckpoints, auditViews } from '../../../views/library/audit/index.ts';
import { eventRow } from '../fixtures/events.ts';
import { tempDir } from '../helpers.ts';
import { cases } from './cases/audit.ts';
import type { Workload } from './view-case.ts';

// The audit views on a tiny hand-built lake (real Parquet, real DuckDB): two chains, one with a gap
// (seq 5 lost), a re-delivered event (seq 3), a broken link (seq 8) and checkpoints of every kind.

const A = 'https://a.audit.test';
const B = 'https://b.audit.test';
const actors = ['https://auth.test/u/nathan', 'https://auth.test/u/priya'];

function chain(ns: string, length: number): EventRow[] {
  let prev: string | null = null;
  return Array.from({ length }, (_, i) => {
    const row = {
      ...eventRow(i + 1, ns),
      actor: actors[i % 2]!,
      output_version: `${ns}/startup-${(i + 1) % 3}@v${i + 1}`,
      target: `${ns}/startup-${(i + 1) % 3}`,
      prev_hash: prev,
    } as EventRow;
    row.hash = eventHash(row);
    prev = row.hash;
    return row;
  });
}

let temp: Awaited<ReturnType<typeof tempDir>>;
let engine: DuckDbEngine;
let workload: Workload;
const registry = createViewRegistry([...auditViews]);
// The registry's structural engine type; the DuckDB engine answers it (its metrics are a narrower type).
const viewEngine = () => engine as unknown as Parameters<typeof registry.run>[0];

beforeAll(async () => {
  temp = await tempDir('audit-views-');
  const a = chain(A, 10).filter((r) => r.seq !== 5);
  a[6]!.prev_hash = 'f'.repeat(64); // seq 8
  const b = chain(B, 6);
  const delivered = [...a, a[2]!, ...b];
  const checkpoints: CheckpointRow[] = [
    {
      schema_version: 2,
      id: `${A}/checkpoints/inc-1/4`,
      ns: A,
      incarnation: 'inc-1',
      head_seq: 4,
      head_hash: a[3]!.hash!,
      count: 4,
      ts: 1,
      key_id: null,
      signature: null,
    },
    {
      schema_version: 2,
      id: `${A}/checkpoints/inc-1/6`,
      ns: A,
      incarnation: 'inc-1',
      head_seq: 6,
      head_hash: a[4]!.hash!,
      count: 6,
      ts: 2,
      key_id: null,
      signature: null,
    },
    {
      schema_version: 2,
      id: `${A}/checkpoints/inc-1/5`,
      ns: A,
      incarnation: 'inc-1',
      head_seq: 5,
      head_hash: 'x',
      count: 5,
      ts: 2,
      key_id: null,
      signature: null,
    },
    {
      schema_version: 2,
      id: `${B}/checkpoints/inc-1/6`,
      ns: B,
      incarnation: 'inc-1',
      head_seq: 6,
      head_hash: 'y',
      count: 6,
      ts: 3,
      key_id: 'k1',
      signature: 'z',
    },
  ];
  const dir = join(temp.dir, 'events', 'year=2025', 'month=11', 'day=24');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'a.parquet'), encodeParquet(eventSchema, delivered));
  const cpDir = join(temp.dir, 'checkpoints', 'year=2025', 'month=11', 'day=24');
  await mkdir(cpDir, { recursive: true });
  await writeFile(join(cpDir, 'c.parquet'), encodeParquet(checkpointRow, checkpoints));
  const events = [...a, ...b];
  const ts = events.map((e) => Number(e.ts));
  workload = {
    delivered,
    events,
    things: [],
    actions: [],
    namespaces: [A, B],
    types: [`${A}/Startup`],
    actors,
    from: new Date(Math.min(...ts) / 1000),
    to: new Date(Math.max(...ts) / 1000),
  };
  engine = await createDuckDbEngine({ lake: temp.dir });
});

afterAll(async () => {
  engine?.close();
  await temp?.remove();
});

const normalize = (rows: Record<string, unknown>[]) =>
  rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [
        k,
        typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)
          ? new Date(v).toISOString()
          : typeof v === 'string' && /^\d+$/.test(v)
            ? Number(v)
            : v,
      ]),
    ),
  );

describe('audit views on DuckDB', () => {
  // This lake holds checkpoints; the audit_checkpoints case is for the generated workload, which has
  // none. Reconciliation on this lake is checked by its own tests below.
  for (const c of cases.filter((c) => c.view.name !== 'audit_checkpoints')) {
    it(c.name, async () => {
      const params = typeof c.params === 'function' ? c.params(workload) : c.params;
      const { rows } = await registry.run(viewEngine(), c.view.name, params);
      const want = c.expected(workload, c.view.params.parse(params));
      expect(normalize(rows)).toEqual(normalize(want));
    });
  }

  it('the oracles see the tampering: a gap at 5, a duplicate, a broken link at 8', () => {
    const completeness = cases.find((c) => c.view.name === 'audit_completeness')!.expected(workload, {});
    expect(completeness[0]).toMatchObject({ ns: A, missing: 1, duplicates: 1 });
    expect(cases.find((c) => c.view.name === 'audit_gaps')!.expected(workload, {})).toEqual([
      { ns: A, incarnation: 'inc-1', gap_from: 5, gap_to: 5 },
    ]);
    expect(
      cases
        .find((c) => c.view.name === 'audit_chain_links')!
        .expected(workload, {})
        .map((r) => r.seq),
    ).toEqual([8]);
  });

  it('audit_checkpoints: ok, count-mismatch, missing-head and hash-mismatch', async () => {
    const { rows } = await registry.run(viewEngine(), auditCheckpoints.name, {});
    expect(normalize(rows).map((r) => [r.ns, r.head_seq, r.status, r.lake_events])).toEqual([
      [A, 4, 'ok', 4],
      [A, 5, 'missing-head', null],
      [A, 6, 'count-mismatch', 5],
      [B, 6, 'hash-mismatch', 6],
    ]);
  });
});
