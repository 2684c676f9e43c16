import type { ActionRow, EventRow, ThingRow } from '../../../schemas/index.ts';
import type { View } from '../../../views/index.ts';

/** One conformance case: a view, its params, and the independent answer over a workload. */
export interface ViewCase {
  /** Unique, e.g. 'things_current: Startups on main'. */
  name: string;
  view: View<any, any>;
  /** The params, or a function picking them (ids, times) from the workload. */
  params: unknown;
  /** The independent answer, in plain TypeScript over the workload's events as delivered (duplicates and all). */
  expected(w: Workload, params: any): Record<string, unknown>[];
  /** Default 'ordered'. */
  order?: 'ordered' | 'unordered';
  skip?: { engine: 'duckdb' | 'r2sql'; reason: string };
}

/** Events as delivered to the lake, and what the stack derives from them. */
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
