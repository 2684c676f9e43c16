import type { ActionRow, EventRow, ThingRow } from '../../../schemas/index.ts';
import type { View } from '../../../views/index.ts';

/** One conformance case of a view, run on every engine and compared with its oracle. */
export interface ViewCase {
  name: string; // unique, e.g. 'things_current: Startups on main'
  view: View<any, any>;
  params: unknown; // or (w: Workload) => unknown, to pick ids/times from the workload
  /** The independent answer, in plain TypeScript over the workload's events as delivered (duplicates and all). */
  expected(w: Workload, params: any): Record<string, unknown>[];
  order?: 'ordered' | 'unordered'; // default 'ordered'
  skip?: { engine: 'duckdb' | 'r2sql'; reason: string };
}

/** The rows a conformance run loads into the lake, and what to pick params from. */
export interface Workload {
  /** Every event row as delivered to the lake, in delivery order: duplicates included (same id twice). */
  delivered: EventRow[];
  /** The same, deduplicated on id, in (ns, seq) order. */
  events: EventRow[];
  /** Thing-version rows and action rows as the stack derives them (deriveGlobalRows), deduplicated. */
  things: ThingRow[];
  actions: ActionRow[];
  /** Namespaces, types, actors, and the time span, to pick params from. */
  namespaces: string[];
  types: string[];
  actors: string[];
  from: Date;
  to: Date;
}
