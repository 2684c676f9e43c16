import { eventHash } from '../../lake/chain/index.ts';
import { EVENTS_SCHEMA_VERSION, type EventRow } from '../../schemas/index.ts';

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Qualifies a local path with the namespace; an absolute URL stays as it is.
 *
 * @example
 * ```ts
 * import { qualify } from './event-row.ts';
 * qualify('https://startups.studio', 'acme'); // 'https://startups.studio/acme'
 * qualify('https://startups.studio', 'https://auth.dev/nathan'); // unchanged
 * ```
 */
export function qualify(ns: string, local: string): string {
  return ABSOLUTE.test(local) ? local : `${ns}/${local.replace(/^\/+/, '')}`;
}

/**
 * The deterministic global id of an event: the same (ns, incarnation, seq) always gives the same id,
 * so a re-sent event is recognised as a duplicate.
 *
 * @example
 * ```ts
 * import { eventId } from './event-row.ts';
 * eventId('https://startups.studio', '7f3a…', 12); // 'https://startups.studio/events/7f3a…/12'
 * ```
 */
export const eventId = (ns: string, incarnation: string, seq: number): string =>
  `${ns}/events/${incarnation}/${seq}`;

/** Everything an event row is built from, as the store knows it inside the recording transaction. */
export interface EventParts {
  ns: string;
  incarnation: string;
  seq: number;
  prevHash: string | null;
  ts: number;
  noun: string;
  action: string;
  past: string;
  target: string;
  actor: string | null;
  durability: EventRow['durability'];
  status: EventRow['status'];
  branch: string | null;
  input: number | null;
  output: number | null;
  /** JSON text, as stored. */
  data: string | null;
  error: string | null;
  requestId: string | null;
  sessionId: string | null;
  workflowId: string | null;
  correlationId: string | null;
  startedAt: number | null;
  completedAt: number | null;
}

/** Builds the global row of an event and seals it with its hash. */
export function buildEventRow(p: EventParts): EventRow & { seq: number } {
  const target = qualify(p.ns, p.target);
  const row: EventRow & { seq: number } = {
    schema_version: EVENTS_SCHEMA_VERSION,
    id: eventId(p.ns, p.incarnation, p.seq),
    ns: p.ns,
    incarnation: p.incarnation,
    seq: p.seq,
    ts: p.ts,
    event: `${p.noun}.${p.past}`,
    verb: p.past,
    action: p.action,
    type: qualify(p.ns, p.noun),
    target,
    actor: p.actor === null ? null : qualify(p.ns, p.actor),
    durability: p.durability,
    status: p.status,
    branch: p.branch,
    input_version: p.input === null ? null : `${target}@v${p.input}`,
    output_version: p.output === null ? null : `${target}@v${p.output}`,
    data: p.data === null ? null : JSON.parse(p.data),
    error: p.error === null ? null : JSON.parse(p.error),
    request_id: p.requestId,
    session_id: p.sessionId,
    workflow_id: p.workflowId,
    correlation_id: p.correlationId,
    started_at: p.startedAt,
    completed_at: p.completedAt,
    duration_ms: p.startedAt !== null && p.completedAt !== null ? (p.completedAt - p.startedAt) / 1000 : null,
    prev_hash: p.prevHash,
    hash: null,
  };
  row.hash = eventHash(row);
  return row;
}
