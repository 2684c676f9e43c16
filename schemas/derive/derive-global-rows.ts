/**
 * The `things` and `actions` rows are derived from the `events` row, statelessly, one event at a time:
 * the Pipelines SQL that fans the one events stream out to their sinks, and the same derivation in
 * TypeScript for sinks that write the lake themselves (the direct-to-R2 Parquet sink). Both are defined
 * here, side by side, and a test runs the SQL in the Pipelines stand-in against the TypeScript.
 *
 * @module
 */
import { ACTIONS_SCHEMA_VERSION, type ActionRow } from '../actions.ts';
import type { EventRow } from '../events.ts';
import { THINGS_SCHEMA_VERSION, type ThingRow } from '../things.ts';

/** A thing's visibility when nothing set one (the local `things` table's default). */
export const DEFAULT_VISIBILITY = 'user';

/**
 * The Pipelines SQL SELECT of the `things` sink over the `events` stream: one row per event that wrote
 * a version. The version number is the part of `output_version` after `@v` (a target holds no `@`).
 */
export const THINGS_FROM_EVENTS_SQL = `SELECT ${THINGS_SCHEMA_VERSION} AS schema_version, output_version AS id, target AS thing, ns, incarnation,
  CAST(split_part(output_version, '@v', 2) AS BIGINT) AS version, input_version AS previous_version, type, branch,
  name, data, coalesce(deleted, false) AS deleted, '${DEFAULT_VISIBILITY}' AS visibility, action_id, ts
FROM events WHERE output_version IS NOT NULL`;

/**
 * The Pipelines SQL SELECT of the `actions` sink over the `events` stream: the transition each event
 * records (the action's outcome). Transitions that yield no event (a durable action's pending, running
 * and retrying) are not in the stream.
 */
export const ACTIONS_FROM_EVENTS_SQL = `SELECT ${ACTIONS_SCHEMA_VERSION} AS schema_version, action_id || '/1' AS id, action_id, 1 AS transition, ns,
  incarnation, ts, action, verb, event, type, target, actor, durability, status,
  CAST(NULL AS VARCHAR) AS previous_status, 1 AS attempt, input_version, output_version,
  CAST(NULL AS VARCHAR) AS options, error, request_id, session_id, workflow_id, correlation_id,
  coalesce(started_at, ts) AS created_at, started_at, completed_at, duration_ms, id AS event_id
FROM events WHERE action_id IS NOT NULL`;

/** The rows one event yields in the derived tables. */
export interface DerivedRows {
  things: ThingRow[];
  actions: ActionRow[];
}

const VERSION = /@v([1-9][0-9]*)$/;

/**
 * The `things` and `actions` rows an event yields, exactly as {@link THINGS_FROM_EVENTS_SQL} and
 * {@link ACTIONS_FROM_EVENTS_SQL} compute them.
 *
 * @example
 * ```ts
 * import { deriveGlobalRows } from './derive-global-rows.ts';
 * const { things, actions } = deriveGlobalRows(event);
 * things[0]?.id === event.output_version; // true when the event wrote a version
 * ```
 */
export function deriveGlobalRows(event: EventRow): DerivedRows {
  const things: ThingRow[] = [];
  const actions: ActionRow[] = [];
  const output = event.output_version ?? null;
  if (output !== null) {
    things.push({
      schema_version: THINGS_SCHEMA_VERSION,
      id: output,
      thing: event.target,
      ns: event.ns,
      incarnation: event.incarnation,
      version: Number(VERSION.exec(output)?.[1]),
      previous_version: event.input_version ?? null,
      type: event.type,
      branch: event.branch ?? null,
      name: event.name ?? null,
      data: event.data ?? null,
      deleted: event.deleted ?? false,
      visibility: DEFAULT_VISIBILITY,
      action_id: event.action_id ?? null,
      ts: event.ts,
    });
  }
  const actionId = event.action_id ?? null;
  if (actionId !== null) {
    actions.push({
      schema_version: ACTIONS_SCHEMA_VERSION,
      id: `${actionId}/1`,
      action_id: actionId,
      transition: 1,
      ns: event.ns,
      incarnation: event.incarnation,
      ts: event.ts,
      action: event.action,
      verb: event.verb,
      event: event.event,
      type: event.type,
      target: event.target,
      actor: event.actor ?? null,
      durability: event.durability,
      status: event.status,
      previous_status: null,
      attempt: 1,
      input_version: event.input_version ?? null,
      output_version: output,
      options: null,
      error: event.error ?? null,
      request_id: event.request_id ?? null,
      session_id: event.session_id ?? null,
      workflow_id: event.workflow_id ?? null,
      correlation_id: event.correlation_id ?? null,
      created_at: event.started_at ?? event.ts,
      started_at: event.started_at ?? null,
      completed_at: event.completed_at ?? null,
      duration_ms: event.duration_ms ?? null,
      event_id: event.id,
    });
  }
  return { things, actions };
}
