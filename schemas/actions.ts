/**
 * The global `actions` row: one row per status transition of an action (pending → running → completed,
 * failed, retrying, undone), with the timing and correlation columns dashboards and audits need
 * without a join.
 *
 * @module
 */
import { z } from 'zod';
import { col } from './columns.ts';
import { ACTION_STATUSES, DURABILITIES } from './events.ts';

/**
 * Bumped whenever a column is added; a breaking change gets a new versioned stream instead.
 *
 * @example
 * ```ts
 * import { ACTIONS_SCHEMA_VERSION } from './actions.ts';
 * const row = { schema_version: ACTIONS_SCHEMA_VERSION, ...columns };
 * ```
 */
export const ACTIONS_SCHEMA_VERSION = 1;

/**
 * The zod schema of a global action-transition row.
 *
 * @example
 * ```ts
 * import { actionRow } from './actions.ts';
 * const result = actionRow.safeParse({ status: 'done' });
 * result.success; // false: 'done' is not a status, and the other columns are missing
 * ```
 */
export const actionRow = z.object({
  schema_version: col.int32('version of this row contract'),
  id: col.url('this transition: {action_id}/{transition}'),
  action_id: col.url('the action: {ns}/actions/{incarnation}/{local id}'),
  transition: col.int32('1-based count of transitions of this action'),
  ns: col.url('the namespace (the Durable Object) the action ran in'),
  incarnation: col.string('id of the storage the action ids count in'),
  ts: col.timestamp('when the action entered this status'),
  action: col.string('imperative, e.g. create'),
  verb: col.string('past tense, e.g. created'),
  event: col.string('Noun.pastTense, e.g. Startup.created').nullable(),
  type: col.url('the noun as a URL, e.g. https://startups.studio/Startup'),
  target: col.url('the thing acted on'),
  actor: col.url('who acted').nullable(),
  durability: col.enum(DURABILITIES),
  status: col.enum(ACTION_STATUSES),
  previous_status: col.enum(ACTION_STATUSES).nullable(),
  attempt: col.int32('1 for the first try; retries of a durable action count up'),
  input_version: col.versionRef('the version before, e.g. https://startups.studio/acme@v12').nullable(),
  output_version: col.versionRef('the version after').nullable(),
  options: col.json('the options the action was called with').nullable(),
  error: col.json().nullable(),
  request_id: col.string().nullable(),
  session_id: col.string().nullable(),
  workflow_id: col.string().nullable(),
  correlation_id: col.string().nullable(),
  created_at: col.timestamp('when the action was created'),
  started_at: col.timestamp().nullable(),
  completed_at: col.timestamp().nullable(),
  duration_ms: col.float64().nullable(),
  event_id: col.url('the event this transition yielded, if any').nullable(),
});

/** A global action-transition row. */
export type ActionRow = z.infer<typeof actionRow>;
