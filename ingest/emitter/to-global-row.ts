import { EVENTS_SCHEMA_VERSION, type EventRow } from '../../schemas/index.ts';
import type { SqlValue } from '../storage-like.ts';

/** One unstreamed event joined with its action, verb, thing and noun, as the emitter reads it. */
export interface LocalEventRow extends Record<string, SqlValue> {
  seq: number;
  ts: number;
  data: string | null;
  action: string;
  past: string;
  noun: string;
  actor: string | null;
  target: string;
  durability: string;
  status: string;
  input: number | null;
  output: number | null;
  branch: string | null;
  error: string | null;
  requestId: string | null;
  sessionId: string | null;
  workflowId: string | null;
  correlationId: string | null;
  startedAt: number | null;
  completedAt: number | null;
}

/** The SELECT that reads a batch of unstreamed events, oldest first. */
export const UNSTREAMED_EVENTS_SQL = `
  SELECT e.id AS seq, e.ts, e.data, v.verb AS action, v.event AS past, n.noun, a.actor, a.target, a.durability,
         a.status, a.input, a.output, t.branch, a.error, a.requestId, a.sessionId, a.workflowId, a.correlationId,
         a.startedAt, a.completedAt
  FROM events e
  JOIN actions a ON a.id = e.action
  JOIN verbs v ON v.id = a.verb
  JOIN things t ON t.version = a.output
  JOIN nouns n ON n.id = t.type
  WHERE e.streamed = 0
  ORDER BY e.id
  LIMIT ?`;

const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * Qualifies a local path with the namespace; an absolute URL stays as it is.
 *
 * @example
 * ```ts
 * import { qualify } from './to-global-row.ts';
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
 */
export const eventId = (ns: string, incarnation: string, seq: number): string =>
  `${ns}/events/${incarnation}/${seq}`;

/** Builds the global row of one local event. */
export function toGlobalRow(ns: string, incarnation: string, local: LocalEventRow): EventRow {
  const target = qualify(ns, local.target);
  const duration =
    local.startedAt !== null && local.completedAt !== null
      ? (local.completedAt - local.startedAt) / 1000
      : null;
  return {
    schema_version: EVENTS_SCHEMA_VERSION,
    id: eventId(ns, incarnation, local.seq),
    ns,
    incarnation,
    seq: local.seq,
    ts: local.ts,
    event: `${local.noun}.${local.past}`,
    verb: local.past,
    action: local.action,
    type: qualify(ns, local.noun),
    target,
    actor: local.actor === null ? null : qualify(ns, local.actor),
    durability: local.durability as EventRow['durability'],
    status: local.status as EventRow['status'],
    branch: local.branch,
    input_version: local.input === null ? null : `${target}@v${local.input}`,
    output_version: local.output === null ? null : `${target}@v${local.output}`,
    data: local.data === null ? null : JSON.parse(local.data),
    error: local.error === null ? null : JSON.parse(local.error),
    request_id: local.requestId,
    session_id: local.sessionId,
    workflow_id: local.workflowId,
    correlation_id: local.correlationId,
    started_at: local.startedAt,
    completed_at: local.completedAt,
    duration_ms: duration,
    prev_hash: null,
    hash: null,
  };
}
