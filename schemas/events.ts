/**
 * The global `events` row: one row per event, denormalized so that the common views need no join.
 * Every id is an absolute URL; timestamps are UTC microseconds; names are snake_case.
 *
 * @module
 */
import { z } from 'zod';
import { col } from './columns.ts';

/** How hard an action tries: fire-and-forget, a quick attempt, or durable with retries. */
export const DURABILITIES = ['send', 'try', 'do'] as const;
/** The states an action moves through. */
export const ACTION_STATUSES = ['pending', 'running', 'completed', 'failed', 'undone', 'retrying'] as const;

/** Bumped whenever a column is added; a breaking change gets a new versioned stream instead. */
export const EVENTS_SCHEMA_VERSION = 2;

/**
 * The zod schema of a global event row, the one source every other form is derived from.
 *
 * @example
 * ```ts
 * import { eventRow } from './events.ts';
 * const result = eventRow.safeParse({ id: 'not a url' });
 * result.success; // false, with an issue per bad field
 * ```
 */
export const eventRow = z.object({
  schema_version: col.int32('version of this row contract'),
  id: col.url('globally unique, deterministic: {ns}/events/{incarnation}/{seq}'),
  ns: col.url('the namespace (the Durable Object) the event happened in'),
  incarnation: col.string('id of the storage the seq counts in; changes only if storage is recreated'),
  seq: col.int64('per-namespace gapless sequence, 1-based'),
  ts: col.timestamp('when the event happened'),
  event: col.string('Noun.pastTense, e.g. Startup.created'),
  verb: col.string('past tense, e.g. created'),
  action: col.string('imperative, e.g. create'),
  type: col.url('the noun as a URL, e.g. https://startups.studio/Startup'),
  target: col.url('the thing acted on'),
  actor: col.url('who acted').nullable(),
  durability: col.enum(DURABILITIES),
  status: col.enum(ACTION_STATUSES),
  branch: col.string().nullable(),
  input_version: col.versionRef('the version before, e.g. https://startups.studio/acme@v12').nullable(),
  output_version: col.versionRef('the version after, e.g. https://startups.studio/acme@v13').nullable(),
  data: col.json('the payload').nullable(),
  error: col.json().nullable(),
  request_id: col.string().nullable(),
  session_id: col.string().nullable(),
  workflow_id: col.string().nullable(),
  correlation_id: col.string().nullable(),
  started_at: col.timestamp().nullable(),
  completed_at: col.timestamp().nullable(),
  duration_ms: col.float64().nullable(),
  prev_hash: col.string('hash of the previous event in this namespace').nullable(),
  hash: col.string('SHA-256 over the canonical row').nullable(),
  action_id: col
    .url('the action that yielded the event: {ns}/actions/{incarnation}/{local id}')
    .nullable()
    .optional(),
  name: col.string("the thing's name as of output_version").nullable().optional(),
  deleted: col.bool('true when output_version is a tombstone').nullable().optional(),
});

/** A global event row. */
export type EventRow = z.infer<typeof eventRow>;
