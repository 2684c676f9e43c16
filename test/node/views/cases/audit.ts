import { columnsOf, type EventRow, eventRow } from '../../../../schemas/index.ts';
import {
  auditChainLinks,
  auditCheckpoints,
  auditCompleteness,
  auditEvents,
  auditGaps,
  auditThingChanges,
  auditTrail,
  auditTrailByActor,
  auditTrailByTarget,
} from '../../../../views/library/audit/index.ts';
import type { ViewCase, Workload } from '../view-case.ts';

const iso = (micros: number): string =>
  `${new Date(Math.floor(micros / 1000)).toISOString().slice(0, 19)}.${String(micros % 1_000_000).padStart(6, '0')}Z`;
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const EVENT_COLUMNS = columnsOf(eventRow);

/** An events row as the lake answers it: every column (absent ones null), times ISO, JSON as text. */
const asLake = (e: EventRow): Record<string, unknown> => {
  const row: Record<string, unknown> = {};
  for (const { name, lakeType } of EVENT_COLUMNS) {
    const value = (e as Record<string, unknown>)[name] ?? null;
    row[name] =
      value === null
        ? null
        : lakeType === 'timestamp'
          ? iso(Number(value))
          : lakeType === 'json' && typeof value !== 'string'
            ? JSON.stringify(value)
            : value;
  }
  return row;
};

function trail(events: EventRow[], keep: (e: EventRow) => boolean, limit: number) {
  return events
    .filter(keep)
    .sort((a, b) => Number(a.ts) - Number(b.ts) || cmp(a.id, b.id))
    .slice(0, limit)
    .map((e) => ({
      ts: iso(Number(e.ts)),
      id: e.id,
      ns: e.ns,
      seq: Number(e.seq),
      actor: e.actor,
      event: e.event,
      target: e.target,
      input_version: e.input_version,
      output_version: e.output_version,
      status: e.status,
      request_id: e.request_id,
    }));
}

/** Chains (ns, incarnation) → their distinct seqs, ascending. */
/** One page of audit_events: the first `limit` events after the cursor, with every delivery of each. */
function eventsPage(
  w: Workload,
  p: { ns: string; after_incarnation?: string; after_seq?: number; limit: number },
): Record<string, unknown>[] {
  const after = (e: EventRow) =>
    e.incarnation > (p.after_incarnation ?? '') ||
    (e.incarnation === (p.after_incarnation ?? '') && Number(e.seq) > (p.after_seq ?? 0));
  const rows = w.delivered
    .filter((e) => e.ns === p.ns && after(e))
    .sort((a, b) => cmp(a.incarnation, b.incarnation) || Number(a.seq) - Number(b.seq) || cmp(a.id, b.id));
  const keys = new Set<string>();
  return rows
    .filter((e) => {
      const key = `${e.incarnation}\u0000${e.seq}`;
      if (keys.has(key)) return true;
      if (keys.size >= p.limit) return false;
      keys.add(key);
      return true;
    })
    .map(asLake);
}

function chains(w: Workload): Map<string, { ns: string; incarnation: string; seqs: number[]; rows: number }> {
  const out = new Map<string, { ns: string; incarnation: string; seqs: number[]; rows: number }>();
  for (const e of w.delivered) {
    const key = `${e.ns}\n${e.incarnation}`;
    const chain = out.get(key) ?? { ns: e.ns, incarnation: e.incarnation, seqs: [], rows: 0 };
    out.set(key, chain);
    chain.rows++;
  }
  for (const e of w.events) out.get(`${e.ns}\n${e.incarnation}`)!.seqs.push(Number(e.seq));
  for (const chain of out.values()) chain.seqs.sort((a, b) => a - b);
  return new Map([...out].sort(([a], [b]) => cmp(a, b)));
}

const versionOf = (ref: string | null): number => Number(ref?.split('@v')[1] ?? Number.NaN);

/** Audit views on the shared workload: each oracle is plain TypeScript over the delivered rows. */
export const cases: ViewCase[] = [
  {
    // The generated workload lands events, things and actions; checkpoints are reconciled in the
    // audit acceptance tests, on lakes the example Worker writes.
    name: 'audit_checkpoints: a lake without checkpoints has none to reconcile',
    view: auditCheckpoints,
    params: {},
    expected: () => [],
  },
  {
    name: 'audit_trail: the whole span, in (ts, id) order',
    view: auditTrail,
    params: (w: Workload) => ({ since: w.from, until: new Date(w.to.getTime() + 1), limit: 10_000 }),
    expected: (w, p) =>
      trail(
        w.events,
        (e) => Number(e.ts) >= p.since.getTime() * 1000 && Number(e.ts) < p.until.getTime() * 1000,
        p.limit,
      ),
  },
  {
    name: 'audit_trail_by_actor: the first actor',
    view: auditTrailByActor,
    params: (w: Workload) => ({ actor: w.actors[0], limit: 10_000 }),
    expected: (w, p) => trail(w.events, (e) => e.actor === p.actor, p.limit),
  },
  {
    name: 'audit_trail_by_target: the first event’s target, 20 rows',
    view: auditTrailByTarget,
    params: (w: Workload) => ({ target: w.events[0]!.target, limit: 20 }),
    expected: (w, p) => trail(w.events, (e) => e.target === p.target, p.limit),
  },
  {
    name: 'audit_events: one namespace as delivered, re-deliveries kept',
    view: auditEvents,
    params: (w: Workload) => ({ ns: w.namespaces[0], limit: 100_000 }),
    expected: (w, p) => eventsPage(w, p),
  },
  {
    name: 'audit_events: a page of 25 events after a cursor, each with every delivery',
    view: auditEvents,
    params: (w: Workload) => {
      const ns = w.namespaces.at(-1)!;
      const mine = w.delivered
        .filter((e) => e.ns === ns)
        .sort((a, b) => cmp(a.incarnation, b.incarnation) || Number(a.seq) - Number(b.seq));
      const first = mine[Math.floor(mine.length / 3)]!;
      return { ns, after_incarnation: first.incarnation, after_seq: first.seq, limit: 25 };
    },
    expected: (w, p) => eventsPage(w, p),
  },
  {
    name: 'audit_completeness: every chain',
    view: auditCompleteness,
    params: { limit: 10_000 },
    expected: (w) =>
      [...chains(w).values()].map((c) => ({
        ns: c.ns,
        incarnation: c.incarnation,
        events: c.seqs.length,
        rows: c.rows,
        first_seq: c.seqs[0],
        last_seq: c.seqs.at(-1),
        missing: c.seqs.at(-1)! - c.seqs.length,
        duplicates: c.rows - c.seqs.length,
      })),
  },
  {
    name: 'audit_gaps: every run of missing seqs',
    view: auditGaps,
    params: { limit: 10_000 },
    expected: (w) =>
      [...chains(w).values()].flatMap((c) =>
        c.seqs.flatMap((seq, i) => {
          const next = c.seqs[i + 1];
          return next !== undefined && next > seq + 1
            ? [{ ns: c.ns, incarnation: c.incarnation, gap_from: seq + 1, gap_to: next - 1 }]
            : [];
        }),
      ),
  },
  {
    name: 'audit_chain_links: no broken link in a chain the stack wrote',
    view: auditChainLinks,
    params: { limit: 10_000 },
    expected: (w) => {
      const byKey = new Map(w.events.map((e) => [`${e.ns}\n${e.incarnation}\n${e.seq}`, e]));
      return w.events
        .filter((e) => {
          const previous = byKey.get(`${e.ns}\n${e.incarnation}\n${Number(e.seq) - 1}`);
          return previous !== undefined && e.prev_hash !== previous.hash;
        })
        .map((e) => ({
          ns: e.ns,
          incarnation: e.incarnation,
          seq: Number(e.seq),
          prev_hash: e.prev_hash,
          previous_hash: byKey.get(`${e.ns}\n${e.incarnation}\n${Number(e.seq) - 1}`)!.hash,
        }));
    },
  },
  {
    name: 'audit_thing_changes: the first target, versions 1..3',
    view: auditThingChanges,
    params: (w: Workload) => ({ target: w.events[0]!.target, from_version: 1, to_version: 3 }),
    expected: (w, p) =>
      w.events
        .filter((e) => e.target === p.target && e.output_version !== null)
        .map((e) => ({ e, version: versionOf(e.output_version) }))
        .filter(({ version }) => version > p.from_version && version <= p.to_version)
        .sort((a, b) => a.version - b.version || Number(a.e.ts) - Number(b.e.ts) || cmp(a.e.id, b.e.id))
        .map(({ e, version }) => ({
          version,
          ts: iso(Number(e.ts)),
          id: e.id,
          actor: e.actor,
          event: e.event,
          input_version: e.input_version,
          output_version: e.output_version,
        })),
  },
];
